"""What every job that writes a download (hotline.download_store) is given and reads as: the
site's (reports.tasks) and the admin's (hotline.admin.exports) alike.

A job is queued with the version it writes (`token`), the reader's language and the address
they read at (`scheme`, `host`): it renders with a stand-in for their request, so that what the
file prints (its address, its language) is what the reader's request would have made.
"""

import io
from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.core.handlers.wsgi import WSGIRequest
from django.utils import translation


def enqueuer(job, scheme: str, host: str, *, priority: int | None = None) -> Callable[[str], None]:
    """What queues the task `job[0]`, called with the arguments `job[1:]`, for a version (the
    `token` it is given), in the active language, as read at `scheme`://`host`; with
    `priority`, ahead of (or after) jobs of the task's own priority (workers take the highest
    first)."""

    def enqueue(token: str) -> None:
        task, *args = job
        if priority is not None and task.get_backend().supports_priority:
            task = task.using(priority=priority)
        task.enqueue(*args, token, translation.get_language(), scheme, host)

    return enqueue


def stand_in_request(scheme: str, host: str, path: str, query: str = "", user=None) -> WSGIRequest:
    """A GET of `path`?`query` at `scheme`://`host` by `user` (anonymous when None)."""
    name, _, port = host.partition(":")
    request = WSGIRequest(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "wsgi.input": io.BytesIO(),
            "wsgi.url_scheme": scheme,
            "HTTP_HOST": host,
            "SERVER_NAME": name,
            "SERVER_PORT": port or ("443" if scheme == "https" else "80"),
        }
    )
    request.user = user or AnonymousUser()
    return request
