"""Uploads kept between an import's preview and its confirmation (hotline.models.ImportUpload).

- `keep(file, ...)` writes an uploaded file under a random name in IMPORT_UPLOAD_DIR (never a
  name the browser chose) and records whose it is; it first sweeps the expired ones.
- `find(token, user=..., session_key=...)` is the only way back to it: the same user, in the
  same session, before it expires. Anything else is None.
- `check_rows(upload, limit)` counts its rows as they are read and says why it is refused
  when there are more than one request can import; `previewed(upload, outcome)` records what
  the preview found.
- `claim(token, ...)` is `find` for the confirmation: it takes the upload (its record is gone
  at once), so that a double click or a replayed form imports it once.
- `discard(upload)` removes the file and its record: after the confirmation, on refusal, or
  when it expires. `purge_expired()` removes the uploads nobody confirmed within
  IMPORT_UPLOAD_MAX_AGE, and files no record names (`manage.py purge_import_uploads` from
  cron does the same between uploads).
"""

import secrets
import time
from datetime import timedelta
from pathlib import Path, PurePath

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.models import ImportJob, ImportUpload

from . import jobs
from .readers import Refused, count_rows


def upload_dir() -> Path:
    directory = Path(settings.IMPORT_UPLOAD_DIR)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def max_age() -> timedelta:
    return timedelta(hours=settings.IMPORT_UPLOAD_MAX_AGE_HOURS)


def keep(file, *, user, session_key: str, spec: str, rows: int | None = None) -> ImportUpload:
    """Store an uploaded file (read chunk by chunk, never whole in memory) for `user`."""
    purge_expired()
    stored_name = secrets.token_hex(16)
    path = upload_dir() / stored_name
    size = 0
    try:
        with path.open("xb") as out:  # exclusive: never an existing file
            for chunk in file.chunks():
                out.write(chunk)
                size += len(chunk)
        return ImportUpload.objects.create(
            user=user,
            session_key=session_key,
            spec=spec,
            file_name=PurePath(file.name or "").name[:255],
            stored_name=stored_name,
            size=size,
            rows=rows,
        )
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def find(token, *, user, session_key: str) -> ImportUpload | None:
    if not token or not session_key or not getattr(user, "pk", None):
        return None
    upload = ImportUpload.objects.filter(
        token=str(token)[:40],
        user=user,
        session_key=session_key,
        created_at__gte=timezone.now() - max_age(),
    ).first()
    if upload is None or not upload.path.is_file():
        return None
    return upload


def claim(token, *, user, session_key: str, spec: str) -> ImportUpload | None:
    upload = find(token, user=user, session_key=session_key)
    if upload is None or upload.spec != spec:
        return None
    taken, _by_model = ImportUpload.objects.filter(pk=upload.pk).delete()
    if not taken:
        return None  # another request took it first
    upload.pk = None  # its record is gone; the file stays until discard()
    return upload


def more_rows_than(upload: ImportUpload, limit: int) -> bool:
    """Whether the upload has more than `limit` rows (read no further than that); when it has
    not, its row count is kept on it."""
    try:
        with upload.open() as stream:
            rows = count_rows(stream, limit)
    except Refused:
        return False  # unreadable: the import itself says why
    if rows <= limit:
        upload.rows = rows
    return rows > limit


def check_rows(upload: ImportUpload, limit: int) -> str | None:
    """Why the upload has too many rows to import in one request, or None; its row count is
    kept on it (up to limit + 1), unless already counted."""
    if upload.rows is None:
        try:
            with upload.open() as stream:
                upload.rows = count_rows(stream, limit)
        except Refused:
            return None  # unreadable: the import itself says why, in the same words
    if upload.rows <= limit:
        return None
    return _(
        "%(file)s has more than %(limit)s rows, more than can be imported here at once. "
        "Split it into files of at most %(limit)s rows, or ask an administrator to run "
        "import_records on the server."
    ) % {"file": upload.file_name, "limit": f"{limit:,}"}


def previewed(upload: ImportUpload, outcome) -> None:
    upload.previewed = {"new": outcome.new, "updated": outcome.updated, "skipped": outcome.skipped}
    if upload.rows is None:
        upload.rows = outcome.rows
    ImportUpload.objects.filter(pk=upload.pk).update(previewed=upload.previewed, rows=upload.rows)


def discard(upload: ImportUpload) -> None:
    upload.path.unlink(missing_ok=True)
    if upload.pk:
        ImportUpload.objects.filter(pk=upload.pk).delete()


def purge_expired() -> int:
    """Remove expired uploads and stray files older than the age limit; how many files went."""
    cutoff = timezone.now() - max_age()
    expired = list(
        ImportUpload.objects.filter(created_at__lt=cutoff).values_list("pk", "stored_name")
    )
    removed = 0
    directory = Path(settings.IMPORT_UPLOAD_DIR)
    for _pk, name in expired:
        path = directory / name
        if path.is_file():
            path.unlink(missing_ok=True)
            removed += 1
    if expired:
        ImportUpload.objects.filter(pk__in=[pk for pk, _name in expired]).delete()
    removed += jobs.expire(cutoff)
    # Files no record names: a process killed between writing the file and recording it, or
    # the uploads of a deleted user. Only old ones: a new file's record may be on its way.
    if directory.is_dir():
        oldest = time.time() - max_age().total_seconds()
        stale = {
            path.name: path
            for path in directory.iterdir()
            if path.is_file() and path.stat().st_mtime < oldest
        }
        if stale:
            named = set(
                ImportUpload.objects.filter(stored_name__in=list(stale)).values_list(
                    "stored_name", flat=True
                )
            )
            # A background import's file (hotline.importing.jobs) is its job's until it ends.
            named |= set(
                ImportJob.objects.filter(stored_name__in=list(stale))
                .exclude(state__in=ImportJob.ENDED)
                .values_list("stored_name", flat=True)
            )
            for name, path in stale.items():
                if name not in named:
                    path.unlink(missing_ok=True)
                    removed += 1
    return removed
