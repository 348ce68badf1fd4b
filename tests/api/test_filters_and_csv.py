"""Filters take several values at once; every list also comes as CSV for spreadsheets."""

import csv
import io

import pytest

from api.filters import FigureFilter
from hotline.models import Figure

from .conftest import add_records
from .endpoints import LISTS, results

pytestmark = pytest.mark.django_db


def pairs(client, url):
    return {(row["city"], row["year"]) for row in results(client.get(url))}


def test_several_cities_and_years_at_once(anonymous, more_data):
    url = "/api/v1/figures/?page_size=1000&indicator=appeals.public.total"
    assert pairs(anonymous, url) == {("huaian", 2023), ("huaian", 2022), ("wuxi", 2023)}
    assert pairs(anonymous, url + "&year=2022,2023&city=wuxi") == {("wuxi", 2023)}
    assert pairs(anonymous, url + "&city=huaian,wuxi&year=2022") == {("huaian", 2022)}
    assert pairs(anonymous, "/api/v1/episodes/?year=2022,2023&city=wuxi") == {("wuxi", 2023)}
    assert len(results(anonymous.get("/api/v1/reports/?year=2022,2023"))) == 3


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("section=platform", 19),
        ("table=calls", 15),
        ("table=calls,appeals", 36),
        ("indicator=appeals.total.total,calls.total.calls_handled", 2),
        ("kind=text", 2),
        ("kind=rate,text&section=appeals", 6),
    ],
)
def test_figures_by_section_table_indicator_and_kind(anonymous, query, expected):
    rows = results(anonymous.get(f"/api/v1/figures/?page_size=1000&{query}"))
    assert len(rows) == expected


def test_the_expected_counts_come_from_the_catalogue():
    published = Figure.private_objects.published()
    assert published.filter(indicator__table__section__code="platform").count() == 19
    assert published.filter(indicator__table__code="calls").count() == 15
    assert published.filter(indicator__table__code="appeals").count() == 21
    assert published.filter(kind="text").count() == 2
    assert (
        published.filter(
            kind__in=["rate", "text"], indicator__table__section__code="appeals"
        ).count()
        == 6
    )


def test_records_by_their_natural_keys(anonymous, report_2023):
    add_records(report_2023)
    rows = results(anonymous.get("/api/v1/sharing-requests/?method=usb,disc&page_size=1000"))
    assert len(rows) == len({row["id"] for row in rows})  # no row twice across the join
    assert all({"usb", "disc"} & set(row["methods"]) for row in rows)
    top = results(anonymous.get("/api/v1/appeal-counts/?department=淮安市公安局"))
    assert [row["count"] for row in top] == [26851]
    documents = results(anonymous.get("/api/v1/policy-documents/?issuer=淮安市人民政府办公室"))
    assert len(documents) == 2
    assert len(results(anonymous.get("/api/v1/regions/?parent=huaian&level=county"))) == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("year=abc", "year"),
        ("year=2023,abc", "year"),
        ("year=99999999999999999999999", "year"),
        ("year=-1", "year"),
        ("kind=nonsense", "kind"),
        ("city=huai%00an", "city"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(anonymous, query, field):
    response = anonymous.get(f"/api/v1/figures/?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_a_forged_cursor_is_a_404(anonymous):
    import base64

    for position in ("p=abc", "p=1e5", "p=" + "9" * 40):
        cursor = base64.b64encode(position.encode()).decode()
        assert anonymous.get(f"/api/v1/figures/?cursor={cursor}").status_code == 404


def test_ordering_is_whitelisted(anonymous, more_data):
    rows = results(anonymous.get("/api/v1/sharing-requests/?ordering=-records&page_size=5"))
    assert [r["records"] for r in rows] == sorted((r["records"] for r in rows), reverse=True)
    # Unknown fields are refused with a 400 naming the parameter, never passed to the database.
    response = anonymous.get("/api/v1/figures/?ordering=report__status")
    assert response.status_code == 400
    assert "ordering" in response.json()


def read_csv(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_figures_as_csv(anonymous):
    response = anonymous.get("/api/v1/figures/?format=csv&page_size=1000")
    assert response["Content-Disposition"] == 'attachment; filename="figure.csv"'
    rows = read_csv(response)
    assert len(rows) == 122
    first = rows[0]
    assert list(first)[:4] == ["id", "city", "year", "indicator"]
    assert first["indicator"] == "appeals.public.total"
    assert first["row_label"] == "群众诉求"
    assert first["change"] == "-8.77"  # a negative number stays a number
    status = next(r for r in rows if r["indicator"] == "security.citywide.status")
    assert status["text"] == "优秀" and status["value"] == ""


def test_csv_follows_the_accept_header_too(anonymous):
    response = anonymous.get("/api/v1/regions/", HTTP_ACCEPT="text/csv")
    assert {row["slug"] for row in read_csv(response)} >= {"jiangsu", "huaian"}


@pytest.mark.parametrize("name", LISTS)
def test_every_list_comes_as_csv(anonymous, name, report_2023):
    add_records(report_2023)
    rows = read_csv(anonymous.get(LISTS[name] + "?format=csv"))
    assert rows and all(rows[0].keys())


def test_an_empty_list_still_names_its_columns(anonymous):
    response = anonymous.get("/api/v1/figures/?year=2001&format=csv")
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("id,city,year,indicator,")


def test_lists_and_nested_records_fit_in_one_cell(anonymous, report_2023):
    add_records(report_2023)
    rows = read_csv(anonymous.get("/api/v1/sharing-requests/?format=csv&page_size=1000"))
    assert {"usb、disc", "disc、usb"} & {row["methods"] for row in rows}
    [episode] = read_csv(anonymous.get("/api/v1/episodes/?format=csv"))
    assert '"is_principal": true' in episode["guests"]


def test_the_filters_form_class_is_made_once_and_judges_each_request():
    first = FigureFilter(data={"year": "2023"})
    second = FigureFilter(data={"year": "1066", "kind": "count"})
    assert type(first.form) is type(second.form)
    assert first.form.fields is not second.form.fields  # each form has its own fields
    assert first.is_valid() and first.form.cleaned_data["year"] == [2023]
    assert not second.is_valid() and list(second.form.errors) == ["year"]
