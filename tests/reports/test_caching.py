"""Conditional GET: ETag and Last-Modified from what the page shows; 304 on a repeat visit."""

import pytest
from django.utils.http import parse_http_date

from hotline.models import AnnualReport, DataSharingRequest, Indicator, PolicyDocument

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


def test_last_modified_is_when_the_report_or_its_records_last_changed(client, report_2023):
    stamp = parse_http_date(client.get("/reports/huaian/2023/")["Last-Modified"])
    # Loading the fixtures recorded the requests' recipients and methods, and the documents'
    # issuers, in their history (a few milliseconds apart: any of them may be the last).
    changed = [
        model.history.filter(report_id=report_2023.pk).latest("history_date").history_date
        for model in (DataSharingRequest, PolicyDocument)
    ]
    expected = max(report_2023.updated_at, *changed)
    assert stamp == int(expected.timestamp())


def test_a_change_to_the_report_or_the_catalogue_changes_the_etag(client, report_2023):
    etag = client.get("/reports/huaian/2023/")["ETag"]
    report_2023.source = "更正后的来源"
    report_2023.save()
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


def test_the_etag_differs_by_language(client, settings):
    zh = client.get("/reports/huaian/2023/")["ETag"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = client.get("/reports/huaian/2023/")["ETag"]
    assert zh != en


def test_a_logged_in_reader_gets_a_private_copy(client, reviewer_user):
    client.force_login(reviewer_user)
    response = client.get("/reports/huaian/2023/")
    assert response["Cache-Control"] == "private, no-cache"
    assert AnnualReport.objects.get(year=2023).is_published
