"""A long workbook asked for by staff who see drafts is written by a job too, into a file of
that reader's own: it held a web worker for the whole register's 15 s (31 s on a slow
machine), and what it holds (drafts) may be sent to no one else. 202 生成中 leads to
/downloads/<key>/, which only that reader can open, once the job has written it."""

import os

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from hotline import download_store
from hotline.models import AnnualReport, DataSharingRequest
from hotline.services.reports import report_reopen

from ..jobs import body, read_privately, run_queued_tasks
from .test_list_workbook_job import sheets

pytestmark = pytest.mark.django_db

LIST = "/data-sharing.xlsx"


@pytest.fixture
def draft_register(settings, reviewer_user):
    """Huai'an 2023 reopened: its register is a draft's, which only staff see; long here."""
    report = AnnualReport.private_objects.get(region__slug="huaian", year=2023)
    report_reopen(report=report, by=reviewer_user, reason="更正")
    register = DataSharingRequest.private_objects.filter(report=report).count()
    settings.DOWNLOAD_BACKGROUND_ROWS = register - 1
    return register


@pytest.fixture
def clerk(data_entry_user):
    client = Client()
    client.force_login(data_entry_user)
    return client


def test_a_long_workbook_with_drafts_is_written_for_its_reader_alone(
    clerk, draft_register, reviewer_user, settings
):
    first = clerk.get(LIST)
    assert "private" in first["Cache-Control"]
    place, response = read_privately(clerk, first, "reports.tasks.write_record_list")
    assert response["Content-Disposition"] == 'attachment; filename="data-sharing.xlsx"'
    [rows, _about] = sheets(body(response))
    assert len(rows) == 1 + draft_register  # the draft's lines, which staff see

    # Nothing of it in the public store.
    assert not [p for p in settings.DOWNLOADS_DIR.glob("*") if p.is_file()]
    # No one else: another member of staff, a visitor.
    other = Client()
    other.force_login(reviewer_user)
    assert other.get(place).status_code == 404
    assert Client().get(place).status_code == 404
    # Nor a guessed key of the same reader.
    assert clerk.get(place[:-3] + "00/").status_code == 404
    public = Client().get(LIST)  # the public's list: short, and without the draft's lines
    assert public.status_code == 200 and len(sheets(body(public))[0]) == 1


def test_a_job_that_failed_is_told_and_can_be_asked_again(clerk, draft_register, settings):
    place = clerk.get(LIST)["Location"]
    DBTaskResult.objects.all().delete()  # lost with its worker, say; it failed and let go
    for marker in (settings.DOWNLOADS_DIR / download_store.PRIVATE).glob(".*"):
        marker.unlink()
    response = clerk.get(place)
    assert response.status_code == 404
    assert "重新下载" in response.content.decode()
    assert clerk.get(LIST).status_code == 202  # asked again: a new job


def test_private_files_are_kept_an_hour(clerk, draft_register, settings):
    place = clerk.get(LIST)["Location"]
    run_queued_tasks()
    [written] = (settings.DOWNLOADS_DIR / download_store.PRIVATE).glob("[!.]*")
    old = written.stat().st_mtime - download_store.PRIVATE_SECONDS - 1
    os.utime(written, (old, old))
    clerk.get(LIST)  # the next one removes it
    assert not written.exists()
    assert clerk.get(place).status_code == 404


def test_a_short_workbook_with_drafts_is_still_written_in_the_request(
    clerk, draft_register, settings
):
    settings.DOWNLOAD_BACKGROUND_ROWS = draft_register
    response = clerk.get(LIST)
    assert response.status_code == 200
    assert not DBTaskResult.objects.exists()


def test_behind_nginx_the_private_file_is_named_to_it_under_its_folder(
    clerk, draft_register, settings
):
    """nginx sends it (X-Accel-Redirect to its internal location), once the site has checked
    who asks: the name is the file's path under DOWNLOADS_DIR."""
    settings.DOWNLOADS_ACCEL_REDIRECT = "/_downloads/"
    place = clerk.get(LIST)["Location"]
    run_queued_tasks()
    response = clerk.get(place)
    key = place.strip("/").rsplit("/", 1)[1]
    assert response["X-Accel-Redirect"] == f"/_downloads/private/{key}.data-sharing.xlsx"
    assert response["Content-Disposition"] == 'attachment; filename="data-sharing.xlsx"'
    assert Client().get(place).status_code == 404  # and to no one else
