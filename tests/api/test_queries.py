"""Exact queries per request, the same with one report or many.

Anonymous: the freshness of what the answer shows (1) and then the page: COUNT (page-number
lists only) + the rows with their joins + one query per prefetched relation. Figures add one
query for last year's values of the whole page. A reviewer with a token adds the token (1) and
their permissions (2: user and group permissions), and, seeing drafts, gets an answer of their
own: no freshness (-1).
"""

import pytest
from django.conf import settings
from django.db import connection

from hotline import freshness
from reports.public_pages import (
    API_QUERIES,
    CATALOGUE,
    CHECKS,
    CITIES_FRESHNESS,
    INDICATORS,
    api_detail_urls,
)

from .conftest import add_records
from .endpoints import DETAILS, LISTS

pytestmark = pytest.mark.django_db


def reviewer_count(name, anonymous_count, kept=0):
    return anonymous_count + 1 + 2 - 1 - kept  # + token + permissions - freshness - kept


@pytest.fixture(params=["one report", "two cities and two years"])
def data(request, report_2023):
    if request.param == "one report":
        add_records(report_2023)
    else:
        request.getfixturevalue("more_data")
    freshness.forget_remembered()  # as once the writes have committed
    return report_2023


@pytest.mark.parametrize("name", LISTS)
def test_list_queries(name, data, anonymous, reviewer, django_assert_num_queries):
    queries, _detail = API_QUERIES[name]  # an anonymous client's, listed query by query
    with django_assert_num_queries(queries):
        assert anonymous.get(LISTS[name]).status_code == 200
    kept = CATALOGUE if name == "figures" else 0  # the catalogue's words, read by the first
    with django_assert_num_queries(reviewer_count(name, queries, kept)):
        assert reviewer.get(LISTS[name]).status_code == 200


@pytest.mark.parametrize("name", DETAILS)
def test_detail_queries(name, data, anonymous, reviewer, django_assert_num_queries):
    url = api_detail_urls(data)[name]
    _list, queries = API_QUERIES[name]
    with django_assert_num_queries(queries):
        assert anonymous.get(url).status_code == 200
    with django_assert_num_queries(reviewer_count(name, queries)):
        assert reviewer.get(url).status_code == 200


def test_a_page_of_figures_costs_the_same_as_one_figure(data, anonymous, django_assert_num_queries):
    with django_assert_num_queries(3 + CATALOGUE):
        response = anonymous.get("/api/v1/figures/?page_size=1000")
    assert len(response.json()["results"]) >= 122


def test_a_304_costs_no_query(data, anonymous, django_assert_num_queries):
    etag = anonymous.get(LISTS["figures"])["ETag"]
    with django_assert_num_queries(0):  # the version remembered (hotline.freshness)
        response = anonymous.get(LISTS["figures"], HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304


# version; the report with its city; the figure checks, kept by that version
# (reports/public_pages.py: CHECKS)
CHECKS_QUERIES = 1 + 1 + CHECKS + INDICATORS


def test_the_checks_cost_the_same_whatever_the_data(data, anonymous, django_assert_num_queries):
    with django_assert_num_queries(CHECKS_QUERIES):
        response = anonymous.get("/api/v1/reports/huaian/2023/checks/")
    assert response.status_code == 200
    assert response.json()["checks_made"] > 0


# version; the province with how many cities it has; its published reports of the year; their
# figures; the versions of the cities' data and the figure checks of all of them at once
# (reports/public_pages.py: CITIES_FRESHNESS, CHECKS)
PROVINCE_QUERIES = 1 + 3 + INDICATORS + CITIES_FRESHNESS + CHECKS


def test_the_province_costs_the_same_whatever_the_data(
    data, anonymous, reviewer, django_assert_num_queries
):
    with django_assert_num_queries(PROVINCE_QUERIES):
        response = anonymous.get("/api/v1/provinces/jiangsu/2023/")
    assert response.status_code == 200
    assert response.json()["reports"][0]["discrepancies"] >= 0
    # A reviewer is served afresh: token and permissions; the province, its published reports,
    # their figures; the count of drafts; the checks' results are the ones kept for the
    # anonymous answer, by the versions of the cities' data (remembered since).
    with django_assert_num_queries(1 + 2 + 3 + 1):
        assert reviewer.get("/api/v1/provinces/jiangsu/2023/").json()["drafts"] == 0


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL only: SQLite plans on the client"
)
@pytest.mark.skipif(
    settings.DATABASE_PREPARE_THRESHOLD == "off", reason="DATABASE_PREPARE_THRESHOLD=off"
)
def test_a_list_asked_again_and_again_is_planned_once_per_connection(
    report_2023, anonymous, settings
):
    """Its join is prepared on the server (DATABASE_PREPARE_THRESHOLD) and then only executed
    (planning it took about 1.4 ms of each request when it joined the catalogue too)."""
    settings.PAGE_CACHE_SECONDS = 0  # every request reads the database
    add_records(report_2023)
    threshold = int(settings.DATABASE_PREPARE_THRESHOLD)
    asked = threshold + 2
    for _request in range(asked):
        assert anonymous.get(LISTS["figures"]).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans + custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            ['%"hotline_figure"."note" AS "note"%FROM "hotline_figure"%LIMIT 101'],
        )
        [(executed,)] = cursor.fetchall()
    # run as sent until the threshold, prepared then, and since then only executed
    assert executed == asked - threshold
