"""Background jobs of the public site (Django's Tasks framework, README "Deploying"), on the
downloads' queue (hotline.download_store.QUEUE), which the imports never hold up.

Each writes a public download too slow for a request into the download store, for the version
of the data the worker reads (hotline.download_store queued it, once per version): the report's
PDF, the province's workbook, a long record list's or register's workbook. It renders as an
anonymous reader would, with a stand-in request for the address the reader used (printed in the
file) and the reader's language; a long workbook asked for by staff who see drafts is written
the same way, as that reader reads, into a file of theirs alone (download_store.private_owner).
"""

import logging
from collections.abc import Callable

from django.core.exceptions import ObjectDoesNotExist
from django.core.handlers.wsgi import WSGIRequest
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from hotline import download_jobs, download_store, freshness, writers

from . import downloads, extra_tables, pdf, record_lists, selectors

logger = logging.getLogger(__name__)


def _write_as_read(
    stored: download_store.Stored,
    url: tuple[str, list, str],
    scopes,
    prepare: Callable[[WSGIRequest], Callable[[], bytes]],
    token: str,
    language: str,
    scheme: str,
    host: str,
) -> str:
    """Write the download `stored`, queued for version `token` (or for one reader:
    download_store.private_owner), as read at `url` (a view's name, arguments and query
    string) in `language` over `scheme`://`host`. `prepare(request)` finds
    what it shows, raising ObjectDoesNotExist if it is not published any more, and returns what
    makes the file's bytes. Returns the file's name, or "gone"."""
    with translation.override(language):
        try:
            name, args, query = url
            owner = download_store.private_owner(token)  # a reader who sees drafts, or None
            path = reverse(name, args=args)
            request = download_jobs.stand_in_request(scheme, host, path, query, owner)
            if owner is None:
                # The data as it is now: the file is named for the version it is made from.
                request.freshness = freshness.read(scopes)
            else:  # a file of that reader's own: read as they read
                request.freshness = freshness.Freshness(token, None)
            try:
                make = prepare(request)
            except ObjectDoesNotExist:
                logger.info("download %s: not published any more", stored.name)
                return "gone"
            return download_store.write(stored, request.freshness.token, make).name
        finally:
            download_store.release(stored, token)


@task(queue_name=download_store.QUEUE)
def render_report_pdf(city: str, year: int, token: str, language: str, scheme: str, host: str):
    """The PDF of the published report `city` `year`, queued for version `token`."""

    def prepare(request):
        page = selectors.report_page(request.user, city, year)
        return lambda: pdf.render_report(
            request, page.report, page, request.freshness.last_modified
        )

    url = ("reports:report-pdf", [city, year], "")
    scopes = freshness.report_scopes(city)
    stored = pdf.stored_as(city, year)
    return _write_as_read(stored, url, scopes, prepare, token, language, scheme, host)


@task(queue_name=download_store.QUEUE)
def render_province_workbook(year: int, token: str, language: str, scheme: str, host: str):
    """The province's XLSX of `year`, queued for version `token`."""

    def prepare(request):
        page = selectors.province_page(request.user, year, checks=False)
        return lambda: writers.content(downloads.province_dataset(request, page), "xlsx")

    url = ("reports:province-download", [year, "xlsx"], "")
    stored = downloads.province_workbook(year)
    scopes = freshness.SITE_SCOPES
    return _write_as_read(stored, url, scopes, prepare, token, language, scheme, host)


@task(queue_name=download_store.QUEUE)
def write_record_list(
    kind: str, query: str, stored: list, token: str, language: str, scheme: str, host: str
):
    """The download `stored` (a download_store.Stored) of the record list `kind` filtered by
    `query` (the reader's query string), queued for version `token`."""
    stored = download_store.Stored(*stored)

    def prepare(request):
        _form, queryset = record_lists.read(request.user, kind, request.GET)
        table = record_lists.table(request, kind, queryset, request.freshness.last_modified)
        return lambda: writers.content(table, stored.fmt)

    url = (record_lists.RECORDS[kind].url, [stored.fmt], query)
    scopes = freshness.SITE_SCOPES
    return _write_as_read(stored, url, scopes, prepare, token, language, scheme, host)


@task(queue_name=download_store.QUEUE)
def write_report_table(
    city: str, year: int, code: str, stored: list, token: str, language: str, scheme: str, host: str
):
    """The download `stored` (a download_store.Stored) of the table `code` of the published
    report `city` `year` (a long register), queued for version `token`."""
    stored = download_store.Stored(*stored)

    def prepare(request):
        report = selectors.visible_report(request.user, city, year)
        table = extra_tables.download(request, report, code, request.freshness.last_modified)
        return lambda: writers.content(table, stored.fmt)

    url = ("reports:table-download", [city, year, code, stored.fmt], "")
    scopes = freshness.report_scopes(city)
    return _write_as_read(stored, url, scopes, prepare, token, language, scheme, host)
