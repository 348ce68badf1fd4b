"""The province's workbook (XLSX) is written by a background job into the download store, once
per version of the published data, and sent from there, as the report's PDF is (issue 16,
"Other long work": at 13 cities it took about a second inside the request). The reader is
answered at once: 202 生成中, then the file. Staff who see drafts get theirs in the request."""

import io
import re
import zipfile

import openpyxl
import pytest
from django_tasks_db.models import DBTaskResult

from hotline import download_store
from hotline.models import AnnualReport
from hotline.services.reports import report_reopen
from reports import downloads

from .. import jobs
from ..jobs import body, run_queued_tasks

pytestmark = pytest.mark.django_db

URL = "/reports/jiangsu/2023.xlsx"
COUNT = "appeals.total.total"
# The workbook's own metadata: when it was written, which differs between two writings.
WRITTEN_AT = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")


def stored(settings):
    return sorted(p.name for p in settings.DOWNLOADS_DIR.glob("*.xlsx"))


def parts(content: bytes) -> dict[str, bytes]:
    """The workbook's files, byte for byte, but for the time it was written."""
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return {name: WRITTEN_AT.sub(b"", book.read(name)) for name in book.namelist()}


def cells(content: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [[list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book]


def test_the_first_reader_is_told_it_is_being_generated_then_gets_the_file(client, settings):
    task = "reports.tasks.render_province_workbook"
    first, response, content = jobs.read_through_job(client, URL, task, settings.DOWNLOADS_DIR)
    assert "<title>生成中</title>" in first.content.decode()
    assert first["Retry-After"] == str(download_store.RETRY_SECONDS)
    assert first["Cache-Control"] == "no-store"
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="jiangsu-2023.xlsx"'
    [sheet, about] = cells(content)
    assert sheet[0][-3] == "淮安市"  # the city's column, before the total and its cities
    assert "http://testserver/reports/jiangsu/2023/" in [row[0] for row in about]
    assert DBTaskResult.objects.count() == 1  # served, nothing queued again
    assert client.get(URL, headers={"if-none-match": response["ETag"]}).status_code == 304


def test_the_job_writes_what_the_request_rendered(client, settings, reviewer_user):
    """The same workbook as the one rendered in the request before (and still for staff who
    see drafts): every part of it the same bytes, but for the time it was written."""
    client.get(URL)
    run_queued_tasks()
    from_job = body(client.get(URL))
    staff = client.__class__()
    staff.force_login(reviewer_user)
    in_request = staff.get(URL)
    assert in_request.status_code == 200 and not in_request.streaming
    assert "private" in in_request["Cache-Control"]
    assert parts(from_job) == parts(in_request.content)
    assert DBTaskResult.objects.count() == 1  # the staff's was not queued


def test_a_new_published_version_makes_a_new_file(client, settings, reviewer_user):
    jobs.a_new_version_makes_a_new_file(client, URL, settings.DOWNLOADS_DIR, reviewer_user)


def test_a_failed_job_lets_the_next_reader_queue_another(client, settings, monkeypatch):
    def broken(request, page):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(downloads, "province_dataset", broken)
    assert client.get(URL).status_code == 202
    [failed] = run_queued_tasks()
    assert failed.status == "FAILED" and "out of memory" in failed.traceback
    assert stored(settings) == [] and not list(settings.DOWNLOADS_DIR.glob(".*.queued"))
    monkeypatch.undo()
    assert client.get(URL).status_code == 202
    [ran] = run_queued_tasks()
    assert ran.status == "SUCCESSFUL", ran.traceback
    assert client.get(URL).status_code == 200


def test_a_year_no_city_published_is_a_404_and_queues_nothing(client, settings):
    assert client.get("/reports/jiangsu/2019.xlsx").status_code == 404
    assert not DBTaskResult.objects.exists()


def test_a_year_unpublished_before_its_job_runs_gets_no_file(client, settings, reviewer_user):
    assert client.get(URL).status_code == 202
    report = AnnualReport.private_objects.get(region__slug="huaian", year=2023)
    report_reopen(report=report, by=reviewer_user, reason="更正")
    [ran] = run_queued_tasks()
    assert ran.return_value == "gone"
    assert stored(settings) == []
    assert client.get(URL).status_code == 404


def test_with_a_backend_that_runs_jobs_at_once_the_first_reader_gets_it(client, settings):
    jobs.immediately(settings)
    response = client.get(URL)
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    assert len(stored(settings)) == 1


def test_the_csv_is_still_written_in_the_request(client, settings):
    response = client.get("/reports/jiangsu/2023.csv")
    assert response.status_code == 200 and "淮安市" in response.content.decode("utf-8-sig")
    assert not DBTaskResult.objects.exists()
