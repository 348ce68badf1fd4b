"""Background imports (hotline.importing.jobs) run by the real worker, `manage.py db_worker`, in
another process on the test's database: preview, confirm, the draft rule checked when the job
runs, cancel, a task run twice, and a worker killed mid-import."""

import json
import os
import re
import signal
import subprocess
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from hotline.importing import jobs
from hotline.models import AnnualReport, DataSharingRequest, ImportJob, ImportUpload

from .workers import register, start_worker, work

pytestmark = pytest.mark.django_db(transaction=True)

IMPORT = "/admin/hotline/datasharingrequest/import/"


@pytest.fixture
def draft():
    from hotline.models import Region

    from ..hotline import factories as f

    return f.make_report(Region.objects.get(slug="huaian"), year=2024)


@pytest.fixture
def clerk(data_entry_user, settings):
    settings.IMPORT_BACKGROUND_ROWS = 3
    client = Client()
    client.force_login(data_entry_user)
    return client


def upload(client, content, name="共享登记.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        IMPORT, {"import_file": SimpleUploadedFile(name, content), "format": "0"}, follow=False
    )


def start(client, content, name="共享登记.csv") -> ImportJob:
    response = upload(client, content, name)
    assert response.status_code == 302, response.content.decode()[-2000:]
    job = ImportJob.objects.get()
    assert response["Location"] == f"/admin/hotline/importjob/{job.pk}/change/"
    return job


def status(client, job) -> dict:
    response = client.get(f"/admin/hotline/importjob/{job.pk}/status/")
    assert response.status_code == 200
    return response.json()


def test_a_large_upload_is_previewed_then_imported_by_a_worker(
    clerk, draft, worker_env, data_entry_user
):
    job = start(clerk, register(10))
    assert job.state == ImportJob.QUEUED and job.step == ImportJob.PREVIEW
    assert job.user == data_entry_user and job.path.is_file()
    assert not ImportUpload.objects.exists()  # the job has taken the file over
    assert status(clerk, job)["state_label"] == "排队中"

    work(worker_env)
    job.refresh_from_db()
    assert job.state == ImportJob.WAITING, job.error
    assert job.rows_total == 10 and job.result["new"] == 10
    assert not DataSharingRequest.private_objects.filter(report=draft).exists()
    page = clerk.get(f"/admin/hotline/importjob/{job.pk}/change/").content.decode()
    assert "共享登记.csv：将新增 <strong>10</strong> 条" in page
    assert "确认导入" in page

    confirm = f"/admin/hotline/importjob/{job.pk}/confirm/"
    assert clerk.post(confirm).status_code == 302
    clerk.post(confirm)  # a second click: the job is no longer waiting, nothing is queued twice
    job.refresh_from_db()
    assert job.state == ImportJob.QUEUED and job.step == ImportJob.IMPORT
    work(worker_env)
    job.refresh_from_db()
    assert job.state == ImportJob.DONE, job.error
    assert job.rows_read == 10 and job.seconds is not None and job.finished_at
    assert DataSharingRequest.private_objects.filter(report=draft).count() == 10
    record = DataSharingRequest.private_objects.get(report=draft, line=1)
    assert record.history.get().history_user == data_entry_user
    assert LogEntry.objects.filter(user=data_entry_user).count() == 10
    assert not job.path.exists()
    assert status(clerk, job)["state"] == "done"

    # The task run again (a redelivered message) finds its job ended: no second write.
    assert jobs.run_import_job.call(job.pk) == "skipped"
    assert DataSharingRequest.private_objects.filter(report=draft).count() == 10

    listing = clerk.get("/admin/hotline/importjob/").content.decode()
    assert "共享登记.csv" in listing and "已完成" in listing


def preview_then_confirm(clerk, job, worker_env, *, meanwhile):
    work(worker_env)
    job.refresh_from_db()
    assert job.state == ImportJob.WAITING, job.error
    meanwhile()
    assert clerk.post(f"/admin/hotline/importjob/{job.pk}/confirm/").status_code == 302
    work(worker_env)
    job.refresh_from_db()
    assert job.state == ImportJob.DONE, job.error
    assert not jobs._side(job, "checked").exists()


def test_the_import_writes_what_its_preview_checked_without_reading_the_file_again(
    clerk, draft, worker_env
):
    job = start(clerk, register(5))
    # Were the file read again, its 2 rows would be written, not the 5 previewed.
    preview_then_confirm(
        clerk, job, worker_env, meanwhile=lambda: job.path.write_bytes(register(2))
    )
    assert job.result["new"] == 5
    assert DataSharingRequest.private_objects.filter(report=draft).count() == 5


def test_a_record_changed_since_the_preview_makes_the_import_read_the_file_again(
    clerk, draft, worker_env
):
    from ..hotline import factories as f

    stored = f.make_sharing_request(draft, line=1, records=99)
    job = start(clerk, register(5))

    def meanwhile():
        stored.records = 100
        stored.save()
        job.path.write_bytes(register(3))

    preview_then_confirm(clerk, job, worker_env, meanwhile=meanwhile)
    assert (job.result["new"], job.result["updated"]) == (2, 1)
    assert DataSharingRequest.private_objects.filter(report=draft).count() == 3


def test_a_report_published_before_the_job_runs_refuses_it(clerk, draft, worker_env):
    job = start(clerk, register(5))
    work(worker_env)
    job.refresh_from_db()
    assert job.state == ImportJob.WAITING
    clerk.post(f"/admin/hotline/importjob/{job.pk}/confirm/")
    # Published between the confirmation and the worker: the rule is checked when it runs.
    AnnualReport.private_objects.filter(pk=draft.pk).update(status=AnnualReport.Status.PUBLISHED)
    work(worker_env)
    job.refresh_from_db()
    assert job.state == ImportJob.FAILED
    assert "已发布" in job.error and "未保存" in job.error, job.error
    assert not DataSharingRequest.private_objects.filter(report=draft).exists()


def test_a_file_with_errors_fails_its_preview_with_every_error(clerk, draft, worker_env):
    content = register(5).replace(",5,审计分析".encode(), ",5a,审计分析".encode())
    job = start(clerk, content)
    work(worker_env)
    job.refresh_from_db()
    assert job.state == ImportJob.FAILED
    assert "第 6 行「共享诉求数据量」" in job.error, job.error
    page = clerk.get(f"/admin/hotline/importjob/{job.pk}/change/").content.decode()
    assert "确认导入" not in page and "失败" in page


def test_a_queued_job_cancelled_never_runs(clerk, draft, worker_env):
    job = start(clerk, register(5))
    clerk.post(f"/admin/hotline/importjob/{job.pk}/cancel/")
    job.refresh_from_db()
    assert job.state == ImportJob.CANCELLED and not job.path.exists()
    work(worker_env)
    job.refresh_from_db()
    assert job.state == ImportJob.CANCELLED
    assert not DataSharingRequest.private_objects.filter(report=draft).exists()


def test_a_running_import_cancelled_rolls_back_every_batch(clerk, draft, monkeypatch):
    job = start(clerk, register(2500))
    job.state, job.step = ImportJob.QUEUED, ImportJob.IMPORT
    ImportJob.objects.filter(pk=job.pk).update(step=ImportJob.IMPORT)
    write = jobs._write_progress

    def cancel_after_a_batch(job_, rows, fraction):
        write(job_, rows, fraction)
        if rows >= 1000:
            job_.refresh_from_db()
            assert jobs.cancel(job_)  # running: the worker stops at its next batch

    monkeypatch.setattr(jobs, "_write_progress", cancel_after_a_batch)
    monkeypatch.setattr(jobs, "HEARTBEAT_SECONDS", 0)
    assert jobs.run_import_job.call(job.pk) == ImportJob.CANCELLED
    job.refresh_from_db()
    assert job.state == ImportJob.CANCELLED and "未保存" in job.error
    assert not DataSharingRequest.private_objects.filter(report=draft).exists()
    assert not job.path.exists()


def test_the_job_shows_progress_while_it_writes_the_admin_log(
    clerk, draft, monkeypatch, data_entry_user
):
    """After the last row is read, the admin's log (one entry per record) is written in
    batches, and the job's page keeps seeing it move, so that staff (and the stale-job check)
    do not take a long import's last seconds for a dead worker."""
    job = start(clerk, register(7))
    ImportJob.objects.filter(pk=job.pk).update(step=ImportJob.IMPORT)
    write, beats = jobs._write_progress, []

    def recorded(job_, rows, fraction):
        beats.append((rows, fraction, LogEntry.objects.count()))
        write(job_, rows, fraction)

    monkeypatch.setattr(jobs, "_write_progress", recorded)
    monkeypatch.setattr(jobs, "HEARTBEAT_SECONDS", 0)
    monkeypatch.setattr(jobs, "LOG_BATCH", 3)
    assert jobs.run_import_job.call(job.pk) == ImportJob.DONE
    # Beats after the file was read, each with more of the log written: 3, 6, then all 7.
    assert [entries for rows, fraction, entries in beats if entries] == [3, 6, 7]
    assert all(rows == 7 and fraction == 1.0 for rows, fraction, entries in beats if entries)
    assert LogEntry.objects.filter(user=data_entry_user, action_flag=ADDITION).count() == 7


def test_a_preview_nobody_confirms_expires_with_its_file(clerk, draft, worker_env):
    job = start(clerk, register(5))
    work(worker_env)
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=2))
    call_command("purge_import_uploads", verbosity=0)
    job.refresh_from_db()
    assert job.state == ImportJob.CANCELLED and "未在期限内确认" in job.error
    assert not job.path.exists()
    assert clerk.post(f"/admin/hotline/importjob/{job.pk}/confirm/").status_code == 302
    job.refresh_from_db()
    assert job.state == ImportJob.CANCELLED


def test_others_cannot_see_confirm_or_cancel_a_job(clerk, draft, reviewer_user):
    job = start(clerk, register(5))
    other = Client()
    other.force_login(reviewer_user)
    assert other.get(f"/admin/hotline/importjob/{job.pk}/change/").status_code == 404
    assert other.get(f"/admin/hotline/importjob/{job.pk}/status/").status_code == 404
    assert other.post(f"/admin/hotline/importjob/{job.pk}/cancel/").status_code == 404
    assert "共享登记.csv" not in other.get("/admin/hotline/importjob/").content.decode()
    job.refresh_from_db()
    assert job.state == ImportJob.QUEUED


def test_import_records_background_queues_the_import_for_a_worker(
    draft, worker_env, tmp_path, capsys
):
    path = tmp_path / "register.csv"
    path.write_bytes(register(7))
    call_command("import_records", "datasharingrequest", str(path), "--background")
    job = ImportJob.objects.get()
    assert (job.state, job.step) == (ImportJob.QUEUED, ImportJob.IMPORT)
    assert f"导入任务 {job.pk} 已排队" in capsys.readouterr().out
    assert not DataSharingRequest.private_objects.filter(report=draft).exists()
    work(worker_env)
    job.refresh_from_db()
    assert job.state == ImportJob.DONE, job.error
    assert DataSharingRequest.private_objects.filter(report=draft).count() == 7


def test_a_worker_killed_mid_import_writes_nothing_and_its_job_is_marked_failed(
    clerk, draft, worker_env, settings
):
    job = start(clerk, register(20_000))
    ImportJob.objects.filter(pk=job.pk).update(step=ImportJob.IMPORT)
    worker = start_worker(worker_env)
    progress = jobs._side(job, "progress")
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if json.loads(progress.read_text())["rows"] >= 2000:
                    break
            except (OSError, ValueError):
                pass
            assert worker.poll() is None, worker.stderr.read().decode()[-3000:]
            time.sleep(0.05)
        else:
            pytest.fail("the worker never got past its first batches")
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
        worker.stderr.close()
    job.refresh_from_db()
    assert job.state == ImportJob.RUNNING  # nobody has noticed yet
    assert not DataSharingRequest.private_objects.filter(report=draft).exists()
    assert status(clerk, job)["state"] == "running"  # its heartbeat is recent

    settings.IMPORT_JOB_STALE_SECONDS = 1
    old = time.time() - 5
    os.utime(progress, (old, old))
    noticed = status(clerk, job)
    assert noticed["state"] == "failed"
    assert "后台进程" in noticed["error"] and "未保存任何记录" in noticed["error"], noticed
    assert not DataSharingRequest.private_objects.filter(report=draft).exists()
    assert not job.path.exists()


@pytest.mark.django_db(transaction=False)
def test_make_serve_starts_a_worker_per_queue_stopped_with_the_server():
    shown = subprocess.run(
        ["make", "-n", "serve", "PORT=8599"], cwd=settings.BASE_DIR, capture_output=True, text=True
    )
    assert shown.returncode == 0, shown.stderr
    recipe = shown.stdout[shown.stdout.index("db_worker") :]
    served = re.findall(r"db_worker --no-reload .*?--queue-name (\S+) & (\w+)=\$!", recipe)
    # Every queue the site enqueues on, each its own worker: a PDF never waits for an import.
    assert sorted(queue for queue, _ in served) == sorted(settings.TASKS["default"]["QUEUES"])
    assert "trap 'kill " + " ".join(f"${name}" for _, name in served) in recipe
    assert "runserver 127.0.0.1:8599" in recipe
