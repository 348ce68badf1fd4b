"""Exact queries per request, the same with one report or many.

Anonymous: the cache version (1: the reports' timestamps, or the catalogue's last change) and
then the page: COUNT (page-number lists only) + the rows with their joins + one query per
prefetched relation. Figures add one query for last year's values of the whole page.
A reviewer with a token adds the token (1); on report records also their permissions (2:
user and group permissions), and, seeing drafts, gets no cache version (-1).
"""

import pytest

from .conftest import add_records
from .endpoints import DETAILS, LISTS, detail_urls

pytestmark = pytest.mark.django_db

ANONYMOUS_LIST = {
    "regions": 3,  # version, COUNT, rows with their parent
    "departments": 3,
    "sections": 3,
    "tables": 3,
    "indicators": 3,
    "appeal-categories": 3,
    "sharing-methods": 3,
    "reports": 3,
    "figures": 3,  # version, rows (cursor: no COUNT), last year's values
    "appeal-counts": 3,
    "top5": 3,  # version, COUNT, ranked rows (one window query)
    "episodes": 4,  # version, COUNT, rows, guests with their departments
    "sharing-requests": 4,  # version, rows (cursor), recipients, methods
    "policy-documents": 4,  # version, COUNT, rows, issuers
}
ANONYMOUS_DETAIL = {
    "regions": 2,  # version, the row
    "departments": 2,
    "sections": 2,
    "tables": 2,
    "indicators": 2,
    "appeal-categories": 2,
    "sharing-methods": 2,
    "reports": 2,
    "figures": 3,  # version, the row, last year's value
    "appeal-counts": 2,
    "episodes": 3,  # version, the row, guests
    "sharing-requests": 4,  # version, the row, recipients, methods
    "policy-documents": 3,  # version, the row, issuers
}
REFERENCE = {
    "regions",
    "departments",
    "sections",
    "tables",
    "indicators",
    "appeal-categories",
    "sharing-methods",
}


def reviewer_count(name, anonymous_count):
    if name in REFERENCE:
        return anonymous_count + 1  # + token
    return anonymous_count + 1 + 2 - 1  # + token + permissions - version


@pytest.fixture(params=["one report", "two cities and two years"])
def data(request, report_2023):
    if request.param == "one report":
        add_records(report_2023)
    else:
        request.getfixturevalue("more_data")
    return report_2023


@pytest.mark.parametrize("name", LISTS)
def test_list_queries(name, data, anonymous, reviewer, django_assert_num_queries):
    with django_assert_num_queries(ANONYMOUS_LIST[name]):
        assert anonymous.get(LISTS[name]).status_code == 200
    with django_assert_num_queries(reviewer_count(name, ANONYMOUS_LIST[name])):
        assert reviewer.get(LISTS[name]).status_code == 200


@pytest.mark.parametrize("name", DETAILS)
def test_detail_queries(name, data, anonymous, reviewer, django_assert_num_queries):
    url = detail_urls(data)[name]
    with django_assert_num_queries(ANONYMOUS_DETAIL[name]):
        assert anonymous.get(url).status_code == 200
    with django_assert_num_queries(reviewer_count(name, ANONYMOUS_DETAIL[name])):
        assert reviewer.get(url).status_code == 200


def test_a_page_of_figures_costs_the_same_as_one_figure(data, anonymous, django_assert_num_queries):
    with django_assert_num_queries(3):
        response = anonymous.get("/api/v1/figures/?page_size=1000")
    assert len(response.json()["results"]) >= 122


def test_a_304_costs_one_query(data, anonymous, django_assert_num_queries):
    etag = anonymous.get(LISTS["figures"])["ETag"]
    with django_assert_num_queries(1):
        response = anonymous.get(LISTS["figures"], HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
