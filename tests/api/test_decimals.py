"""A figure keeps the decimals it was typed with through the API, in and out."""

import json

import pytest

from hotline.models import AppealCount, Figure

pytestmark = pytest.mark.django_db

RATE = {"city": "huaian", "year": 2024, "indicator": "calls.inbound.answer_rate_30s"}


def stored(pk):
    figure = Figure.private_objects.get(pk=pk)
    return figure.decimals, str(figure.printed_value)


def test_a_value_posted_without_its_decimals_keeps_those_typed(data_entry, draft_2024):
    response = data_entry.post(
        "/api/v1/figures/", {**RATE, "value": "91.50", "change": "-0.80"}, format="json"
    )
    assert response.status_code == 201, response.content
    answer = response.json()
    assert (answer["value"], answer["decimals"], answer["printed_value"]) == ("91.50", 2, "91.50")
    assert (answer["change"], answer["change_decimals"]) == ("-0.80", 2)
    assert stored(answer["id"]) == (2, "91.50")
    read = data_entry.get(f"/api/v1/figures/{answer['id']}/").json()
    assert (read["value"], read["printed_value"], read["change"]) == ("91.50", "91.50", "-0.80")


def test_a_value_patched_without_its_decimals_keeps_those_typed(data_entry, draft_2024):
    figure = Figure.private_objects.get(report=draft_2024, indicator__code="appeals.public.total")
    assert figure.decimals == 0
    rate = data_entry.post("/api/v1/figures/", {**RATE, "value": "90"}, format="json").json()
    assert rate["printed_value"] == "90"
    response = data_entry.patch(f"/api/v1/figures/{rate['id']}/", {"value": "91.50"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["printed_value"], response.json()["value"]) == ("91.50", "91.50")
    assert stored(rate["id"]) == (2, "91.50")


@pytest.mark.parametrize(
    ("literal", "decimals", "printed"),
    [("91.5", 1, "91.5"), ("91.50", 2, "91.50"), ("92", 0, "92")],
)
def test_a_json_number_keeps_the_decimals_it_is_written_with(
    data_entry, draft_2024, literal, decimals, printed
):
    body = json.dumps(RATE)[:-1] + f', "value": {literal}}}'
    response = data_entry.post("/api/v1/figures/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert stored(response.json()["id"]) == (decimals, printed)


def test_decimals_sent_with_the_value_are_those_kept(data_entry, draft_2024):
    response = data_entry.post(
        "/api/v1/figures/", {**RATE, "value": "91.5", "decimals": 2}, format="json"
    )
    assert stored(response.json()["id"]) == (2, "91.50")


def test_a_share_keeps_the_decimals_typed(data_entry, draft_2024):
    response = data_entry.post(
        "/api/v1/appeal-counts/",
        {
            "city": "huaian",
            "year": 2024,
            "category": "housing",
            "count": 100,
            "published_share": "7.1",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert (response.json()["published_share"], response.json()["printed_share"]) == ("7.1", "7.1")
    assert AppealCount.private_objects.get(pk=response.json()["id"]).share_decimals == 1


def test_the_published_figures_read_with_their_printed_decimals(anonymous):
    rows = anonymous.get("/api/v1/figures/?indicator=calls.inbound.answer_rate_30s").json()
    [rate] = rows["results"]
    assert (rate["value"], rate["printed_value"], rate["change"]) == ("92.30", "92.30", "18.14")
    csv = anonymous.get("/api/v1/figures/?indicator=calls.inbound.answer_rate_30s&format=csv")
    assert ",92.30,2,92.30," in csv.content.decode("utf-8-sig")


def test_the_schema_says_how_to_send_a_number(anonymous):
    schema = anonymous.get("/api/v1/schema/?format=json").json()
    value = schema["components"]["schemas"]["FigureRequest"]["properties"]["value"]
    assert 'as a string with the decimals it was printed with ("91.50")' in value["description"]
    assert "A JSON number is read as it is written" in value["description"]
