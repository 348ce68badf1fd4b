"""When the database goes away: a clear message, not a server error, and nothing half-written.

Every multi-row write runs in one transaction, so a lost connection rolls it all back. Django
reconnects by itself on the next request (CONN_HEALTH_CHECKS in settings). On SQLite a write
that waited past the busy timeout for another (an import) is told so, not that the database
is gone.
"""

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

# The connection was lost (server stopped, network cut) or could not be made.
DATABASE_GONE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
BUSY_RETRY_AFTER_SECONDS = 10


def database_gone_message() -> str:
    return _(
        "The database could not be reached, so nothing was saved. Try again in a minute; "
        "if it keeps happening, tell the administrator."
    )


def database_busy(error: Exception) -> bool:
    """SQLite's one writer is taken (an import, most likely) past the busy timeout: the
    database is there, the write has to wait its turn."""
    return isinstance(error, OperationalError) and "database is locked" in str(error)


def outage_message(error: Exception) -> str:
    """What a user whose write failed with `error` (one of DATABASE_GONE) is told."""
    if database_busy(error):
        return _(
            "An import is running and the database is busy, so nothing was saved. "
            "Try again in a minute."
        )
    return database_gone_message()


class DatabaseUnavailableMiddleware:
    """A view whose database cannot be reached answers 503 with a page that needs none."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_GONE):
            return None
        page = render_to_string("503.html", {"message": outage_message(exception)})
        response = HttpResponse(page, status=503)
        busy = database_busy(exception)
        response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS if busy else RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
