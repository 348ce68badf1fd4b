"""Every page reads a fixed number of queries, however many cities, years and records there are.

The pages and their counts, query by query, are in reports/public_pages.py (`make bench`
measures the same list). Anonymous visitors: no session or user query.
"""

import pytest
from django.test import override_settings

from reports.public_pages import (
    CHECKS,
    FRESHNESS,
    INDICATORS,
    OWN_RECORDS,
    PAGES,
    api_details,
    policy_page,
    read,
)

from .factories import make_report

pytestmark = pytest.mark.django_db


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
        assert read(client, url).status_code == 200
    grow()
    with django_assert_num_queries(queries):
        assert read(client, url).status_code == 200


def test_a_policy_page_reads_a_fixed_number_of_queries(client, django_assert_num_queries):
    url, queries = policy_page()
    with django_assert_num_queries(queries):
        assert read(client, url).status_code == 200
    grow()
    with django_assert_num_queries(queries):
        assert read(client, url).status_code == 200


def test_the_apis_answers_about_one_record_read_a_fixed_number_of_queries(
    client, django_assert_num_queries, second_year
):
    urls = api_details()
    assert "/api/v1/reports/huaian/2023/checks/" in urls and len(urls) == 14
    for url, queries in urls.items():
        with django_assert_num_queries(queries):
            assert read(client, url).status_code == 200, url
    grow()
    for url, queries in urls.items():
        with django_assert_num_queries(queries):
            assert read(client, url).status_code == 200, url


def test_a_reports_page_rendered_again_reads_only_what_is_not_kept_per_version(
    client, django_assert_num_queries, second_year
):
    """Rendered again rather than served from the page cache (as for staff, or with the page
    cache off), a published report's page reads its own records (rankings, register, policy
    documents, workflow steps), figure checks, figures and body once per version of its data,
    and its versions and indicators once per process: what is left is the report with its
    city's years, and the trends (which staff may see with drafts)."""
    url = "/reports/huaian/2023/"
    assert read(client, url).status_code == 200
    figures = 1
    kept = FRESHNESS + INDICATORS + OWN_RECORDS + CHECKS + figures
    with override_settings(PAGE_CACHE_SECONDS=0), django_assert_num_queries(PAGES[url] - kept):
        assert client.get(url).status_code == 200


def test_a_render_whose_body_is_kept_reads_only_what_its_header_needs(client, monkeypatch):
    """With the body's HTML kept, a render reads the body, the figure checks (whether staff
    compare with a draft) and the workflow steps from the cache, never the records the body
    was made from (the TOP5s, the register, the policy documents: the largest entry)."""
    from django.core.cache import cache

    url = "/reports/huaian/2023/"
    assert read(client, url).status_code == 200
    read_keys = []
    get = cache.get
    monkeypatch.setattr(
        cache, "get", lambda key, *a, **k: read_keys.append(key) or get(key, *a, **k)
    )
    with override_settings(PAGE_CACHE_SECONDS=0):
        assert client.get(url).status_code == 200
    names = sorted(key.split(":")[0] for key in read_keys)
    assert names == ["checks", "report-body", "report-corrections"]


def test_a_repeat_visit_costs_no_query(client, django_assert_num_queries):
    """The versions of what a page shows are remembered by the process (hotline.freshness)."""
    etag = client.get("/reports/huaian/2023/")["ETag"]
    with django_assert_num_queries(0):
        response = client.get("/reports/huaian/2023/", headers={"if-none-match": etag})
    assert response.status_code == 304


@pytest.mark.parametrize("url", ["/", "/reports/huaian/2023/", "/data-sharing/?method=network"])
def test_a_page_from_the_page_cache_costs_no_query(client, django_assert_num_queries, url):
    assert client.get(url)["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        assert client.get(url)["X-Page-Cache"] == "hit"


def test_without_the_signal_file_a_cached_page_costs_the_versions_query(
    client, django_assert_num_queries, settings
):
    """FRESHNESS_SIGNAL_FILE=off (several machines, no Redis): the versions on each request."""
    settings.FRESHNESS_SIGNAL_FILE = ""
    assert client.get("/")["X-Page-Cache"] == "miss"
    with django_assert_num_queries(FRESHNESS):
        assert client.get("/")["X-Page-Cache"] == "hit"


def test_every_page_reads_as_many_queries_at_1_city_as_at_n_cities_by_m_years(client):
    """The benchmark's measure, small: generate_demo's data rather than the factories'."""
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.public_pages import every_page

    def counts():
        found = {}
        for url in every_page():
            with CaptureQueriesContext(connection) as queries:
                assert read(client, url).status_code == 200, url
            found[url] = len(queries)
        return found

    options = {"sharing_requests": 60, "seed": 3, "verbosity": 0}
    call_command("generate_demo", cities="huaian", years=1, until=2022, **options)
    one_city = counts()
    call_command("generate_demo", cities="huaian,nanjing,wuxi", years=3, until=2023, **options)
    assert counts() == one_city == every_page()


def test_a_reviewer_reads_the_report_page_with_only_who_they_are_more(
    client, reviewer_user, django_assert_num_queries, second_year
):
    """Signed in, a reviewer's page reads what a visitor's does and who they are: their
    session, their user and their permissions (two); staff are never served from the cache,
    and their page reads the versions once, as the visitor's does (the figure checks' key,
    then remembered). Last year's report, which the figure checks ask about when it may
    be a draft, is among the city's reports the page has read already: no query of its own."""
    url = "/reports/huaian/2023/"
    who = 4  # session, user, the user's and their groups' permissions
    client.force_login(reviewer_user)
    with django_assert_num_queries(PAGES[url] + who):
        assert read(client, url).status_code == 200
    grow()
    with django_assert_num_queries(PAGES[url] + who):
        assert read(client, url).status_code == 200
