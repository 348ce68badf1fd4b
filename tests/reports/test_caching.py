"""Conditional GET: ETag and Last-Modified from what the page shows; 304 on a repeat visit."""

import pytest
from django.utils.http import parse_http_date

from hotline.models import AnnualReport, Indicator
from hotline.services.reports import report_publish, report_reopen

from .factories import make_report

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/reports/huaian/2023/",
    "/reports/huaian/",
    "/compare/",
    "/data-sharing/",
    "/reports/huaian/2023/tables/appeals.csv",
    "/reports/huaian/2023/data-sharing/1/",
]


@pytest.mark.parametrize("url", PAGES)
def test_published_pages_are_cacheable_and_answer_304(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    assert "Cookie" in {v.strip() for v in response["Vary"].split(",")}
    assert response["ETag"] and response["Last-Modified"]
    again = client.get(url, headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304 and again.content == b""
    since = client.get(url, headers={"if-modified-since": response["Last-Modified"]})
    assert since.status_code == 304


def test_last_modified_is_when_the_city_or_the_reference_data_last_changed(
    client, report_2023, reviewer_user
):
    first = client.get("/reports/huaian/2023/")["Last-Modified"]
    report_reopen(report=report_2023, by=reviewer_user, reason="更正")
    report_publish(report=report_2023, by=reviewer_user, reason="已核对")
    stamp = parse_http_date(client.get("/reports/huaian/2023/")["Last-Modified"])
    assert stamp > parse_http_date(first) - 1
    published = AnnualReport.private_objects.get(pk=report_2023.pk).published_at
    assert abs(stamp - published.timestamp()) < 1


def test_a_correction_or_a_catalogue_edit_changes_the_etag(client, report_2023, reviewer_user):
    etag = client.get("/reports/huaian/2023/")["ETag"]
    report_reopen(report=report_2023, by=reviewer_user, reason="更正来源")
    report = AnnualReport.private_objects.get(pk=report_2023.pk)
    report.source = "更正后的来源"
    report.save()
    report_publish(report=report, by=reviewer_user, reason="已核对")
    changed = client.get("/reports/huaian/2023/", headers={"if-none-match": etag})
    assert changed.status_code == 200 and "更正后的来源" in changed.content.decode()

    etag = changed["ETag"]
    indicator = Indicator.objects.get(code="appeals.public.total")
    indicator.column_label = "诉求总数"
    indicator.save()  # a catalogue edit: the report itself is untouched
    relabelled = client.get("/reports/huaian/2023/", headers={"if-none-match": etag})
    assert relabelled.status_code == 200 and "诉求总数" in relabelled.content.decode()


def test_publishing_another_report_changes_the_index(client):
    etag = client.get("/")["ETag"]
    make_report("nanjing", 2023)
    assert client.get("/", headers={"if-none-match": etag}).status_code == 200


def test_withdrawing_a_report_changes_the_pages_about_every_city(
    client, report_2023, reviewer_user
):
    etag = client.get("/compare/")["ETag"]
    report_reopen(report=report_2023, by=reviewer_user, reason="更正")
    assert client.get("/compare/", headers={"if-none-match": etag}).status_code == 200


def test_the_etag_differs_by_language(client, settings):
    zh = client.get("/reports/huaian/2023/")["ETag"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = client.get("/reports/huaian/2023/")["ETag"]
    assert zh != en


def test_staff_who_see_drafts_get_a_private_copy_never_stored(client, reviewer_user):
    client.force_login(reviewer_user)
    response = client.get("/reports/huaian/2023/")
    assert response["Cache-Control"] == "private, no-store"
    assert "ETag" not in response and "X-Page-Cache" not in response


def test_other_signed_in_readers_get_the_public_page_privately(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader", is_staff=True))
    response = client.get("/reports/huaian/2023/")
    assert response["Cache-Control"] == "private, no-cache"
    assert response["ETag"]
