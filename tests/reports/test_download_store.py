"""Large downloads are written once per version to DOWNLOADS_DIR and sent from the file, by the
proxy when DOWNLOADS_ACCEL_REDIRECT is set (hotline.download_store)."""

import os

import pytest
from django.test import Client

from hotline import download_store
from reports.public_pages import PAGES

from .factories import make_report

pytestmark = pytest.mark.django_db

URL = "/data-sharing.csv"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def files(settings):
    return sorted(p.name for p in settings.DOWNLOADS_DIR.glob("*"))


def test_a_download_is_written_once_then_sent_from_its_file(
    client, settings, django_assert_num_queries
):
    with django_assert_num_queries(PAGES[URL]):
        first = client.get(URL)
        written = body(first)
    [name] = files(settings)
    assert name.startswith("data-sharing.") and name.endswith(".csv")
    # No query: the freshness remembered, no filter asked (so no filter's choices read), no
    # rows read: the file is sent
    with django_assert_num_queries(0):
        again = client.get(URL)
        assert body(again) == written
    assert int(again["Content-Length"]) == len(written)
    assert again["Content-Disposition"] == 'attachment; filename="data-sharing.csv"'
    # A value the filter does not know is ignored: the same file, not one per made-up value.
    # Checking it reads the one filter's choices (the reports, for the cities).
    with django_assert_num_queries(1):
        assert body(client.get(URL + "?city=nowhere&x=1")) == written
    assert files(settings) == [name]


def age(path, seconds):
    at = path.stat().st_mtime - seconds
    os.utime(path, (at, at))


def test_a_new_version_replaces_the_file_once_the_old_ones_readers_have_it(client, settings):
    before = body(client.get(URL))
    [old] = files(settings)
    make_report("nanjing", 2023)  # published: the register's version moves
    after = body(client.get(URL))
    assert "南京".encode() in after and after != before
    # A reader that found the old version a moment before, in another worker, still opens it.
    [new] = set(files(settings)) - {old}
    assert (settings.DOWNLOADS_DIR / old).read_bytes() == before
    # Superseded for long enough, it goes with the next write; the version just superseded stays.
    for name in (old, new):
        age(settings.DOWNLOADS_DIR / name, download_store.SUPERSEDED_SECONDS + 1)
    make_report("suzhou", 2023)
    assert "苏州".encode() in body(client.get(URL))
    [newest] = set(files(settings)) - {old, new}
    assert files(settings) == sorted([new, newest])


def test_the_proxy_sends_the_file_when_configured(client, settings):
    settings.DOWNLOADS_ACCEL_REDIRECT = "/_downloads/"
    for _visit in range(2):
        response = client.get(URL + "?method=network")
        assert response.status_code == 200 and response.content == b""
        [name] = files(settings)
        assert response["X-Accel-Redirect"] == f"/_downloads/{name}"
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert "X-Page-Cache" not in response  # a file of this host: never in a shared cache
    register = "/reports/huaian/2023/tables/sharing-register.xlsx"
    assert client.get(register)["X-Accel-Redirect"].endswith(".xlsx")


def test_staff_who_see_drafts_get_theirs_streamed_and_nothing_is_written(settings, reviewer_user):
    staff = Client()
    staff.force_login(reviewer_user)
    response = staff.get(URL)
    assert response.status_code == 200 and body(response)
    assert files(settings) == []
