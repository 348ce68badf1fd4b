"""When the database goes away: a clear message, not a server error, and nothing half-written.

Every multi-row write runs in one transaction, so a lost connection rolls it all back. Django
reconnects by itself on the next request (CONN_HEALTH_CHECKS in settings).
"""

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

# The connection was lost (server stopped, network cut) or could not be made.
DATABASE_GONE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def database_gone_message() -> str:
    return _(
        "The database could not be reached, so nothing was saved. Try again in a minute; "
        "if it keeps happening, tell the administrator."
    )


class DatabaseUnavailableMiddleware:
    """A view whose database cannot be reached answers 503 with a page that needs none."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_GONE):
            return None
        page = render_to_string("503.html", {"message": database_gone_message()})
        response = HttpResponse(page, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
