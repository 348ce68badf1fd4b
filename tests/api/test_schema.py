"""The schema tells the truth about the API: its descriptions come from the models."""

import ast
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.core.management import call_command
from django.utils import translation

import api.serializers
from hotline.models import AnnualReport

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker):
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    with django_db_blocker.unblock(), translation.override("en"):
        call_command("spectacular", "--file", str(path), "--validate", "--fail-on-warn")
    return yaml.safe_load(path.read_text())


def model_help_texts():
    with translation.override("en"):
        return {
            str(field.help_text)
            for model in apps.get_app_config("hotline").get_models()
            for field in model._meta.get_fields()
            if getattr(field, "help_text", "")
        }


@pytest.mark.parametrize(
    "component, prop, model, field",
    [
        ("Region", "name", "Region", "name"),
        ("Department", "short_name", "Department", "short_name"),
        ("Indicator", "unit", "Indicator", "unit"),
        ("Report", "population", "AnnualReport", "population"),
        ("Figure", "note", "Figure", "note"),
        ("Figure", "text", "Figure", "text"),
        ("Figure", "column_label", "Indicator", "column_label"),
        ("TopFive", "count", "AppealCount", "count"),
        ("Guest", "position", "EpisodeGuest", "position"),
        ("SharingRequest", "scope", "DataSharingRequest", "scope"),
        ("PolicyDocument", "doc_number", "PolicyDocument", "doc_number"),
    ],
)
def test_field_descriptions_are_the_models_help_texts(schema, component, prop, model, field):
    described = schema["components"]["schemas"][component]["properties"][prop]["description"]
    with translation.override("en"):
        help_text = str(apps.get_model("hotline", model)._meta.get_field(field).help_text)
    assert described == help_text


def test_a_printed_number_adds_only_what_the_api_means(schema):
    value = schema["components"]["schemas"]["Figure"]["properties"]["value"]["description"]
    with translation.override("en"):
        help_text = str(apps.get_model("hotline", "Figure")._meta.get_field("value").help_text)
    assert value.startswith(help_text + " ")


def test_the_serializers_repeat_no_models_help_text():
    """Every string the serializers translate is theirs: none repeats a model's help_text."""
    source = Path(api.serializers.__file__).read_text()
    translated = {
        "".join(arg.value for arg in [node.args[0]] if isinstance(arg, ast.Constant))
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_" and node.args
    }
    assert translated & model_help_texts() == set()


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_anyone_may_read_and_only_staff_write(schema):
    for path, method, operation in operations(schema):
        anonymous = {} in operation["security"]
        assert anonymous == (method == "get" or path.endswith("/auth/token/")), (path, method)


def test_years_are_bounded_as_enforced(schema):
    years = AnnualReport.YEARS
    for _path, _method, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["name"] == "year":
                bounds = parameter["schema"].get("items", parameter["schema"])
                assert (bounds["minimum"], bounds["maximum"]) == (years.start, years[-1])
    report = schema["components"]["schemas"]["ReportRequest"]["properties"]["year"]
    assert (report["minimum"], report["maximum"]) == (years.start, years[-1])


def test_csv_answers_are_text(schema):
    ok = schema["paths"]["/api/v1/figures/"]["get"]["responses"]["200"]["content"]
    assert ok["text/csv"]["schema"]["type"] == "string"


def test_every_read_has_an_example_from_2023(schema):
    # The fixtures' 2023 report lists no broadcast episode: its list is an empty page.
    for path, method, operation in operations(schema):
        if method == "get" and path != "/api/v1/episodes/{id}/":
            content = operation["responses"]["200"]["content"]["application/json"]
            assert "example" in content, path
    report = schema["paths"]["/api/v1/reports/{city}/{year}/"]["get"]
    assert report["responses"]["200"]["content"]["application/json"]["example"]["year"] == 2023
    assert [p["example"] for p in report["parameters"] if p["in"] == "path"] == ["huaian", 2023]


def documented(schema, path, method, status):
    return str(status) in schema["paths"][path][method]["responses"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page_size=true", "page_size"),
        ("page_size=0", "page_size"),
        ("page_size=5000", "page_size"),
        ("format=", "format"),
        ("format=xml", "format"),
        ("ordering=report__status", "ordering"),
        ("ordering=id,", "ordering"),
        ("ordering=", "ordering"),  # an empty name, or no order at all: either way not valid
        ("kind=nonsense", "kind"),
        ("year=1999", "year"),
    ],
)
def test_invalid_query_parameters_are_a_documented_400_naming_them(
    schema, anonymous, query, parameter
):
    response = anonymous.get(f"/api/v1/figures/?{query}")
    assert response.status_code == 400
    assert parameter in response.json()
    assert documented(schema, "/api/v1/figures/", "get", 400)


def test_refusals_are_documented_with_their_body(schema, anonymous, data_entry, report_2023):
    figure = report_2023.figures.first()
    answers = [
        ("/api/v1/figures/", "post", anonymous.post("/api/v1/figures/", {})),  # 401
        ("/api/v1/figures/{id}/", "get", anonymous.get("/api/v1/figures/999999999/")),  # 404
        (  # 403: the report is published
            "/api/v1/figures/{id}/",
            "patch",
            data_entry.patch(f"/api/v1/figures/{figure.pk}/", {"note": "x"}),
        ),
    ]
    assert [response.status_code for *_, response in answers] == [401, 404, 403]
    for path, method, response in answers:
        assert documented(schema, path, method, response.status_code)
        assert set(response.json()) == {"detail"}


def test_the_served_schema_is_the_committed_one(schema):
    """A change to the API is a deliberate change to api/openapi.yaml (and api/CHANGELOG.md):
    `manage.py spectacular --lang en --file api/openapi.yaml`."""
    committed = yaml.safe_load(Path(api.serializers.__file__).with_name("openapi.yaml").read_text())
    assert schema == committed


def test_an_error_is_json_even_when_csv_was_asked_for(schema, anonymous):
    response = anonymous.delete("/api/v1/figures/1/?format=csv")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert documented(schema, "/api/v1/figures/{id}/", "delete", 401)


def test_a_url_under_the_api_that_names_nothing_is_a_json_404(anonymous):
    response = anonymous.get("/api/v1/figures/not-a-number/")
    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("page", ["", "0", "two", "1.5", "-1"])
def test_a_page_that_is_not_a_whole_number_is_a_400_naming_it(anonymous, page):
    response = anonymous.get(f"/api/v1/sections/?page={page}")
    assert response.status_code == 400
    assert "page" in response.json()


def test_a_write_to_a_url_that_names_nothing_is_a_json_404_not_a_csrf_page(anonymous):
    response = anonymous.delete("/api/v1/figures/x/")
    assert (response.status_code, response["Content-Type"]) == (404, "application/json")


def test_refused_credentials_are_json_even_when_csv_was_asked_for(anonymous):
    response = anonymous.post(
        "/api/v1/auth/token/?format=csv", {"username": "nobody", "password": "x"}, format="json"
    )
    assert (response.status_code, response["Content-Type"]) == (400, "application/json")


def test_an_id_with_a_line_break_is_a_json_404(anonymous):
    response = anonymous.get("/api/v1/figures/5%0A/")
    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
