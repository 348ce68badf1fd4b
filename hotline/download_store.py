"""Large downloads written once per version to a file, then sent from it.

A record list's download (100,000 register lines: 18 MB of CSV) is written the first time a
version of it is asked for, to DOWNLOADS_DIR under a name that carries what it holds (the list,
its filters, the language) and the version of the data and code it was written from
(hotline.freshness, hotline.caching.RENDER_VERSION). Later requests for the same version send
the file: with DOWNLOADS_ACCEL_REDIRECT set, nginx sends it (`X-Accel-Redirect`) and the worker
is free at once; else the worker sends it with sendfile (FileResponse). A file is written to a
temporary name and renamed when complete, so that no one is ever sent half a file; the
versions it replaces are removed by a later write once superseded for a minute
(SUPERSEDED_SECONDS), so that a reader who found one is never left without it.

A download too slow to make inside a request (a report's PDF, the province's workbook:
`made_by_job`; a long list's workbook: `response`'s `job`) is written into the same store by
a background job (Django's Tasks framework, on a queue of its own: QUEUE): the request that
finds no file for its version queues one job, however many readers ask at once (a marker file
beside it, created exclusively), and answers 202 "生成中" with a page that comes back by
itself; the job writes the file (`write`) and removes the marker (`release`); the next request
sends the file. A publication queues its own downloads' jobs at once (`queue`, from
reports.prewarm, when SITE_URL is set): its first reader finds them written.
"""

import hashlib
import logging
import os
import re
import secrets
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import FileResponse, Http404, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language

from hotline import writers
from hotline.caching import RENDER_VERSION

logger = logging.getLogger(__name__)

# The queue of the jobs that write downloads (settings.TASKS): readers wait on them, so they
# have workers of their own and never wait behind an import (README "Deploying").
QUEUE = "downloads"
# A reader told "生成中" comes back after this long (Retry-After, and the page's refresh).
RETRY_SECONDS = 3
# A marker older than this is a job that will not write its file (its worker was killed, the
# queue lost it): the next reader queues another. A job that fails removes its marker at once.
QUEUED_STALE_SECONDS = 600
# A version's file is kept this long after a newer one is written: readers (and the proxy) who
# found it a moment before still open it. Longer than any request takes to open its file.
SUPERSEDED_SECONDS = 60
# A reader who sees drafts is sent what no one else may read: a download of theirs too slow
# for a request (or a member of staff's export in the admin: hotline.admin.exports) is written
# by a job into a file of their own (PRIVATE, under DOWNLOADS_DIR), named by a key of theirs
# that no one can guess (their id, then 128 random bits), sent to them alone
# (`private_response`), and removed this long after it was written.
PRIVATE = "private"
PRIVATE_SECONDS = 3600
_PRIVATE_KEY = re.compile(r"(\d+)-[0-9a-f]{32}")
# What a job is given for `token` when it writes a private file: this, then the key.
_PRIVATE_TOKEN = "private:"


class Stored(NamedTuple):
    """A download that a job writes: its file's name and format, and what it holds (`key`,
    as in path_of)."""

    name: str
    fmt: str
    key: str


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def path_of(name: str, fmt: str, key: str, token: str) -> Path:
    """The file of a download (`name`, holding `key`, in the active language) at a version of
    the data (`token`, hotline.freshness) and of the code."""
    what = _digest(f"{get_language()}|{key}")
    version = _digest(f"{token}|{RENDER_VERSION}")
    return Path(settings.DOWNLOADS_DIR) / f"{name}.{what}.{version}.{fmt}"


def response(
    request,
    stored: Stored,
    table: Callable[[], writers.Table],
    *,
    job: Callable[[], Callable[[str], object] | None] | None = None,
) -> HttpResponse:
    """The download `table()` makes, from its stored file (`stored`: its name, format and what
    it holds beside them, the filters in effect). `job()`, asked when this version's file is
    not written yet, may return the `enqueue(token)` of a job that writes it, for a file too
    slow to write in the request (a long list's workbook): then it is made as made_by_job
    makes its files. A response that is not public (no freshness on the request: staff who
    see drafts) is streamed and never stored, or when `job()` asks for a job, written by it
    into a file of the reader's own (PRIVATE)."""
    fresh = getattr(request, "freshness", None)
    if fresh is None:
        enqueue = job() if job else None
        if enqueue is None:
            return writers.response(table(), stored.fmt)
        return _queued_privately(request, stored, enqueue)
    path = path_of(*stored, fresh.token)
    if not path.exists():
        enqueue = job() if job else None
        if enqueue is not None:
            waiting = _queued(request, path, enqueue)
            if waiting is not None:
                return waiting
        else:
            _write(path, lambda out: writers.write(table(), stored.fmt, out))
    return writers.label(_send(path), stored.name, stored.fmt)


def written_by_job(fmt: str, queryset) -> bool:
    """Whether the download of `queryset`'s records is too slow to write in a request: a
    workbook of more than DOWNLOAD_BACKGROUND_ROWS records (one COUNT, asked only when no file
    is written yet). A CSV or JSON file of any length is streamed as it is read."""
    return fmt == "xlsx" and queryset.count() > settings.DOWNLOAD_BACKGROUND_ROWS


def made_by_job(
    request,
    stored: Stored,
    *,
    render: Callable[[], bytes],
    enqueue: Callable[[str], object],
    headers: dict[str, str],
) -> HttpResponse:
    """A download made by a background job: its stored file when this version's is written,
    else `enqueue(token)` once for this version (the job calls `write`, then `release` with
    that token) and a 202 "生成中" that asks the reader to come back. With a backend that runs
    the job at once (ImmediateBackend) the file is there when `enqueue` returns: it is sent.
    A response that is not public (staff who see drafts) is `render()`ed in the request and
    never stored. `headers` are the file's (Content-Type, Content-Disposition)."""
    fresh = getattr(request, "freshness", None)
    if fresh is None:
        reply = HttpResponse(render())
    else:
        path = path_of(*stored, fresh.token)
        waiting = _queued(request, path, enqueue)
        if waiting is not None:
            return waiting
        reply = _send(path)
    for header, value in headers.items():
        reply[header] = value
    return reply


def _queued(request, path: Path, enqueue: Callable[[str], object]) -> HttpResponse | None:
    """None once `path`, this version's file, is written; else its job is queued (once for
    this version, however many readers ask) and the reader is answered 202 (`pending`)."""
    _queue(path, request.freshness.token, enqueue)
    return None if path.exists() else pending(request)


def queue(stored: Stored, token: str, enqueue: Callable[[str], object]) -> bool:
    """Without a reader: `enqueue(token)` the job that writes the version `token` of `stored`
    (in the active language), unless its file is written or its job queued already (a
    publication's downloads, made before their first reader asks). True if it queued one."""
    return _queue(path_of(*stored, token), token, enqueue)


def _queue(path: Path, token: str, enqueue: Callable[[str], object]) -> bool:
    if path.exists() or not _claim(_marker(path)):
        return False
    try:
        enqueue(token)
    except BaseException:
        _marker(path).unlink(missing_ok=True)  # the next reader tries again
        raise
    logger.info("download queued: %s", path.name)
    return True


def write(stored: Stored, token: str, make: Callable[[], bytes]) -> Path:
    """In the job: the file of this version (or the private file `token` names), made by
    `make()` unless it is already there."""
    path = _file_of(stored, token)
    if not path.exists():
        content = make()
        _write(path, lambda out: out.write(content))
        logger.info("download written: %s (%s bytes)", path.name, len(content))
    return path


def release(stored: Stored, token: str) -> None:
    """In the job, at its end whatever happened: the version it was queued for is no longer
    queued, so that a job that wrote nothing (failed, or the data moved on) is queued again
    by the next reader (a private file's reader is told it failed)."""
    _marker(_file_of(stored, token)).unlink(missing_ok=True)


def private_owner(token: str):
    """The member of staff a job's file is written for, when `token` names a private file
    (the job then reads as them); else None."""
    if not token.startswith(_PRIVATE_TOKEN):
        return None
    owner = int(_PRIVATE_KEY.fullmatch(token.removeprefix(_PRIVATE_TOKEN))[1])
    return get_user_model()._default_manager.get(pk=owner)


def _file_of(stored: Stored, token: str) -> Path:
    if not token.startswith(_PRIVATE_TOKEN):
        return path_of(*stored, token)
    key = token.removeprefix(_PRIVATE_TOKEN)
    return Path(settings.DOWNLOADS_DIR) / PRIVATE / f"{key}.{stored.name}.{stored.fmt}"


def _queued_privately(request, stored: Stored, enqueue: Callable[[str], object]) -> HttpResponse:
    """A job writes this reader's file (`enqueue` is given its private token) and they are
    answered 202 with a page that goes to it (`private_response`)."""
    key = f"{request.user.pk}-{secrets.token_hex(16)}"
    token = _PRIVATE_TOKEN + key
    path = _file_of(stored, token)
    for old in path.parent.glob("*"):  # the files of an hour ago: kept no longer
        if _age(old) > PRIVATE_SECONDS:
            old.unlink(missing_ok=True)
    _queue(path, token, enqueue)  # a new key: always queued
    return pending(request, url=reverse("private-download", args=[key]))


def private_response(request, key: str) -> HttpResponse:
    """A reader's private file (`_queued_privately`): sent once written, 202 while its job is
    queued or running, 404 to anyone else, or once it failed or was removed."""
    found = _PRIVATE_KEY.fullmatch(key)
    # Written for one member of staff (who sees drafts, or exports a list in the admin).
    if found is None or not request.user.is_staff or int(found[1]) != request.user.pk:
        raise Http404
    folder = Path(settings.DOWNLOADS_DIR) / PRIVATE
    for path in folder.glob(f"{key}.*"):  # its marker starts with a dot: not matched
        name, fmt = path.name.removeprefix(f"{key}.").rsplit(".", 1)
        reply = writers.label(_send(path), name, fmt)
        break
    else:
        queued = [m for m in folder.glob(f".{key}.*.queued") if _age(m) < QUEUED_STALE_SECONDS]
        if queued:
            reply = pending(request)
        else:  # its job failed, was lost, or the file was removed (PRIVATE_SECONDS)
            page = render_to_string("download_gone.html", request=request)
            reply = HttpResponse(page, status=404)
    patch_cache_control(reply, private=True, no_store=True)
    return reply


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return float("inf")


def pending(request, url: str | None = None) -> HttpResponse:
    """202 生成中: a small page that goes to `url` (else reloads the same URL) after
    RETRY_SECONDS; never stored."""
    url = url or request.get_full_path()
    reply = HttpResponse(
        render_to_string("preparing.html", {"seconds": RETRY_SECONDS, "url": url}, request=request),
        status=202,
    )
    reply["Retry-After"] = str(RETRY_SECONDS)
    if url != request.get_full_path():
        reply["Location"] = url
    patch_cache_control(reply, no_store=True)
    return reply


def _send(path: Path) -> HttpResponse:
    if settings.DOWNLOADS_ACCEL_REDIRECT:
        reply = HttpResponse()
        where = path.relative_to(Path(settings.DOWNLOADS_DIR)).as_posix()
        reply["X-Accel-Redirect"] = settings.DOWNLOADS_ACCEL_REDIRECT + where
        return reply
    return FileResponse(path.open("rb"))


def _marker(path: Path) -> Path:
    # Hidden, and not ending in the format: never sent, never taken for another version.
    return path.with_name(f".{path.name}.queued")


def _claim(marker: Path) -> bool:
    """True for the one caller that creates the marker (O_EXCL: atomic on the host), or that
    replaces a stale one."""
    marker.parent.mkdir(parents=True, exist_ok=True)
    for _attempt in range(2):
        try:
            os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            return True
        except FileExistsError:
            try:
                age = time.time() - marker.stat().st_mtime
            except FileNotFoundError:
                continue  # released meanwhile: try to claim it
            if age < QUEUED_STALE_SECONDS:
                return False
            logger.warning("download job lost (queued %d s ago), queued again: %s", age, marker)
            marker.unlink(missing_ok=True)
    return False


def _write(path: Path, fill: Callable) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".writing-")
    try:
        with os.fdopen(handle, "wb") as out:
            fill(out)
        # mkstemp makes it readable by its owner only: nginx, sending it, is another user.
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)  # complete, or not there at all
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _remove_superseded(path)


def _remove_superseded(path: Path) -> None:
    """Removes the other versions of `path`'s download that a newer one has superseded for
    SUPERSEDED_SECONDS: a reader that found one a moment ago (or the proxy it named it to) may
    be about to open it. A version's time is its file's (when it was written)."""
    stem, fmt = path.name.rsplit(".", 2)[0], path.suffix  # name.what: other versions of it
    written = {}
    for version in path.parent.glob(f"{stem}.*{fmt}"):
        try:
            written[version] = version.stat().st_mtime
        except FileNotFoundError:
            continue  # removed meanwhile by another writer
    # The newest version that has been there SUPERSEDED_SECONDS: those before it are superseded.
    settled = max((t for t in written.values() if t < time.time() - SUPERSEDED_SECONDS), default=0)
    for version, at in written.items():
        if at < settled:
            version.unlink(missing_ok=True)
