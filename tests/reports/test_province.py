"""The province's view (issue 17): every city's published report of a year side by side,
drafts never shown (and counted for staff only), totals only for counts every city reported."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.test import override_settings

from hotline.models import AnnualReport, Figure, Region
from tests.hotline.factories import as_drafts

from .factories import make_report

pytestmark = pytest.mark.django_db

URL = "/reports/jiangsu/2023/"
COUNT = "appeals.total.total"
RATE = "calls.inbound.answer_rate_30s"
DRAFT_VALUE = Decimal("987654321")
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')


def figure(city, code, year=2023):
    return Figure.private_objects.get(
        report__region__slug=city, report__year=year, indicator__code=code
    )


def row(content, code):
    match = re.search(rf'<tr data-indicator="{re.escape(code)}">(.*?)</tr>', content, re.S)
    assert match, code
    return match.group(1)


def total(content, code):
    return re.search(r"<td class=\"num\" data-total>(.*?)</td>", row(content, code)).group(1)


def csv_rows(client, url="/reports/jiangsu/2023.csv"):
    response = client.get(url)
    assert response.status_code == 200
    header, *rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    # The code first, each city under its name, the total and how many cities it covers last.
    keys = ["code", *header[1:-2], "total", "cities"]
    return {r[0]: dict(zip(keys, r, strict=True)) for r in rows}


@pytest.fixture
def cities():
    """Nanjing published, Wuxi still a draft with a figure no page may show."""
    make_report("nanjing", 2023, records=1)
    wuxi = make_report("wuxi", 2023, status=AnnualReport.Status.DRAFT, records=1)
    Figure.private_objects.filter(report=wuxi, indicator__kind="count").update(value=DRAFT_VALUE)


def test_the_fixtures_alone_show_huaian_and_its_totals(client):
    huaian = figure("huaian", COUNT)
    response = client.get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-city="huaian"' in content
    assert 'data-published="1"' in content and "data-drafts" not in content
    # One city: its counts are the province's total, which says it covers one city.
    assert total(content, COUNT) == f"{huaian.printed_value:,}"
    assert total(content, RATE) == ""  # a rate is never summed
    assert 'href="/reports/huaian/2023/"' in content
    rows = csv_rows(client)
    assert Decimal(rows[COUNT]["淮安市"]) == huaian.printed_value
    assert rows[COUNT]["cities"] == "1"
    assert rows[RATE]["total"] == ""


def test_a_second_city_adds_to_the_totals_and_a_draft_is_only_counted(client, cities):
    content = client.get(URL).content.decode()
    assert 'data-city="nanjing"' in content
    assert 'data-city="wuxi"' not in content
    assert 'data-published="2"' in content
    assert "987,654,321" not in content and "987654321" not in content
    expected = figure("huaian", COUNT).printed_value + figure("nanjing", COUNT).printed_value
    assert total(content, COUNT) == f"{expected:,}"
    rows = csv_rows(client)
    assert Decimal(rows[COUNT]["total"]) == expected
    assert rows[COUNT]["cities"] == "2"
    assert "无锡市" not in rows[COUNT] and "南京市" in rows[COUNT]
    assert "987654321" not in client.get("/reports/jiangsu/2023.csv").content.decode()


def test_a_draft_started_changes_nothing_the_public_sees(client):
    """The public page neither shows nor counts drafts: its cache moves with published data
    only (hotline.freshness), so a count of drafts would go stale, and would show a draft."""
    with override_settings(PAGE_CACHE_SECONDS=0):
        before = CSRF.sub(b"", client.get(URL).content)
        # Started as staff start one: no reference data (departments) made on the way.
        AnnualReport.private_objects.create(region=Region.objects.get(slug="nanjing"), year=2023)
        after = CSRF.sub(b"", client.get(URL).content)
    assert after == before


def test_staff_who_see_drafts_see_how_many_but_not_their_figures(client, cities, reviewer_user):
    client.force_login(reviewer_user)
    content = client.get(URL).content.decode()
    assert 'data-drafts="1"' in content and "另有 1 个城市的报告仍为草稿" in content
    assert 'data-city="wuxi"' not in content and "987,654,321" not in content


def test_a_city_that_reported_a_dash_is_never_counted_as_zero(client, cities):
    nanjing = AnnualReport.private_objects.get(region__slug="nanjing", year=2023)
    with as_drafts(nanjing):
        Figure.private_objects.filter(report=nanjing, indicator__code=COUNT).update(value=None)
    content = client.get(URL).content.decode()
    assert total(content, COUNT) == ""  # no total, rather than Huai'an's alone
    assert "—" in row(content, COUNT)
    assert csv_rows(client)[COUNT]["total"] == ""


@pytest.mark.parametrize(
    "url",
    [
        "/reports/jiangsu/2022/",  # no published report that year
        "/reports/jiangsu/2022.csv",
        "/reports/jiangsu/1899/",  # out of range
        "/reports/jiangsu/9999.csv",
    ],
)
def test_a_year_without_a_published_report_is_a_404(client, url):
    assert client.get(url).status_code == 404


def test_a_year_with_drafts_only_is_a_404(client):
    make_report("nanjing", 2022, status=AnnualReport.Status.DRAFT, records=1)
    assert client.get("/reports/jiangsu/2022/").status_code == 404


def test_the_index_links_the_province_years(client):
    assert 'href="/reports/jiangsu/2023/"' in client.get("/").content.decode()


def test_the_page_speaks_chinese(client, cities):
    content = client.get(URL).content.decode()
    assert "各市并列对照" in content and "全省 13 个城市中已发布报告的有 2 个" in content
    assert "不按 0 计入" in content
    assert "全省合计（2 个城市）" in content
    assert "Province total" not in content and "side by side" not in content


def checks_cell(content, city):
    match = re.search(
        rf'<tr data-city="{city}">.*?<td class="num" data-discrepancies="(\d+)">'
        r'<a href="([^"]+)"',
        content,
        re.S,
    )
    assert match, city
    return int(match.group(1)), match.group(2)


def test_each_city_shows_how_many_discrepancies_its_checks_find(client, cities):
    from hotline.checks import check_report

    nanjing = AnnualReport.public_objects.get(region__slug="nanjing", year=2023)
    with as_drafts(nanjing):  # a broken sum: its own parts no longer add up to it
        Figure.private_objects.filter(report=nanjing, indicator__code=COUNT).update(value=1)
    content = client.get(URL).content.decode()
    for city in ("huaian", "nanjing"):
        report = AnnualReport.public_objects.get(region__slug=city, year=2023)
        found, link = checks_cell(content, city)
        assert found == len(check_report(report, drafts=False).discrepancies)
        assert link == f"/api/v1/reports/{city}/2023/checks/"
        assert len(client.get(link).json()["discrepancies"]) == found
    assert checks_cell(content, "nanjing")[0] > 0
    assert 'data-city="wuxi"' not in content  # a draft has no checks on the public page
