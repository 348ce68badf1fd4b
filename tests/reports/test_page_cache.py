"""The server-side page cache: keyed by what a page shows, so a correction is served at once.

In tests the cache is Django's local memory (no REDIS_URL); tests/reports/test_instances.py
runs two servers against one Redis.
"""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from hotline.models import AnnualReport, CheckRule, Figure
from hotline.services.reports import report_publish, report_reopen
from reports import caching
from reports.selectors import report_freshness

from .factories import make_report

pytestmark = pytest.mark.django_db

URL = "/reports/huaian/2023/"


def token():
    return report_freshness(AnonymousUser(), "huaian", 2023).token


def total(report) -> Figure:
    return report.figures.get(indicator__code="appeals.total.total")


def test_a_page_is_rendered_once_then_served_from_the_cache(client):
    first = client.get(URL)
    assert first["X-Page-Cache"] == "miss"
    again = client.get(URL)
    assert again["X-Page-Cache"] == "hit"
    assert again["ETag"] == first["ETag"]
    assert again["Content-Type"] == first["Content-Type"]
    assert again["Cache-Control"] == "public, max-age=300"
    csrf = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
    assert csrf.sub(b"", again.content) == csrf.sub(b"", first.content)


def test_the_key_changes_when_a_figure_changes(client, report_2023):
    before = token()
    client.get(URL)
    figure = total(report_2023)
    figure.value = Decimal(1450700)
    figure.save()
    assert token() != before
    corrected = client.get(URL)
    assert corrected["X-Page-Cache"] == "miss"
    assert "1,450,700" in corrected.content.decode()


def test_publishing_a_correction_is_served_at_once(client, report_2023, reviewer_user):
    client.get(URL)
    report_reopen(report=report_2023, by=reviewer_user, reason="更正诉求总量")
    assert client.get(URL).status_code == 404
    figure = total(report_2023)
    figure.value = Decimal(1450701)
    figure.save()
    report_publish(report=report_2023, by=reviewer_user, reason="与原文一致的差异")
    page = client.get(URL)
    assert page["X-Page-Cache"] == "miss" and "1,450,701" in page.content.decode()


def test_last_year_the_catalogue_and_the_rules_change_the_key(client):
    before = token()
    last_year = make_report("huaian", 2022, records=1)
    assert token() != before  # a new year of the city: trends and last year's figures

    before = token()
    figure = total(last_year)
    figure.value += 1
    figure.save()
    assert token() != before  # last year's figures: the year-on-year checks

    before = token()
    rule = CheckRule.objects.get(code="appeals.total.by_source")
    rule.active = False
    rule.save()
    assert token() != before  # the checks' footnotes


def test_another_citys_figures_leave_the_key_alone(client):
    nanjing = make_report("nanjing", 2022, records=1)
    before = token()
    figure = total(nanjing)
    figure.value += 1
    figure.save()
    assert token() == before


def test_drafts_staff_and_unknown_parameters_are_never_stored(client, reviewer_user, report_2023):
    assert "X-Page-Cache" not in client.get(URL + "?utm_source=mail")
    staff = Client()
    staff.force_login(reviewer_user)
    assert "X-Page-Cache" not in staff.get(URL)
    report_reopen(report=report_2023, by=reviewer_user, reason="检查")
    assert "X-Page-Cache" not in staff.get(URL)
    assert AnnualReport.objects.get(pk=report_2023.pk).status == "draft"


def test_a_cached_page_carries_the_readers_own_csrf_token():
    Client().get(URL)  # stored by another visitor
    reader = Client(enforce_csrf_checks=True)
    page = reader.get(URL)
    assert page["X-Page-Cache"] == "hit"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    switched = reader.post("/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": token})
    assert switched.status_code == 302


def test_a_cache_that_is_down_serves_the_page_uncached(client, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    response = client.get(URL)
    assert response.status_code == 200 and response["X-Page-Cache"] == "miss"


def test_the_cache_can_be_turned_off(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.get(URL)
    assert "X-Page-Cache" not in client.get(URL)


def test_keys_differ_by_version_url_and_language(rf):
    key = caching.page_key(rf.get(URL), "v1")
    assert key != caching.page_key(rf.get(URL), "v2")
    assert key != caching.page_key(rf.get(URL + "?page=2"), "v1")
    with translation.override("en"):
        assert key != caching.page_key(rf.get(URL), "v1")


def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]


def test_a_page_stored_by_another_process_is_served_from_the_shared_cache(client):
    client.get(URL)
    caching.recent.clear()  # as in another worker or instance: only the shared cache has it
    assert client.get(URL)["X-Page-Cache"] == "hit"


def test_each_process_keeps_only_its_last_pages():
    recent = caching.Recent(size=2)
    for key in "abc":
        recent.set(key, key)
    assert recent.get("a") is None and recent.get("c") == "c"


def test_the_freshness_is_the_same_with_or_without_prepared_statements(settings):
    prepared = report_freshness(AnonymousUser(), "huaian", 2023).token
    settings.DATABASE_PREPARED_STATEMENTS = False
    assert report_freshness(AnonymousUser(), "huaian", 2023).token == prepared
