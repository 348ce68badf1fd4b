"""The versions of published data are kept where a cached page and a 304 find them without a
query: in the cache every process shares (Redis), or, without one, in each process's memory,
told of a change by the signal file (hotline.freshness). Either way a correction is served as
soon as it commits (two instances: tests/reports/test_instances.py with Redis,
tests/reports/test_freshness_signal.py on one machine)."""

import time
from decimal import Decimal

import pytest
from django.test import override_settings

from hotline import freshness
from hotline.models import PublishedVersion
from hotline.services.reports import report_publish, report_reopen

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("report_2023")]

URL = "/reports/huaian/2023/"


@pytest.fixture(autouse=True, params=["shared cache", "signal file"])
def _versions_kept(request, settings):
    assert settings.FRESHNESS_SIGNAL_FILE  # the tests' own (tests/conftest.py)
    with override_settings(FRESHNESS_IN_CACHE=request.param == "shared cache"):
        yield


def test_a_cached_page_and_a_304_run_no_query(client, django_assert_num_queries):
    first = client.get(URL)
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        assert client.get(URL)["X-Page-Cache"] == "hit"
    with django_assert_num_queries(0):
        again = client.get(URL, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304


def test_a_correction_is_served_once_it_commits(
    client, report_2023, reviewer_user, django_capture_on_commit_callbacks
):
    before = client.get(URL)
    assert "1,438,746" in before.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        report_reopen(report=report_2023, by=reviewer_user, reason="correct the total")
        figure = report_2023.figures.get(indicator__code="appeals.total.total")
        figure.value = Decimal(1450799)
        figure.save()
        report_publish(report=report_2023, by=reviewer_user, reason="as printed, corrected")
    after = client.get(URL)
    assert after["ETag"] != before["ETag"]
    assert "1,450,799" in after.content.decode()


def test_a_write_rolled_back_keeps_the_version(client, report_2023, reviewer_user):
    from django.db import transaction

    before = client.get(URL)["ETag"]
    with pytest.raises(RuntimeError), transaction.atomic():
        report_reopen(report=report_2023, by=reviewer_user, reason="changed my mind")
        raise RuntimeError
    assert client.get(URL)["ETag"] == before


def test_a_reader_that_raced_a_write_is_corrected_within_the_versions_lifetime(monkeypatch):
    monkeypatch.setattr(freshness, "VERSION_SECONDS", 0.5)
    scopes = freshness.report_scopes("huaian")
    before = freshness.read(scopes)  # kept in the cache
    # A write that committed, and deleted the kept versions, between this reader's query and
    # its cache.add(): the cache still holds the old version, for VERSION_SECONDS at most.
    PublishedVersion.objects.filter(scope=freshness.city("huaian")).update(token="f" * 32)
    assert freshness.read(scopes) == before
    time.sleep(0.6)
    assert freshness.read(scopes).token != before.token
