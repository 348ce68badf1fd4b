"""Background jobs in tests that run in the test's own transaction: the queued tasks run by the
library's worker code (django_tasks_db's Worker.run_task, as `manage.py db_worker` runs them),
in this process; and the report's PDF fetched as a reader does (202 生成中, the job, the file).
tests/importing/workers.py runs the real worker in another process instead."""

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


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
