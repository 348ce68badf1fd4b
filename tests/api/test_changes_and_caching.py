"""The change computed from last year, and conditional GET on published data."""

import pytest
from django.test import override_settings

from hotline.models import AnnualReport, Figure, Indicator
from hotline.services.reports import report_publish, report_reopen

from .endpoints import LISTS, results

pytestmark = pytest.mark.django_db

RATE = "calls.inbound.answer_rate_30s"
TOTAL = "appeals.public.total"


def figures(client, query):
    return {row["indicator"]: row for row in results(client.get(f"/api/v1/figures/?{query}"))}


def test_the_change_is_computed_from_last_years_stored_report(anonymous, more_data):
    rows = figures(anonymous, f"city=huaian&year=2023&indicator={RATE},{TOTAL}")
    assert rows[RATE]["computed_change"] == "11.80"  # 92.30 − 80.50 percentage points
    assert rows[RATE]["printed_change"] == "18.14"  # as published, whatever the arithmetic
    assert rows[TOTAL]["computed_change"] == "143774.60"  # (1438746 − 1000) / 1000, in %
    assert figures(anonymous, f"city=wuxi&indicator={RATE}")[RATE]["computed_change"] is None


def test_a_computed_change_never_reads_a_draft(anonymous, reviewer, more_data):
    _, earlier = more_data
    AnnualReport.private_objects.filter(pk=earlier.pk).update(status=AnnualReport.Status.DRAFT)
    query = f"city=huaian&year=2023&indicator={RATE}"
    assert figures(anonymous, query)[RATE]["computed_change"] is None
    assert figures(reviewer, query)[RATE]["computed_change"] == "11.80"


def test_last_years_values_are_read_by_a_query_compiled_once(
    anonymous, reviewer, more_data, compiled
):
    """api.changes: one query compiled once for everyone (hotline.reading.ByKeys), a draft's
    values dropped for the public after it is read; building it through the ORM on each page
    of the list took a quarter of an uncached page."""
    _, earlier = more_data
    query = f"city=huaian&year=2023&indicator={RATE}"
    assert figures(anonymous, query)[RATE]["computed_change"] == "11.80"
    AnnualReport.private_objects.filter(pk=earlier.pk).update(status=AnnualReport.Status.DRAFT)
    compiled["read"].clear()
    assert figures(reviewer, query)[RATE]["computed_change"] == "11.80"
    assert compiled["read"].count(Figure) == 1  # the page's own query, not last year's
    uncached = f"city=huaian&year=2023&indicator={RATE},{TOTAL}"  # not in the page cache
    assert figures(anonymous, uncached)[RATE]["computed_change"] is None


def test_published_data_answers_304_when_unchanged(anonymous):
    first = anonymous.get(LISTS["figures"])
    assert first.status_code == 200
    assert first["Cache-Control"] == "public, max-age=300"
    assert first["Last-Modified"]
    again = anonymous.get(LISTS["figures"], HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"] and not again.content
    since = anonymous.get(LISTS["figures"], HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304


@pytest.mark.parametrize("name", LISTS)
def test_every_list_has_validators_for_the_public(anonymous, name):
    response = anonymous.get(LISTS[name])
    assert response["ETag"]
    assert anonymous.get(LISTS[name], HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_the_etag_differs_by_format_and_query(anonymous):
    json_etag = anonymous.get(LISTS["figures"])["ETag"]
    assert anonymous.get(LISTS["figures"] + "?format=csv")["ETag"] != json_etag
    assert anonymous.get(LISTS["figures"] + "?year=2023")["ETag"] != json_etag


def test_republishing_changes_the_etag(anonymous, report_2023, reviewer_user):
    etag = anonymous.get(LISTS["figures"])["ETag"]
    report_reopen(report=report_2023, by=reviewer_user, reason="更正")
    report_publish(report=report_2023, by=reviewer_user, reason="按印发原文")
    response = anonymous.get(LISTS["figures"], HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_a_catalogue_correction_changes_the_etag(anonymous):
    etag = anonymous.get(LISTS["figures"])["ETag"]
    indicator = Indicator.objects.get(code=RATE)
    indicator.column_label_en = "Answered within 30 seconds"
    indicator.save()  # as the admin does, with a history row
    assert anonymous.get(LISTS["figures"], HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_staff_who_see_drafts_get_no_validators(reviewer, draft_2024):
    for name in ("figures", "regions"):
        response = reviewer.get(LISTS[name])
        assert "ETag" not in response and "X-Page-Cache" not in response
        assert response["Cache-Control"] == "private, no-store"


def test_cache_control_follows_the_setting(anonymous):
    with override_settings(PUBLIC_CACHE_MAX_AGE=60):
        assert anonymous.get(LISTS["regions"])["Cache-Control"] == "public, max-age=60"
