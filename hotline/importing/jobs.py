"""Imports run in the background (hotline.models.ImportJob), on Django's Tasks framework.

- `start(upload, ...)` turns a kept upload into a job (the file is taken over, the upload's
  record goes) and enqueues its preview; `confirm(job)` enqueues the import itself once its
  owner has seen the preview; `cancel(job)` stops it, queued, waiting or running.
- `run_import_job` is the task. It claims its job by a conditional update (queued → running),
  so a task run twice runs once; the import is service.import_records, all or nothing as in
  a request, the report's draft rule checked then (a report published meanwhile refuses);
  the job is marked done in the import's own transaction, so a job is never "done" without
  its rows nor its rows written twice. A preview keeps what it checked (`<name>.checked`),
  which its import writes as checked unless the stored data changed since
  (service.import_checked); then the file is imported afresh.
- Progress and cancellation go through two small files beside the upload (`<name>.progress`,
  `<name>.cancel`), not the database: the import holds its transaction (on SQLite the write
  lock) until it ends, and neither a progress bar nor a cancel button should wait for it.
  The progress file's age is the job's heartbeat: `notice_stale()` marks a running job whose
  worker stopped (killed, the machine restarted) as failed; its transaction never committed,
  so nothing of it was written.
"""

import json
import logging
import os
import secrets
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import OperationalError, connections, router, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from hotline.models import ImportJob
from hotline.models.bulk import insert_rows

from .columns import spec_for
from .service import (
    change_reason,
    import_checked,
    import_records,
    outcome_counts,
)

logger = logging.getLogger(__name__)

PREVIEW_ROWS = 20  # of the preview kept on the job, for its page
HEARTBEAT_SECONDS = 0.5  # the progress file is rewritten at most this often
LOG_BATCH = 500  # admin log entries written in one statement
LOG_COLUMNS = [
    "action_time",
    "user_id",
    "content_type_id",
    "object_id",
    "object_repr",
    "action_flag",
    "change_message",
]


class Cancelled(Exception):
    pass


def start(upload, *, user, rows_total=None) -> ImportJob:
    """A job for a kept upload (ImportUpload): its file is the job's from now on."""
    job = ImportJob.objects.create(
        user=user if getattr(user, "pk", None) else None,
        spec=upload.spec,
        file_name=upload.file_name,
        stored_name=upload.stored_name,
        size=upload.size,
        rows_total=rows_total,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    if upload.pk:
        type(upload).objects.filter(pk=upload.pk).delete()
    enqueue(job)
    return job


def queue_file(path: Path, *, spec, user=None, dry_run=False) -> ImportJob:
    """A job for a file on the server (import_records --background): copied beside the admin's
    uploads, then queued, as a preview only with `dry_run`, else the import itself."""
    stored_name = secrets.token_hex(16)
    target = Path(settings.IMPORT_UPLOAD_DIR)
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    shutil.copyfile(path, target / stored_name)
    job = ImportJob.objects.create(
        user=user,
        spec=spec.name,
        file_name=path.name[:255],
        stored_name=stored_name,
        size=(target / stored_name).stat().st_size,
        step=ImportJob.PREVIEW if dry_run else ImportJob.IMPORT,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    enqueue(job)
    return job


def enqueue(job: ImportJob) -> None:
    result = run_import_job.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.task_id = str(result.id)
    logger.info("import job %s queued (%s, task %s)", job.pk, job.step, result.id)


def confirm(job: ImportJob) -> bool:
    """Its owner confirmed the preview: the import itself, once (a second click finds the job
    no longer waiting)."""
    moved = ImportJob.objects.filter(pk=job.pk, state=ImportJob.WAITING).update(
        state=ImportJob.QUEUED, step=ImportJob.IMPORT, rows_read=0, started_at=None
    )
    if moved:
        job.refresh_from_db()
        enqueue(job)
    return bool(moved)


def cancel(job: ImportJob) -> bool:
    """Cancel a job that has not ended. A running one stops at its next batch, rolled back."""
    job.refresh_from_db()
    if job.state in (ImportJob.QUEUED, ImportJob.WAITING):
        try:
            moved = ImportJob.objects.filter(
                pk=job.pk, state__in=[ImportJob.QUEUED, ImportJob.WAITING]
            ).update(
                state=ImportJob.CANCELLED,
                finished_at=timezone.now(),
                error=_("Cancelled; nothing was saved."),
            )
        except OperationalError:  # SQLite's write lock: a worker has just taken the job
            moved = 0
        if moved:
            _remove_files(job)
            job.refresh_from_db()
            return True
        job.refresh_from_db()
    if job.state == ImportJob.RUNNING:
        # A flag, not an update: the import's transaction (on SQLite, the write lock) is held.
        _side(job, "cancel").touch()
        return True
    return False


def expire(cutoff) -> int:
    """Cancel the previews nobody confirmed since `cutoff`, and remove their files."""
    expired = list(ImportJob.objects.filter(state=ImportJob.WAITING, created_at__lt=cutoff))
    for job in expired:
        if ImportJob.objects.filter(pk=job.pk, state=ImportJob.WAITING).update(
            state=ImportJob.CANCELLED,
            finished_at=timezone.now(),
            error=_("Not confirmed in time; the file was removed and nothing was saved."),
        ):
            _remove_files(job)
    return len(expired)


def cancelling(job: ImportJob) -> bool:
    return job.state == ImportJob.RUNNING and _side(job, "cancel").exists()


def progress(job: ImportJob) -> dict:
    """Rows read and the fraction of the file, as the worker last wrote them."""
    if job.state != ImportJob.RUNNING:
        return {"rows": job.rows_read, "fraction": 1.0 if job.state == ImportJob.DONE else 0.0}
    try:
        return json.loads(_side(job, "progress").read_text())
    except (OSError, ValueError):
        return {"rows": 0, "fraction": 0.0}


def notice_stale(jobs=None) -> int:
    """Mark running jobs whose worker has stopped as failed; how many were."""
    limit = settings.IMPORT_JOB_STALE_SECONDS
    now = timezone.now()
    query = ImportJob.objects.filter(state=ImportJob.RUNNING)
    if jobs is not None:
        query = query.filter(pk__in=[job.pk for job in jobs])
    failed = 0
    for job in query:
        beat = _heartbeat(job)
        if beat is not None and now.timestamp() - beat < limit:
            continue
        message = _(
            "The import stopped: the background process running it ended without finishing "
            "(no progress for %(seconds)s s). Nothing was saved; start the import again."
        ) % {"seconds": limit}
        try:
            failed += ImportJob.objects.filter(pk=job.pk, state=ImportJob.RUNNING).update(
                state=ImportJob.FAILED, finished_at=now, error=message
            )
        except OperationalError:  # SQLite: the worker still holds its lock, so it is alive
            continue
        _remove_files(job)
        logger.warning("import job %s: no progress for %s s, marked failed", job.pk, limit)
    return failed


@task()
def run_import_job(job_id: int) -> str:
    """Run the job's step (preview or import), once."""
    now = timezone.now()
    if not ImportJob.objects.filter(pk=job_id, state=ImportJob.QUEUED).update(
        state=ImportJob.RUNNING, started_at=now, rows_read=0
    ):
        logger.info("import job %s: not queued any more, nothing to run", job_id)
        return "skipped"
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        return _run_claimed(job)


def _run_claimed(job: ImportJob) -> str:
    logger.info("import job %s: %s of %s started", job.pk, job.step, job.file_name)
    started = time.monotonic()
    _write_progress(job, 0, 0.0)
    try:
        state = _run(job)
    except Cancelled:
        state = _end(job, ImportJob.CANCELLED, started, error=_("Cancelled; nothing was saved."))
    except Exception as error:
        logger.exception("import job %s failed", job.pk)
        state = _end(
            job,
            ImportJob.FAILED,
            started,
            error=_("The import failed unexpectedly: %(error)s. Nothing was saved.")
            % {"error": error},
        )
    else:
        logger.info("import job %s: %s in %.1f s", job.pk, state, time.monotonic() - started)
    return state


def _run(job: ImportJob) -> str:
    started = time.monotonic()
    dry_run = job.step == ImportJob.PREVIEW
    beat = {"at": 0.0}

    def report(rows, fraction):
        if _side(job, "cancel").exists():
            raise Cancelled
        if time.monotonic() - beat["at"] >= HEARTBEAT_SECONDS or fraction >= 1.0:
            _write_progress(job, rows, fraction)
            beat["at"] = time.monotonic()

    def alive():  # after the file is read: the page still sees the job move
        if time.monotonic() - beat["at"] >= HEARTBEAT_SECONDS:
            report(outcome.rows, 1.0)

    spec = spec_for(job.spec)
    checked = _side(job, "checked")
    with transaction.atomic():
        outcome = None if dry_run else _import_checked(job, spec, checked, report)
        if outcome is None:
            with job.path.open("rb") as stream, _checked_file(checked, dry_run) as checked_to:
                outcome = import_records(
                    spec,
                    stream,
                    file_name=job.file_name,
                    user=job.user,
                    dry_run=dry_run,
                    progress=report,
                    keep_log=not dry_run,
                    checked_to=checked_to,
                )
        if _side(job, "cancel").exists():
            raise Cancelled
        result = {
            **outcome_counts(outcome),
            "summary": outcome.summary(),
            "messages": outcome.messages()[:100],
        }
        if not outcome.ok:
            transaction.set_rollback(True)
        elif dry_run:
            result["headers"] = [str(header) for header in outcome.headers]
            result["preview"] = [
                [row.number, row.import_type, [str(c) for c in row.cells], sorted(row.changed)]
                for row in outcome.preview[:PREVIEW_ROWS]
            ]
        else:
            write_admin_log(outcome, job.user, alive=alive)
            # In the import's transaction: done and written together, or neither.
            return _end(job, ImportJob.DONE, started, result=result, rows=outcome.rows)
    if not outcome.ok:
        error = "\n".join([result["summary"], *result["messages"][:5]])
        return _end(job, ImportJob.FAILED, started, result=result, rows=outcome.rows, error=error)
    return _end(job, ImportJob.WAITING, started, result=result, rows=outcome.rows)


def _import_checked(job, spec, checked, report):
    """The import as its preview checked it (service.import_checked), or None if there is no
    such file or what it checked has changed since: then the file is imported afresh."""
    try:
        stream = checked.open("rb")
    except FileNotFoundError:
        return None
    with stream:
        outcome = import_checked(
            spec,
            stream,
            file_name=job.file_name,
            user=job.user,
            progress=report,
            keep_log=True,
        )
    if outcome is None:
        logger.info("import job %s: changed since its preview, the file is checked again", job.pk)
    return outcome


@contextmanager
def _checked_file(path, dry_run):
    """Where a preview keeps what it checked; removed if the preview stops short (cancelled,
    failed unexpectedly), and by _end once the job has ended."""
    if not dry_run:
        yield None
        return
    try:
        with path.open("wb") as checked_to:
            yield checked_to
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _end(job, state, started, *, result=None, rows=None, error=""):
    """Move the running job to `state`; refused (rolling back the import around it) if it was
    marked failed meanwhile."""
    changes = {
        "state": state,
        "seconds": round(time.monotonic() - started, 3),
        "error": error,
    }
    if state != ImportJob.WAITING:
        changes["finished_at"] = timezone.now()
    if result is not None:
        changes["result"] = result
    if rows is not None:
        changes["rows_read"] = rows
        changes["rows_total"] = rows
    if not ImportJob.objects.filter(pk=job.pk, state=ImportJob.RUNNING).update(**changes):
        raise RuntimeError(f"import job {job.pk} is no longer running")
    _side(job, "progress").unlink(missing_ok=True)
    _side(job, "cancel").unlink(missing_ok=True)
    if state != ImportJob.WAITING:
        job.path.unlink(missing_ok=True)
        _side(job, "checked").unlink(missing_ok=True)
    return state


def write_admin_log(outcome, user, *, alive=lambda: None) -> None:
    """The admin's log: one entry per record written, as the admin's own import writes them.
    Plain multi-row INSERTs (hotline.models.bulk.insert_rows), LOG_BATCH entries at a time, calling
    `alive()` between them: a LogEntry instance each was a fifth of a 100,000-row job."""
    if settings.IMPORT_EXPORT_SKIP_ADMIN_LOG or not getattr(user, "pk", None):
        return
    content_type = ContentType.objects.get_for_model(outcome.spec.model)
    message = change_reason(outcome.file_name)
    connection = connections[router.db_for_write(LogEntry)]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    for start in range(0, len(outcome.log), LOG_BATCH):
        insert_rows(
            LogEntry,
            LOG_COLUMNS,
            [
                (now, user.pk, content_type.pk, str(pk), text, flag, message)
                for pk, text, flag in outcome.log[start : start + LOG_BATCH]
            ],
        )
        alive()


def _side(job, kind) -> Path:
    return Path(settings.IMPORT_UPLOAD_DIR) / f"{job.stored_name}.{kind}"


def _write_progress(job, rows, fraction) -> None:
    path = _side(job, "progress")
    temporary = path.with_suffix(".progress-new")
    temporary.write_text(json.dumps({"rows": rows, "fraction": round(fraction, 4)}))
    os.replace(temporary, path)  # never half a file for the reader


def _heartbeat(job) -> float | None:
    try:
        return _side(job, "progress").stat().st_mtime
    except OSError:
        return job.started_at.timestamp() if job.started_at else None


def _remove_files(job) -> None:
    for path in (job.path, *(_side(job, kind) for kind in ("progress", "cancel", "checked"))):
        path.unlink(missing_ok=True)
