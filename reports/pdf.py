"""The whole report as a PDF, rendered by the server from the print template (WeasyPrint).

Chinese needs a CJK font on the server (fonts-noto-cjk; see .ci/run). Rendering takes one to
three seconds, more under load: the public PDF is rendered by a background job (reports.tasks)
into the download store, once per version, and sent from there (hotline.download_store); staff
previewing a draft get theirs rendered in the request, never stored.
"""

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse

from hotline.download_store import Stored

STYLESHEET = "reports/print.css"


def _no_fetching(url, *args, **kwargs):
    # Everything the PDF needs is inline; never let a stored URL make the server fetch it.
    raise ValueError(f"the PDF does not load external resources: {url}")


def render_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML  # imported on first use: it takes most of a second

    with open(finders.find(STYLESHEET), encoding="utf-8") as f:
        css = CSS(string=f.read(), url_fetcher=_no_fetching)
    return HTML(string=html, url_fetcher=_no_fetching).write_pdf(stylesheets=[css])


def render_report(request, report, page, updated) -> bytes:
    """The report's PDF. `request` gives the site's address printed in it and the context
    (a reader's own, or the job's stand-in: reports.tasks)."""
    url = request.build_absolute_uri(
        reverse("reports:report", args=[report.region.slug, report.year])
    )
    html = render_to_string(
        "reports/report_print.html",
        {
            "report": report,
            "page": page,
            "url": url,
            "source_note": {"source": report.source, "updated": updated},
        },
        request=request,
    )
    return render_pdf(html)


def stored_as(city: str, year: int) -> Stored:
    """The report PDF in the download store (hotline.download_store)."""
    return Stored(f"{city}-{year}-annual-report", "pdf", f"report-pdf|{city}|{year}")


def headers(city: str, year: int) -> dict[str, str]:
    return {
        "Content-Type": "application/pdf",
        "Content-Disposition": f'inline; filename="{stored_as(city, year).name}.pdf"',
    }
