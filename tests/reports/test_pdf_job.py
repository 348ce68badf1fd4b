"""The public report PDF is rendered by a background job into the download store, once per
version of the data, and sent from there (issue 16, "Other long work"; issue 18: a PDF
rendered in the request outlived gunicorn's timeout under load). The reader is answered at
once: 202 生成中, then the file. Staff previewing a draft get theirs rendered in the request."""

import io
import os
import time

import pytest
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from hotline import download_store
from hotline.models import AnnualReport
from hotline.services.reports import report_reopen
from reports import pdf as report_pdf

from ..importing.workers import work
from ..jobs import (
    a_new_version_makes_a_new_file,
    body,
    immediately,
    read_through_job,
    run_queued_tasks,
)
from .factories import make_report

pytestmark = pytest.mark.django_db

URL = "/reports/huaian/2023/report.pdf"


def stored(settings):
    return sorted(p.name for p in settings.DOWNLOADS_DIR.glob("*.pdf"))


def text_of(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_first_reader_is_told_it_is_being_generated_and_one_job_is_queued(client, settings):
    task = "reports.tasks.render_report_pdf"
    first, response, content = read_through_job(client, URL, task, settings.DOWNLOADS_DIR)
    page = first.content.decode()
    assert "<title>生成中</title>" in page and "自动刷新" in page
    assert f'<meta http-equiv="refresh" content="3;url={URL}">' in page  # back to itself
    assert first["Retry-After"] == "3"
    assert first["Cache-Control"] == "no-store"
    assert "ETag" not in first and "Last-Modified" not in first
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="huaian-2023-annual-report.pdf"'
    assert "淮安市12345热线2023年度工作情况" in text_of(content)
    # The address printed in it is the one the reader used.
    assert "http://testserver/reports/huaian/2023/" in text_of(content)
    assert DBTaskResult.objects.count() == 1  # served, nothing queued again
    assert client.get(URL, headers={"if-none-match": response["ETag"]}).status_code == 304


def test_a_new_published_version_makes_a_new_file(client, settings, reviewer_user):
    a_new_version_makes_a_new_file(client, URL, settings.DOWNLOADS_DIR, reviewer_user)


def test_a_report_reopened_before_its_job_runs_gets_no_file(client, settings, reviewer_user):
    report = AnnualReport.private_objects.get(region__slug="huaian", year=2023)
    assert client.get(URL).status_code == 202
    report_reopen(report=report, by=reviewer_user, reason="更正")
    [ran] = run_queued_tasks()
    assert ran.return_value == "gone"
    assert stored(settings) == []
    assert client.get(URL).status_code == 404


def test_a_failed_job_lets_the_next_reader_queue_another(client, settings, monkeypatch):
    def broken(html):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(report_pdf, "render_pdf", broken)
    client.get(URL)
    [failed] = run_queued_tasks()
    assert failed.status == "FAILED" and "out of memory" in failed.traceback
    monkeypatch.undo()
    assert client.get(URL).status_code == 202
    [ran] = run_queued_tasks()
    assert ran.status == "SUCCESSFUL"
    assert client.get(URL).status_code == 200


def test_a_job_lost_with_its_worker_is_queued_again_after_a_while(client, settings):
    client.get(URL)
    DBTaskResult.objects.all().delete()  # the queue lost it; its marker stays
    assert client.get(URL).status_code == 202
    assert not DBTaskResult.objects.exists()  # not yet: it may still be on its way
    [marker] = settings.DOWNLOADS_DIR.glob(".*.queued")
    old = time.time() - download_store.QUEUED_STALE_SECONDS - 1
    os.utime(marker, (old, old))
    assert client.get(URL).status_code == 202
    assert DBTaskResult.objects.count() == 1
    run_queued_tasks()
    assert client.get(URL).status_code == 200


def test_each_language_has_its_own_file_and_page(client, settings):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get(URL)
    assert response.status_code == 202
    assert "<title>Being generated</title>" in response.content.decode()
    run_queued_tasks()
    english = body(client.get(URL))
    assert "Huai'an" in text_of(english) or "Huaian" in text_of(english)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert client.get(URL).status_code == 202  # the Chinese PDF is another file
    run_queued_tasks()
    assert len(stored(settings)) == 2


def test_nginx_sends_the_file_when_told_to(client, settings):
    settings.DOWNLOADS_ACCEL_REDIRECT = "/_downloads/"
    client.get(URL)
    run_queued_tasks()
    response = client.get(URL)
    assert response.status_code == 200 and response.content == b""
    [name] = stored(settings)
    assert response["X-Accel-Redirect"] == "/_downloads/" + name
    assert response["Content-Type"] == "application/pdf"
    # nginx runs as another user: the file is readable by others (mkstemp made it 0600).
    assert (settings.DOWNLOADS_DIR / name).stat().st_mode & 0o777 == 0o644


def test_with_a_backend_that_runs_jobs_at_once_the_first_reader_gets_the_pdf(client, settings):
    immediately(settings)
    response = client.get(URL)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "淮安市12345热线2023年度工作情况" in text_of(body(response))
    assert len(stored(settings)) == 1
    assert not list(settings.DOWNLOADS_DIR.glob(".*.queued"))


def test_staff_previewing_a_draft_get_it_rendered_in_the_request(client, settings, reviewer_user):
    make_report("huaian", 2024, status=AnnualReport.Status.DRAFT, title="淮安市草稿报告")
    client.force_login(reviewer_user)
    response = client.get("/reports/huaian/2024/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "淮安市草稿报告" in text_of(response.content)
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert not DBTaskResult.objects.exists() and stored(settings) == []


def test_the_pdf_job_has_a_queue_of_its_own_served_by_its_own_worker(client, settings, worker_env):
    """An import's worker never takes it, so a long import delays no reader's PDF: the
    downloads queue's worker (`db_worker --queue-name downloads`, as Deploying runs it) does."""
    assert client.get(URL).status_code == 202
    [queued] = DBTaskResult.objects.all()
    assert queued.queue_name == download_store.QUEUE == "downloads"
    work(worker_env, queue="default")  # the imports' worker: not its job
    queued.refresh_from_db()
    assert queued.status == "READY" and stored(settings) == []
    # The test client's host, which the job's stand-in request carries, is the site's own.
    work({**worker_env, "ALLOWED_HOSTS": "testserver"}, queue=download_store.QUEUE)
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL", queued.traceback
    response = client.get(URL)
    assert response.status_code == 200
    assert "淮安市12345热线2023年度工作情况" in text_of(body(response))
