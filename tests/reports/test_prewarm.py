"""A publication's downloads are made before their first reader asks (reports.prewarm): once a
publication commits, its PDF, the province's workbook of its year and the long lists' workbooks
are queued in every language, so that the first reader gets the file, not "生成中". The files
print the site's address: without SITE_URL nothing is queued, as before."""

import logging

import pytest
from django_tasks_db.models import DBTaskResult

from hotline.models import AnnualReport, DataSharingRequest

from ..jobs import body, immediately, republish, run_queued_tasks
from .test_list_workbook_job import sheets

pytestmark = pytest.mark.django_db

SITE = "https://12345.example.gov.cn"
PDF = "/reports/huaian/2023/report.pdf"
REGISTER = "/reports/huaian/2023/tables/sharing-register.xlsx"
LIST = "/data-sharing.xlsx"
PROVINCE = "/reports/jiangsu/2023.xlsx"


@pytest.fixture
def site(settings):
    """A site with its address, where the register counts as long (a job's workbook)."""
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "12345.example.gov.cn"]  # as settings add
    register = DataSharingRequest.public_objects.filter(report__region__slug="huaian").count()
    settings.DOWNLOAD_BACKGROUND_ROWS = register - 1
    return settings


def publish_again(reviewer, capture):
    with capture(execute=True):  # as the publication's transaction commits
        republish(reviewer)


def queued() -> list[tuple[str, object]]:
    """The jobs queued: each one's task and its first argument."""
    return sorted(
        (r.task_path.rsplit(".", 1)[1], r.args_kwargs["args"][0])
        for r in DBTaskResult.objects.all()
    )


def test_the_first_reader_after_a_publication_gets_its_files(
    client, site, reviewer_user, django_capture_on_commit_callbacks
):
    publish_again(reviewer_user, django_capture_on_commit_callbacks)
    each_language = [
        ("render_province_workbook", 2023),
        ("render_report_pdf", "huaian"),
        ("write_record_list", "sharing"),  # the other lists are short: written in a request
        ("write_report_table", "huaian"),
    ]
    assert queued() == sorted(each_language * 2)
    ran = run_queued_tasks()
    assert [r.status for r in ran] == ["SUCCESSFUL"] * 8, [r.traceback for r in ran]

    for language in ("zh-hans", "en"):
        client.cookies["django_language"] = language
        for url in (PDF, REGISTER, LIST, PROVINCE):
            response = client.get(url)
            assert response.status_code == 200, (language, url)
            assert response.streaming  # sent from the file the job wrote
    assert DBTaskResult.objects.count() == 8  # the readers queued nothing more
    [_rows, about] = sheets(body(client.get(LIST)))
    assert (f"{SITE}{LIST}",) in about  # the site's address, not the test client's


def test_without_the_sites_address_the_first_reader_queues_the_job(
    client, site, reviewer_user, django_capture_on_commit_callbacks
):
    site.SITE_URL = ""
    publish_again(reviewer_user, django_capture_on_commit_callbacks)
    assert not DBTaskResult.objects.exists()
    assert client.get(PDF).status_code == 202


def test_a_backend_that_runs_jobs_at_once_is_not_made_to_at_publication(
    client, site, reviewer_user, django_capture_on_commit_callbacks, caplog
):
    """With ImmediateBackend each job would run inside the publication's request: the reviewer
    would wait for every file. The first reader gets the file in their request, as before."""
    immediately(site)
    with caplog.at_level(logging.INFO, logger="hotline.download_store"):
        publish_again(reviewer_user, django_capture_on_commit_callbacks)
        assert "download queued" not in caplog.text
        assert client.get(PDF).status_code == 200
        assert "download queued" in caplog.text


def test_a_reader_who_asked_first_is_not_queued_twice(
    client, site, reviewer_user, django_capture_on_commit_callbacks
):
    """A reader of the new version who beat the publication's receiver (another worker) queued
    the PDF's job: the receiver does not queue it again, nor does the next reader."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        republish(reviewer_user)
    *moved, announced = callbacks
    for callback in moved:  # the versions move on: readers see the new version
        callback()
    assert client.get(PDF).status_code == 202
    announced()
    assert [task for task, _args in queued()].count("render_report_pdf") == 2  # zh-hans, en
    assert client.get(PDF).status_code == 202
    assert [task for task, _args in queued()].count("render_report_pdf") == 2


def test_a_readers_job_goes_before_a_publications(
    client, site, reviewer_user, django_capture_on_commit_callbacks
):
    """No one waits for a publication's files yet: a reader who is waiting for another file
    (a filtered list's workbook, long too) is served first."""
    publish_again(reviewer_user, django_capture_on_commit_callbacks)
    assert client.get(f"{LIST}?city=huaian").status_code == 202
    first = DBTaskResult.objects.ready().first()  # as the workers take them
    assert first.task_path == "reports.tasks.write_record_list"
    assert first.args_kwargs["args"][:2] == ["sharing", "city=huaian"]
    assert {r.priority for r in DBTaskResult.objects.exclude(pk=first.pk)} == {-10}
    # The publication's own, the site's first language's first.
    ran = run_queued_tasks()
    assert [r.status for r in ran] == ["SUCCESSFUL"] * 9
    languages = [r.args_kwargs["args"][-3] for r in ran if r.priority == -10]
    assert languages == ["zh-hans"] * 4 + ["en"] * 4


def test_a_publication_stands_when_its_downloads_cannot_be_queued(
    client, site, reviewer_user, django_capture_on_commit_callbacks, tmp_path, caplog
):
    site.DOWNLOADS_DIR = tmp_path / "a-file"
    site.DOWNLOADS_DIR.write_text("not a folder")
    with caplog.at_level(logging.ERROR, logger="django.dispatch"):
        publish_again(reviewer_user, django_capture_on_commit_callbacks)
    report = AnnualReport.private_objects.get(region__slug="huaian", year=2023)
    assert report.is_published
    assert "after_publication" in caplog.text
    assert client.get("/reports/huaian/2023/").status_code == 200
