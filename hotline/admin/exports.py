"""The admin's export of a list: streamed in the request, or, for a workbook too slow for one,
written by a job into a file of the staff member's own.

An XLSX export of more than DOWNLOAD_BACKGROUND_ROWS records held a web worker for as long as
the workbook took (the whole register of 100,000 lines: 7-15 s). As for a long list's workbook
on the site (hotline.download_store), a job on the downloads' queue writes it instead, into a
private file that the 202 生成中 page leads to (/downloads/<key>/) and that only its reader
can open. The job exports what the request would have: the list as that member of staff sees
it now (the admin's own queryset, filters, search and order, from the request's query
string), or the records they selected.
"""

import logging
from functools import partial

from django.apps import apps
from django.contrib import admin
from django.utils import translation
from django_tasks import task

from hotline import download_jobs, download_store, writers
from hotline.importing import exporting

logger = logging.getLogger(__name__)


def response(model_admin, request, queryset, fmt: str, export_form=None):
    """The export of `queryset` in `fmt`: the list `model_admin` shows to `request`'s reader,
    or the records selected in it (`export_form`'s export_items)."""
    table = exporting.table(model_admin.spec, queryset)
    stored = download_store.Stored(table.name, fmt, "")

    def job():
        # Without the export form (skipped for an action's selection) the job could not name
        # the records: written in the request, as every export was.
        if export_form is None or not download_store.written_by_job(fmt, queryset):
            return None
        chosen = "export_items" in export_form.changed_data  # the action's selection
        selected = export_form.cleaned_data["export_items"] if chosen else None
        query = request.META.get("QUERY_STRING", "")
        task = (write_export, model_admin.opts.label, request.path, query, selected, stored)
        return download_jobs.enqueuer(task, request.scheme, request.get_host())

    return download_store.response(request, stored, lambda: table, job=job)


@task(queue_name=download_store.QUEUE)
def write_export(
    model: str,
    path: str,
    query: str,
    selected: list | None,
    stored: list,
    token: str,
    language: str,
    scheme: str,
    host: str,
) -> str:
    """The workbook `stored` (a download_store.Stored) of the admin's list of `model`, as its
    reader (download_store.private_owner) asked for it at `path`?`query` (or of the records
    `selected` in it), queued for the private file `token`. Returns the file's name, or
    "refused" when its reader may no longer export the list."""
    stored = download_store.Stored(*stored)
    try:
        owner = download_store.private_owner(token)
        request = download_jobs.stand_in_request(scheme, host, path, query, owner)
        model_admin = admin.site.get_model_admin(apps.get_model(model))
        # The admin's own rules: its site (active staff), then the list's export permission.
        if not (admin.site.has_permission(request) and model_admin.has_export_permission(request)):
            logger.warning("export of %s refused: user %s may not export it", model, owner.pk)
            return "refused"
        with translation.override(language):
            queryset = model_admin.get_export_queryset(request)
            if selected is not None:
                queryset = queryset.filter(pk__in=selected)
            table = exporting.table(model_admin.spec, queryset)
            make = partial(writers.content, table, stored.fmt)
            return download_store.write(stored, token, make).name
    finally:
        download_store.release(stored, token)
