"""The whole report as a PDF, rendered by the server from the print template (WeasyPrint).

Chinese needs a CJK font on the server (fonts-noto-cjk; see .ci/run). Rendering takes about a
second, so a PDF is kept in the cache under the page's ETag: a repeat download costs nothing.
"""

import hashlib

from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language

from .caching import RENDER_VERSION

STYLESHEET = "reports/print.css"
CACHE_SECONDS = 24 * 3600


def _no_fetching(url, *args, **kwargs):
    # Everything the PDF needs is inline; never let a stored URL make the server fetch it.
    raise ValueError(f"the PDF does not load external resources: {url}")


def render_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML  # imported on first use: it takes most of a second

    with open(finders.find(STYLESHEET), encoding="utf-8") as f:
        css = CSS(string=f.read(), url_fetcher=_no_fetching)
    return HTML(string=html, url_fetcher=_no_fetching).write_pdf(stylesheets=[css])


def report_pdf_response(request, report, page, updated, *, version: str) -> HttpResponse:
    """`page()` builds what the PDF shows, only when it is not in the cache; `version` is
    the report's freshness token."""
    url = request.build_absolute_uri(
        reverse("reports:report", args=[report.region.slug, report.year])
    )
    key = (
        "reports:pdf:"
        + hashlib.sha1(f"{version}|{get_language()}|{RENDER_VERSION}|{url}".encode()).hexdigest()
    )
    body = cache.get(key)
    if body is None:
        html = render_to_string(
            "reports/report_print.html",
            {
                "report": report,
                "page": page(),
                "url": url,
                "source_note": {"source": report.source, "updated": updated},
            },
            request=request,
        )
        body = render_pdf(html)
        if report.is_published:
            cache.set(key, body, CACHE_SECONDS)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="{report.region.slug}-{report.year}-annual-report.pdf"'
    )
    return response
