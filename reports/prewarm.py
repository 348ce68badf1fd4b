"""A publication's downloads, made before their first reader asks.

A reader of a new version's PDF, the province's workbook of its year or a long list's workbook
was told "生成中" while a job made it (a few seconds; the whole register's workbook, half a
minute). Once a publication commits (hotline.signals.report_published) the same jobs are queued
here, in every language of the site, as their first reader's request would have queued them
(hotline.download_store.queue: once per version, never beside a reader's), for the versions it
made, behind the jobs of readers who are waiting. The files print the site's address: without
SITE_URL there is none to print, and nothing is queued; nor with a task backend that runs jobs
as they are queued (ImmediateBackend). A reopening or a catalogue edit makes new versions too;
their files are made when first asked for, as before: such edits are rare, and remaking every
city's files at each one would keep the downloads' workers busy for long.
"""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict
from django.utils import translation
from django_tasks.backends.immediate import ImmediateBackend

from hotline import download_jobs, download_store, freshness

from . import downloads, extra_tables, pdf, record_lists, tasks

logger = logging.getLogger(__name__)

# Behind every job a reader waits for (theirs have the tasks' own priority, 0): no one is
# waiting for these yet, and a publication queues eight.
PRIORITY = -10
FMT = "xlsx"  # the lists' downloads too slow for a request (download_store.written_by_job)
REGISTER = "sharing-register"


def jobs(report) -> list[tuple]:
    """The downloads the publication of `report` renews that a reader would wait for, as
    (stored, scopes, job): the report's PDF, its register's workbook and the unfiltered lists'
    when long, the province's workbook of its year."""
    city, year = report.region.slug, report.year
    anyone = AnonymousUser()
    found = [
        (
            pdf.stored_as(city, year),
            freshness.report_scopes(city),
            (tasks.render_report_pdf, city, year),
        ),
        (
            downloads.province_workbook(year),
            freshness.SITE_SCOPES,
            (tasks.render_province_workbook, year),
        ),
    ]
    rows, _dataset = extra_tables.table(anyone, report, REGISTER)
    if download_store.written_by_job(FMT, rows):
        stored = extra_tables.stored(city, year, REGISTER, FMT)
        job = (tasks.write_report_table, city, year, REGISTER, stored)
        found.append((stored, freshness.report_scopes(city), job))
    for kind in record_lists.RECORDS:
        form, records = record_lists.read(anyone, kind, QueryDict())
        if download_store.written_by_job(FMT, records):
            stored = record_lists.stored(kind, FMT, form)
            found.append(
                (stored, freshness.SITE_SCOPES, (tasks.write_record_list, kind, "", stored))
            )
    return found


def after_publication(sender, report, **kwargs) -> None:
    """Receiver of hotline.signals.report_published."""
    # A backend that runs each job as it is queued would make the publication's request wait
    # for every file: its first readers would wait less than that.
    if not settings.SITE_URL or isinstance(tasks.render_report_pdf.get_backend(), ImmediateBackend):
        return
    address = urlsplit(settings.SITE_URL)
    found = [
        (
            stored,
            freshness.read(scopes).token,
            download_jobs.enqueuer(job, address.scheme, address.netloc, priority=PRIORITY),
        )
        for stored, scopes, job in jobs(report)
    ]
    queued = 0
    for language, _name in settings.LANGUAGES:  # the site's first language's files first
        with translation.override(language):  # enqueue() queues in the active language
            for stored, token, enqueue in found:
                queued += download_store.queue(stored, token, enqueue)
    logger.info("publication of %s: %d downloads queued", report, queued)
