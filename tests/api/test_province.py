"""The province's view in the API (issue 17): what the site's page /reports/jiangsu/<year>/
shows, as JSON and CSV, read by the same rules (hotline.services.province)."""

import csv
import io
from decimal import Decimal

import pytest

from hotline.checks import check_report
from hotline.models import AnnualReport, Figure
from tests.hotline.factories import as_drafts
from tests.reports.factories import make_report

pytestmark = pytest.mark.django_db

URL = "/api/v1/provinces/jiangsu/2023/"
COUNT = "appeals.total.total"
RATE = "calls.inbound.answer_rate_30s"
DRAFT_VALUE = Decimal("987654321")


@pytest.fixture
def cities():
    """Nanjing published with a "—" in one count, Wuxi a draft with a figure no one may see."""
    nanjing = make_report("nanjing", 2023, records=1)
    with as_drafts(nanjing):
        Figure.private_objects.filter(report=nanjing, indicator__code=COUNT).update(value=None)
    wuxi = make_report("wuxi", 2023, status=AnnualReport.Status.DRAFT, records=1)
    Figure.private_objects.filter(report=wuxi, indicator__kind="count").update(value=DRAFT_VALUE)
    return nanjing


def rows(data):
    return {row["indicator"]: row for row in data["results"]}


def value(city, code):
    return Figure.private_objects.get(
        report__region__slug=city, report__year=2023, indicator__code=code
    ).printed_value


def test_the_cities_side_by_side_with_totals_and_their_checks(anonymous, cities):
    response = anonymous.get(URL)
    assert response.status_code == 200
    data = response.json()
    assert (data["province"], data["year"], data["cities"], data["published"]) == (
        "jiangsu",
        2023,
        13,
        2,
    )
    assert data["drafts"] is None  # the public is not told of drafts
    assert [c["city"] for c in data["reports"]] == ["nanjing", "huaian"]  # the province's order
    assert "987654321" not in response.content.decode()
    by_code = rows(data)
    # Nanjing printed "—": no total rather than Huai'an's alone, and no 0 for Nanjing.
    assert by_code[COUNT]["total"] is None and by_code[COUNT]["total_cities"] is None
    assert {f["city"]: f["value"] for f in by_code[COUNT]["figures"]}["nanjing"] is None
    counted = "appeals.public.total"
    expected = value("nanjing", counted) + value("huaian", counted)
    assert Decimal(by_code[counted]["total"]) == expected
    assert by_code[counted]["total_cities"] == 2
    assert by_code[RATE]["total"] is None  # a rate is never summed
    assert [f["value"] for f in by_code[RATE]["figures"]] == [
        f"{value('nanjing', RATE):f}",
        f"{value('huaian', RATE):f}",
    ]


def test_each_city_has_its_checks_count_and_link(anonymous, cities):
    for city in anonymous.get(URL).json()["reports"]:
        report = AnnualReport.public_objects.get(region__slug=city["city"], year=2023)
        assert city["discrepancies"] == len(check_report(report, drafts=False).discrepancies)
        assert city["checks"] == f"/api/v1/reports/{city['city']}/2023/checks/"
        checks = anonymous.get(city["checks"]).json()
        assert len(checks["discrepancies"]) == city["discrepancies"]
        assert anonymous.get(city["report"]).json()["city"] == city["city"]


def test_staff_who_see_drafts_are_told_how_many(reviewer, cities):
    response = reviewer.get(URL)
    data = response.json()
    assert data["drafts"] == 1 and data["published"] == 2
    assert "987654321" not in response.content.decode()
    assert "private" in response["Cache-Control"]


def test_the_csv_has_a_column_per_city(anonymous, cities):
    response = anonymous.get(URL, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    header, *lines = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    assert header == [
        "indicator",
        "table",
        "kind",
        "unit",
        "nanjing",
        "huaian",
        "total",
        "total_cities",
    ]
    by_code = {line[0]: dict(zip(header, line, strict=True)) for line in lines}
    assert by_code[COUNT]["nanjing"] == "" and by_code[COUNT]["total"] == ""
    counted = by_code["appeals.public.total"]
    assert Decimal(counted["huaian"]) == value("huaian", "appeals.public.total")
    assert counted["total_cities"] == "2"
    assert "987654321" not in response.content.decode()


def test_the_answer_is_cached_as_the_other_reads(anonymous, cities):
    first = anonymous.get(URL)
    again = anonymous.get(URL)
    assert again["X-Page-Cache"] == "hit" and again.content == first.content
    assert anonymous.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/provinces/jiangsu/2022/",  # nothing published that year
        "/api/v1/provinces/jiangsu/1999/",  # outside the years a report may have
        "/api/v1/provinces/nanjing/2023/",  # not the province
    ],
)
def test_a_year_without_a_published_report_is_a_json_404(anonymous, url):
    response = anonymous.get(url)
    assert response.status_code == 404
    assert "detail" in response.json()


def test_drafts_alone_are_a_404(anonymous):
    make_report("nanjing", 2022, status=AnnualReport.Status.DRAFT, records=1)
    assert anonymous.get("/api/v1/provinces/jiangsu/2022/").status_code == 404
