"""Every page reads a fixed number of queries, however many cities, years and records there are.

Anonymous visitors: no session or user query. Each count is listed query by query; the same
count must hold after more cities, years and records are added.
"""

import pytest

from hotline.models import PolicyDocument

from .factories import make_report

pytestmark = pytest.mark.django_db

FRESHNESS = 1  # the report, or the visible reports, with when their data last changed
CHECKS = 6  # rules, operands, last year's report, figures, appeal counts, record counts

PAGES = {
    # freshness; reports with their city; headline figures
    "/": FRESHNESS + 2,
    # freshness (the report); figures with indicators, tables, sections; TOP5 departments;
    # TOP5 categories; sharing requests + their recipients + methods; trend figures of the
    # city's years; the city's years; policy documents + their issuers; the workflow steps
    # (when published, whether corrected); and the figure checks' own CHECKS queries
    "/reports/huaian/2023/": FRESHNESS + 11 + CHECKS,
    # freshness; the city's reports; their figures with indicators, tables, sections
    "/reports/huaian/": FRESHNESS + 2,
    "/reports/huaian/indicators.csv": FRESHNESS + 2,
    # freshness; years; indicators for the choice; the compared figures with their cities
    "/compare/": FRESHNESS + 3,
    "/compare.json?year=2023&indicator=appeals.total.total": FRESHNESS + 3,
    # freshness; the table's figures; the figure checks
    "/reports/huaian/2023/tables/appeals/": FRESHNESS + 1 + CHECKS,
    "/reports/huaian/2023/tables/appeals.csv": FRESHNESS + 1 + CHECKS,
    "/reports/huaian/2023/tables/top5-departments/": FRESHNESS + 1,
    "/reports/huaian/2023/tables/top5-categories.xlsx": FRESHNESS + 1,
    # freshness; requests; recipients; methods
    "/reports/huaian/2023/tables/sharing-register/": FRESHNESS + 3,
    "/reports/huaian/2023/tables/sharing-register.json": FRESHNESS + 3,
    # freshness; documents; issuers
    "/reports/huaian/2023/tables/policy-documents/": FRESHNESS + 2,
    # freshness; episodes; their guests with departments
    "/reports/huaian/2022/tables/episodes/": FRESHNESS + 2,
    # freshness; filter choices (reports, departments); count; page; guests
    "/episodes/": FRESHNESS + 5,
    "/episodes.csv": FRESHNESS + 4,
    # freshness; filter choices (reports, departments, districts, methods); count; page;
    # recipients; methods
    "/data-sharing/": FRESHNESS + 8,
    "/data-sharing/?method=network": FRESHNESS + 8,
    "/data-sharing.xlsx": FRESHNESS + 7,
    # freshness; filter choices (reports, departments); count; page; issuers
    "/policies/": FRESHNESS + 5,
    "/policies.json": FRESHNESS + 4,
    # freshness; the record; its guests (episode) / recipients and methods / issuers
    "/reports/huaian/2022/episodes/1/": FRESHNESS + 2,
    "/reports/huaian/2023/data-sharing/7/": FRESHNESS + 3,
}


@pytest.fixture
def second_year():
    """2022 for Huai'an, with an episode, so that trends and episode pages have data."""
    return make_report("huaian", 2022, records=1)


def grow():
    make_report("nanjing", 2023, records=4)
    make_report("nanjing", 2022, records=4)
    make_report("huaian", 2021, records=4)
    make_report("wuxi", 2020, records=2)


@pytest.mark.parametrize(("url", "queries"), PAGES.items())
def test_each_page_reads_a_fixed_number_of_queries(
    client, django_assert_num_queries, second_year, url, queries
):
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    grow()
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_a_policy_page_reads_a_fixed_number_of_queries(client, django_assert_num_queries):
    document = PolicyDocument.objects.get(report__year=2023, order=1)
    url = f"/reports/huaian/2023/policies/{document.pk}/"
    with django_assert_num_queries(FRESHNESS + 2):  # the document; its issuers
        assert client.get(url).status_code == 200
    grow()
    with django_assert_num_queries(FRESHNESS + 2):
        assert client.get(url).status_code == 200


def test_a_repeat_visit_costs_one_query(client, django_assert_num_queries):
    etag = client.get("/reports/huaian/2023/")["ETag"]
    with django_assert_num_queries(FRESHNESS):
        response = client.get("/reports/huaian/2023/", headers={"if-none-match": etag})
    assert response.status_code == 304
