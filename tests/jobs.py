"""Background jobs in tests that run in the test's own transaction: the queued tasks run by the
library's worker code (django_tasks_db's Worker.run_task, as `manage.py db_worker` runs them),
in this process; and the report's PDF fetched as a reader does (202 生成中, the job, the file).
tests/importing/workers.py runs the real worker in another process instead."""

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from hotline import download_store


def run_queued_tasks() -> list[DBTaskResult]:
    """Run every task queued now, once each, and return their results (reloaded)."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    )
    ran = []
    for result in DBTaskResult.objects.ready().order_by("enqueued_at"):
        result.claim(worker.worker_id)
        worker.run_task(result)
        result.refresh_from_db()
        ran.append(result)
    return ran


def immediately(settings) -> None:
    """Jobs run when queued (ImmediateBackend), on the same queues as the site's."""
    backend = "django_tasks.backends.immediate.ImmediateBackend"
    settings.TASKS = {"default": {**settings.TASKS["default"], "BACKEND": backend}}


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def read_through_job(client, url, task_path, folder):
    """A download made by a job (hotline.download_store.made_by_job) as its first readers meet
    it: 202 生成中; asked again before the job ran, still one job (`task_path`, on the
    downloads' queue); the job writes the file into `folder`; then 200, sent from the file.
    Returns the first response, the last, and the file's content."""
    first = client.get(url)
    assert first.status_code == 202
    assert client.get(url).status_code == 202  # a second reader, a reload
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == task_path and queued.queue_name == download_store.QUEUE
    assert not any(folder.glob("[!.]*"))
    [ran] = run_queued_tasks()
    assert ran.status == "SUCCESSFUL", ran.traceback
    [path] = folder.glob("[!.]*")
    assert ran.return_value == path.name
    response = client.get(url)
    assert response.status_code == 200
    assert response.streaming  # sent from the file, not rendered
    content = body(response)
    assert content == path.read_bytes()
    return first, response, content


def read_privately(client, first, task_path):
    """A job's file of one reader (hotline.download_store's private files) as they meet it:
    `first` (202) leads to /downloads/<key>/, still 202 while the job `task_path` is queued on
    the downloads' queue; the job run, the file, `private, no-store`. Returns its address and
    that response."""
    assert first.status_code == 202, first.content[:300]
    place = first["Location"]
    assert place.startswith("/downloads/") and f'url={place}"' in first.content.decode()
    assert "no-store" in first["Cache-Control"]
    assert client.get(place).status_code == 202  # not written yet
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == task_path and queued.queue_name == download_store.QUEUE
    [ran] = run_queued_tasks()
    assert ran.status == "SUCCESSFUL", ran.traceback
    response = client.get(place)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    return place, response


def republish(reviewer, city="huaian", year=2023):
    """A new published version of the report: reopened, corrected, published again."""
    from hotline.models import AnnualReport
    from hotline.services.reports import report_publish, report_reopen, report_submit

    report = AnnualReport.private_objects.get(region__slug=city, year=year)
    report_reopen(report=report, by=reviewer, reason="更正")
    report_submit(report=report, by=reviewer)
    report_publish(report=report, by=reviewer, reason="更正后发布")


def a_new_version_makes_a_new_file(client, url, folder, reviewer) -> None:
    """The file of a version is not sent for the next: a new job writes the new version's."""
    client.get(url)
    run_queued_tasks()
    [before] = folder.glob("[!.]*")
    assert client.get(url).status_code == 200
    republish(reviewer)
    assert client.get(url).status_code == 202  # the old version's file is not sent
    [ran] = run_queued_tasks()
    assert ran.status == "SUCCESSFUL", ran.traceback
    [after] = set(folder.glob("[!.]*")) - {before}
    # the old version's file stays a while for readers that found it (SUPERSEDED_SECONDS)
    assert before.exists() and after.exists()
    assert client.get(url).status_code == 200


def get_pdf(client, url, **kwargs):
    """The PDF at `url`: asked for, its job run, asked for again (the response, 200)."""
    response = client.get(url, **kwargs)
    if response.status_code == 202:
        [result] = run_queued_tasks()
        assert result.status == "SUCCESSFUL", result.traceback
        response = client.get(url, **kwargs)
    assert response.status_code == 200, url
    return response


def pdf_bytes(client, url, **kwargs) -> bytes:
    return body(get_pdf(client, url, **kwargs))
