"""Background jobs of the public site (Django's Tasks framework, README "Deploying").

`render_report_pdf` writes a published report's PDF into the download store for the version
of the data the worker reads (hotline.download_store.made_by_job queued it, once per version).
It renders as an anonymous reader would, with a stand-in request for the address the reader
used (printed in the PDF) and the reader's language.
"""

import io
import logging

from django.contrib.auth.models import AnonymousUser
from django.core.handlers.wsgi import WSGIRequest
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from hotline import download_store, freshness
from hotline.models import AnnualReport

from . import pdf, selectors

logger = logging.getLogger(__name__)


def _public_request(scheme: str, host: str, path: str) -> WSGIRequest:
    name, _, port = host.partition(":")
    request = WSGIRequest(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "wsgi.input": io.BytesIO(),
            "wsgi.url_scheme": scheme,
            "HTTP_HOST": host,
            "SERVER_NAME": name,
            "SERVER_PORT": port or ("443" if scheme == "https" else "80"),
        }
    )
    request.user = AnonymousUser()
    return request


@task(queue_name=download_store.QUEUE)
def render_report_pdf(city: str, year: int, token: str, language: str, scheme: str, host: str):
    """Write the PDF of the published report `city` `year`, queued for version `token`."""
    name, key = pdf.stored_as(city, year)
    with translation.override(language):
        try:
            request = _public_request(
                scheme, host, reverse("reports:report-pdf", args=[city, year])
            )
            # The data as it is now: the file is named for the version it is made from.
            fresh = request.freshness = freshness.read(freshness.report_scopes(city))
            try:
                report = selectors.visible_report(request.user, city, year)
            except AnnualReport.DoesNotExist:
                logger.info("report PDF %s %s: not published any more", city, year)
                return "gone"

            def make():
                page = selectors.report_page(request.user, report)
                return pdf.render_report(request, report, page, fresh.last_modified)

            return download_store.write(name, "pdf", key, fresh.token, make).name
        finally:
            download_store.release(name, "pdf", key, token)
