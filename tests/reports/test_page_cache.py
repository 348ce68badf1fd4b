"""The server-side page cache: keyed by what a page shows, so a correction is served at once.

In tests the cache is Django's local memory (no REDIS_URL); tests/reports/test_instances.py
runs two servers against one Redis.
"""

import re
import threading
import time
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.http import http_date

from hotline import caching, freshness
from hotline.models import AnnualReport, CheckRule, Figure, PublishedVersion, ReportLocked
from hotline.services.reports import report_publish, report_reopen
from tests.hotline.factories import make_method

from .factories import make_report

pytestmark = pytest.mark.django_db

URL = "/reports/huaian/2023/"


def token():
    return freshness.read(freshness.report_scopes("huaian")).token


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


def test_a_published_figure_cannot_change_behind_the_pages_back(client, report_2023):
    before = token()
    client.get(URL)
    figure = total(report_2023)
    figure.value = Decimal(1450700)
    with pytest.raises(ReportLocked):
        figure.save()
    assert token() == before
    assert client.get(URL)["X-Page-Cache"] == "hit"


def test_publishing_a_correction_is_served_at_once(client, report_2023, reviewer_user):
    client.get(URL)
    report_reopen(report=report_2023, by=reviewer_user, reason="更正诉求总量")
    assert client.get(URL).status_code == 404
    report_2023.refresh_from_db()
    figure = total(report_2023)
    figure.value = Decimal(1450701)
    figure.save()
    report_publish(report=report_2023, by=reviewer_user, reason="与原文一致的差异")
    page = client.get(URL)
    assert page["X-Page-Cache"] == "miss" and "1,450,701" in page.content.decode()


def test_last_year_the_catalogue_and_the_rules_change_the_key(client, reviewer_user):
    before = token()
    last_year = make_report("huaian", 2022, records=1)
    assert token() != before  # a new published year of the city: trends and the checks

    before = token()
    report_reopen(report=last_year, by=reviewer_user, reason="更正")
    assert token() != before  # last year withdrawn: the year-on-year checks change

    before = token()
    rule = CheckRule.objects.get(code="appeals.total.by_source")
    rule.active = False
    rule.save()
    assert token() != before  # the checks' footnotes


def test_another_citys_publication_and_drafts_leave_the_key_alone(client, reviewer_user):
    nanjing = make_report("nanjing", 2022, status=AnnualReport.Status.DRAFT, records=1)
    draft = make_report("huaian", 2024, status=AnnualReport.Status.DRAFT, records=1)
    before = token()
    report_publish(report=nanjing, by=reviewer_user, reason="测试数据")
    figure = total(draft)
    figure.value += 1
    figure.save()
    assert token() == before


SCOPES = (
    freshness.REFERENCE,
    freshness.REPORTS,
    freshness.city("huaian"),
    freshness.city("nanjing"),
)


def moved(before) -> set[str]:
    """The scopes of `before` (scope → token) whose version has moved since."""
    return {scope for scope, was in before.items() if freshness.read([scope]).token != was}


def versions() -> dict[str, str]:
    return {scope: freshness.read([scope]).token for scope in SCOPES}


def test_a_database_without_versions_yet_has_a_steady_key_and_no_date():
    PublishedVersion.objects.all().delete()  # as before the first load of any data
    first = freshness.read(freshness.SITE_SCOPES)
    assert freshness.read(freshness.SITE_SCOPES) == first
    assert first.last_modified is None
    freshness.changed(freshness.REPORTS)
    after = freshness.read(freshness.SITE_SCOPES)
    assert after.token != first.token and after.last_modified is not None


def test_two_changes_in_one_tick_of_the_clock_are_two_versions(monkeypatch):
    moment = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: moment)  # a coarse clock, or one set back
    freshness.changed(freshness.city("huaian"))
    once = token()
    freshness.changed(freshness.city("huaian"))
    assert token() != once


def test_a_bulk_load_moves_every_scope_a_city_never_seen_included():
    PublishedVersion.objects.filter(scope=freshness.city("nanjing")).delete()
    before = versions()
    freshness.everything_changed()
    assert moved(before) == set(SCOPES)
    assert freshness.read([freshness.city("nanjing")]).last_modified is not None


def test_demo_data_written_in_bulk_moves_its_cities_and_the_site_only():
    before = versions()
    freshness.cities_changed(["nanjing"])
    assert moved(before) == {freshness.REPORTS, freshness.city("nanjing")}


@pytest.fixture
def reference_receivers_unconnected():
    """The reference receivers as a process has them before its apps are ready: none."""
    for model in freshness.REFERENCE_MODELS:
        post_save.disconnect(freshness._reference_changed, sender=model)
        post_delete.disconnect(freshness._reference_changed, sender=model)
    yield
    freshness.connect_receivers()


def test_reference_edits_move_the_version_once_however_often_the_apps_start(
    reference_receivers_unconnected, django_user_model
):
    freshness.connect_receivers()
    freshness.connect_receivers()  # Django may run an app's ready() more than once
    table = PublishedVersion._meta.db_table
    before = versions()
    with CaptureQueriesContext(connection) as queries:
        method = make_method()
    assert sum(table in query["sql"] for query in queries) == 1
    assert moved(before) == {freshness.REFERENCE}
    before = versions()
    method.delete()
    assert moved(before) == {freshness.REFERENCE}
    before = versions()
    reader = django_user_model.objects.create_user("reader")  # not data the public sees
    reader.delete()
    assert moved(before) == set()


def test_drafts_and_staff_are_never_stored(client, reviewer_user, report_2023):
    staff = Client()
    staff.force_login(reviewer_user)
    assert "X-Page-Cache" not in staff.get(URL)
    report_reopen(report=report_2023, by=reviewer_user, reason="检查")
    assert "X-Page-Cache" not in staff.get(URL)
    assert AnnualReport.private_objects.get(pk=report_2023.pk).status == "draft"


def test_unknown_parameters_do_not_buy_an_uncached_render(client):
    assert client.get(URL)["X-Page-Cache"] == "miss"
    for query in ("?x=1", "?utm_source=mail&soak=2", "?page=7"):
        response = client.get(URL + query)
        assert response.status_code == 200 and response["X-Page-Cache"] == "hit", query


def test_a_list_keeps_the_parameters_it_reads_and_drops_the_others_from_its_links(client):
    first = client.get("/data-sharing/?zz=evil&year=2023&page=1")
    assert first["X-Page-Cache"] == "miss" and b"evil" not in first.content
    assert client.get("/data-sharing/?page=1&year=2023")["X-Page-Cache"] == "hit"
    assert client.get("/data-sharing/?year=2022&page=1")["X-Page-Cache"] == "miss"
    assert client.get("/compare/?year=2023&indicator=appeals.total.total&x=1").status_code == 200
    assert client.get("/compare/?indicator=appeals.total.total&year=2023")["X-Page-Cache"] == "hit"


def test_one_render_of_a_page_at_a_time_the_others_wait_for_its_copy(rf, monkeypatch):
    monkeypatch.setattr(caching, "RENDER_POLL_SECONDS", 0.01)
    renders, started = [], threading.Event()

    def render():
        renders.append(1)
        started.set()
        time.sleep(0.5)
        return HttpResponse(b"page")

    def visit(results):
        results.append(
            caching.fetch_or_render(rf.get(URL), caching.page_key(rf.get(URL), "v1"), render)
        )

    results = []
    first = threading.Thread(target=visit, args=(results,))
    first.start()
    started.wait(5)
    others = [threading.Thread(target=visit, args=(results,)) for _ in range(3)]
    for thread in others:
        thread.start()
    for thread in [first, *others]:
        thread.join()
    assert len(renders) == 1
    assert sorted(r["X-Page-Cache"] for r in results) == ["hit", "hit", "hit", "miss"]
    assert all(r.content == b"page" for r in results)


def test_a_render_that_stores_nothing_releases_the_waiters(rf, monkeypatch):
    monkeypatch.setattr(caching, "RENDER_POLL_SECONDS", 0.01)
    cache.add("render:" + caching.page_key(rf.get(URL), "v1"), 1, 60)  # another's render
    threading.Timer(0.2, cache.clear).start()  # ... that ends with a 404: nothing stored
    response = caching.fetch_or_render(
        rf.get(URL), caching.page_key(rf.get(URL), "v1"), lambda: HttpResponse(b"mine")
    )
    assert response.content == b"mine" and response["X-Page-Cache"] == "miss"


def test_a_stored_page_with_a_form_carries_each_readers_own_csrf_token(rf):
    """No public page posts a form today (the language switch needs no token); should one,
    no reader may ever be served another's token, which reveals its secret."""
    from django.middleware.csrf import CsrfViewMiddleware, _unmask_cipher_token, get_token

    def page(request):
        token = get_token(request)
        return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{token}">'.encode())

    def served(request):
        CsrfViewMiddleware(lambda r: None).process_request(request)
        response = caching.fetch_or_render(
            request, caching.page_key(request, "v1"), lambda: page(request)
        )
        return response, request.META["CSRF_COOKIE"]

    stored, first_secret = served(rf.get(URL))
    hit, second_secret = served(rf.get(URL))
    assert (stored["X-Page-Cache"], hit["X-Page-Cache"]) == ("miss", "hit")
    token = re.search(rb'value="([^"]+)"', hit.content)[1].decode()
    assert _unmask_cipher_token(token) == second_secret != first_secret


def test_an_anonymous_hit_is_sent_with_the_headers_made_for_the_first(client, monkeypatch):
    """A stored page's public headers (its ETag, Last-Modified, Cache-Control, Vary) are the
    same for every anonymous reader of that version: made once, on its first hit."""
    client.get(URL)
    first = client.get(URL)
    made = []
    monkeypatch.setattr(caching, "patch_cache_control", lambda *args, **kw: made.append(args))
    monkeypatch.setattr(caching, "http_date", lambda *args: made.append(args))
    again = client.get(URL)
    assert made == [] and again["X-Page-Cache"] == "hit"
    for header in ("ETag", "Last-Modified", "Cache-Control", "Vary", "Content-Type"):
        assert again[header] == first[header], header


def test_a_hit_without_a_session_cookie_opens_no_session(client, django_user_model, settings):
    """No one is signed in to a site request without the session cookie: its user is not read
    (a session opened, the response marked Vary: Cookie once more: about 5 % of a hit). One
    with the cookie is: a signed-in reader's, and a stale cookie's, which is anonymous."""
    client.get(URL)
    hit = client.get(URL)
    assert hit["X-Page-Cache"] == "hit" and not hit.wsgi_request.session.accessed
    assert "Cookie" in hit["Vary"]  # as every public answer varies (hotline.caching.respond)
    client.cookies[settings.SESSION_COOKIE_NAME] = "stale"
    stale = client.get(URL)
    assert stale.wsgi_request.session.accessed and stale["Cache-Control"] == "public, max-age=300"
    reader = Client()
    reader.force_login(django_user_model.objects.create_user("reader", is_staff=True))
    assert reader.get(URL)["Cache-Control"] == "private, no-cache"


def test_a_signed_in_reader_is_never_sent_the_anonymous_readers_headers(client, django_user_model):
    client.get(URL)
    client.get(URL)  # the anonymous readers' headers made
    reader = Client()
    reader.force_login(django_user_model.objects.create_user("reader", is_staff=True))
    hit = reader.get(URL)
    assert hit["X-Page-Cache"] == "hit" and hit["Cache-Control"] == "private, no-cache"
    assert client.get(URL)["Cache-Control"] == "public, max-age=300"


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


def test_a_hit_reads_the_versions_in_one_query_built_once(client, compiled, settings):
    """Without a shared cache or the signal file (several machines, no Redis), a hit reads the
    versions from the database: one query, whose SQL the ORM built once rather than on every
    hit (as long as the rest of the hit took)."""
    settings.FRESHNESS_SIGNAL_FILE = ""
    client.get(URL)
    compiled["read"].clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response["X-Page-Cache"] == "hit"
    assert len(queries) == 1 and "published" in queries[0]["sql"].lower()
    assert compiled["read"] == []
    stored = PublishedVersion.objects.filter(scope__in=freshness.report_scopes("huaian"))
    changed = max(stored.values_list("changed_at", flat=True))
    assert response["Last-Modified"] == http_date(changed.timestamp())


def test_a_hit_reads_the_versions_of_what_it_shows_only(client, settings):
    """Not every city's: SQLite parses each fetched row's time, a tenth of a hit at 13 cities.
    The query built for two scopes serves any two, each read with its own."""
    settings.FRESHNESS_SIGNAL_FILE = ""  # as above
    for slug in ("nanjing", "wuxi"):
        freshness.changed(freshness.city(slug))
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL)["X-Page-Cache"] == "hit"
    (query,) = queries
    assert "huaian" in query["sql"] and "nanjing" not in query["sql"]
    stored = freshness._stored_versions(freshness.report_scopes("nanjing"))
    assert set(stored) == {freshness.city("nanjing"), freshness.REFERENCE}
    assert stored[freshness.city("nanjing")][0] == (
        PublishedVersion.objects.get(scope=freshness.city("nanjing")).token
    )


def test_scopes_named_twice_read_as_named_once():
    """A query whose parameters are not the scopes as given (the ORM drops a repeat) is run
    with its own parameters, and not kept for others."""
    huaian = freshness.city("huaian")
    assert freshness._stored_versions([freshness.REFERENCE, huaian, freshness.REFERENCE]) == (
        freshness._stored_versions([freshness.REFERENCE, huaian])
    )


def test_a_page_stored_by_another_process_is_served_from_the_shared_cache(client):
    client.get(URL)
    caching.recent.clear()  # as in another worker or instance: only the shared cache has it
    assert client.get(URL)["X-Page-Cache"] == "hit"


def test_each_process_keeps_only_its_last_pages():
    recent = caching.Recent(size=2)
    for key in "abc":
        recent.set(key, key)
    assert recent.get("a") is None and recent.get("c") == "c"
