"""Public report pages: thin views over reports.selectors, with caching headers."""

from functools import wraps

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from hotline import caching, download_jobs, download_store, freshness, writers
from hotline.models import (
    AnnualReport,
    DataSharingRequest,
    LivestreamEpisode,
    PolicyDocument,
    Region,
    ReportTable,
)

from . import downloads, extra_tables, pdf, record_lists, selectors, tasks
from .forms import RecordFilter

PAGE_SIZE = 50

# The query parameters each kind of page reads (hotline.caching.respond drops any other).
COMPARE_PARAMETERS = ("year", "indicator")
FILTER_PARAMETERS = tuple(RecordFilter.base_fields)


def public(scopes_of, reads=()):
    """A public page or download, conditional and cached by the freshness of what it shows:
    `scopes_of(**url_kwargs)` names it (hotline.freshness); `reads` the query parameters the
    view reads, the others being dropped before it runs and from the cache key."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            return caching.respond(
                request,
                scopes_of(**kwargs),
                lambda: view(request, *args, **kwargs),
                reads=reads(**kwargs) if callable(reads) else reads,
            )

        return wrapped

    return decorator


def report_page(view=None, *, reads=()):
    decorator = public(lambda city, **kwargs: freshness.report_scopes(city), reads)
    return decorator(view) if view else decorator


def site_page(view=None, *, reads=()):
    decorator = public(lambda **kwargs: freshness.SITE_SCOPES, reads)
    return decorator(view) if view else decorator


def _report(request, city, year, read=selectors.visible_report):
    """The report a page is about, or what `read` makes of it (selectors.report_page); 404
    when the user may not see it."""
    try:
        return read(request.user, city, year)
    except AnnualReport.DoesNotExist:
        raise Http404(_("No such report.")) from None


def _updated(request, report=None):
    """When what the page shows last changed: the published data's version, or for a draft
    (staff only) when the report itself was last saved."""
    if report is not None and not report.is_published:
        return report.updated_at
    fresh = getattr(request, "freshness", None)
    return fresh.last_modified if fresh else None


def _source(report, updated, extra=""):
    return {
        "report": report,
        "source": report.source if report else "",
        "updated": updated,
        "extra": extra,
    }


@site_page
def index(request):
    cities = selectors.index_page(request.user)
    return render(
        request,
        "reports/index.html",
        {
            "cities": cities,
            # The years the province's view has: read from the reports already listed.
            "province_years": sorted(
                {s.report.year for c in cities for s in c.reports if s.report.is_published},
                reverse=True,
            ),
            "source_note": _source(None, _updated(request)),
        },
    )


@report_page
def report(request, city, year):
    page = _report(request, city, year, read=selectors.report_page)
    report = page.report
    context = {"page": page, "report": report}
    context["source_note"] = _source(report, _updated(request, report))
    context["body"] = _body_html(request, page, context)
    return render(request, "reports/report.html", context)


def _body_html(request, page, context) -> dict[str, str]:
    """The page's contents and sections. What the public sees of a published report is the
    same for every reader, staff included, and most of a render's time: made once per version
    and kept (hotline.caching.kept_for_report), and its data then not even read."""

    def make():  # safe strings, kept as such
        return {
            part: render_to_string(f"reports/_report_{part}.html", context, request)
            for part in ("toc", "sections")
        }

    return caching.kept_for_report("report-body", page.report, make) if page.shared else make()


@report_page
def report_pdf(request, city, year):
    report = _report(request, city, year)

    def render():  # staff previewing: in the request, never stored
        page = selectors.report_page(request.user, city, year)
        return pdf.render_report(request, report, page, _updated(request, report))

    stored = pdf.stored_as(city, year)
    job = (tasks.render_report_pdf, city, year)
    return _made_by_job(request, stored, job, render, pdf.headers(city, year))


def _made_by_job(request, stored, job, render, headers):
    """The download `stored`, written by the job `job` (as _enqueuer's)."""
    return download_store.made_by_job(
        request, stored, render=render, enqueue=_enqueuer(request, job), headers=headers
    )


def _enqueuer(request, job):
    """What queues the task `job[0]` called with the arguments `job[1:]` and the version,
    language and address of this request (hotline.download_jobs)."""
    return download_jobs.enqueuer(job, request.scheme, request.get_host())


# -- Tables: one page and three downloads each ------------------------------------------------


def _table(request, report, code):
    if code in extra_tables.CODES:
        rows, dataset = extra_tables.table(request.user, report, code)
        return {"extra": code, "rows": rows, "dataset": dataset}
    try:
        table, grid = selectors.table_figures(request.user, report, code)
    except ReportTable.DoesNotExist:
        raise Http404(_("No such table.")) from None
    return {"grid": grid, "table": table, "dataset": downloads.grid_dataset(report, grid)}


@report_page(reads=lambda code, **kwargs: ("page",) if code in extra_tables.PAGED_TABLES else ())
def table(request, city, year, code):
    report = _report(request, city, year)
    context = _table(request, report, code)
    if code in extra_tables.PAGED_TABLES:
        context["rows"] = context["page_obj"] = Paginator(context["rows"], PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    context |= {
        "report": report,
        "code": code,
        "source_note": _source(report, _updated(request, report)),
    }
    return render(request, "reports/table.html", context)


@report_page
def table_download(request, city, year, code, fmt):
    report = _report(request, city, year)
    updated = _updated(request, report)
    if code not in extra_tables.PAGED_TABLES:
        dataset = _table(request, report, code)["dataset"]
        dataset = extra_tables.placed(dataset, request, report, code, updated)
        return writers.response(dataset, fmt, stream=False)
    # As long as its records: written to a file and sent from it; a long one's workbook by a
    # job (download_store.written_by_job).
    stored = extra_tables.stored(city, year, code, fmt)

    def job():
        rows, _dataset = extra_tables.table(request.user, report, code)
        if not download_store.written_by_job(fmt, rows):
            return None
        return _enqueuer(request, (tasks.write_report_table, city, year, code, stored))

    def table():
        return extra_tables.download(request, report, code, updated)

    return download_store.response(request, stored, table, job=job)


# -- A city across the years; cities side by side ---------------------------------------------


def _city_page(request, city):
    reports = list(
        selectors.visible_reports(request.user).filter(region__slug=city).order_by("year")
    )
    if not reports:
        raise Http404(_("No published report for this city."))
    return selectors.city_page(
        request.user, reports[0].region, reports, request.GET.get("indicator")
    )


@report_page(reads=("indicator",))
def city(request, city):
    page = _city_page(request, city)
    return render(
        request,
        "reports/city.html",
        {"page": page, "source_note": _source(None, _updated(request))},
    )


@report_page(reads=("indicator",))
def city_download(request, city, fmt):
    page = _city_page(request, city)
    dataset = downloads.trend_dataset(page.region, page.reports, page.tables)
    dataset.url = request.build_absolute_uri(reverse("reports:city", args=[city]))
    dataset.last_modified = _updated(request)
    return writers.response(dataset, fmt, stream=False)


def _year(request):
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return None


@site_page(reads=COMPARE_PARAMETERS)
def compare(request):
    page = selectors.compare_page(request.user, _year(request), request.GET.get("indicator"))
    return render(
        request,
        "reports/compare.html",
        {"page": page, "source_note": _source(None, _updated(request))},
    )


@site_page(reads=COMPARE_PARAMETERS)
def compare_download(request, fmt):
    page = selectors.compare_page(request.user, _year(request), request.GET.get("indicator"))
    if page.indicator is None or page.year is None:
        raise Http404(_("Nothing to compare."))
    dataset = downloads.compare_dataset(page)
    dataset.url = (
        request.build_absolute_uri(reverse("reports:compare"))
        + "?"
        + (f"year={page.year}&indicator={page.indicator.code}")
    )
    dataset.last_modified = _updated(request)
    return writers.response(dataset, fmt, stream=False)


# -- The province's view: the cities of a year side by side ----------------------------------


def _no_province_year():
    return Http404(_("No city has published a report for this year."))


def _province_page(request, year, **options):
    try:
        return selectors.province_page(request.user, year, **options)
    except (Region.DoesNotExist, AnnualReport.DoesNotExist):
        raise _no_province_year() from None


@site_page
def province(request, year):
    page = _province_page(request, year)
    return render(
        request,
        "reports/province.html",
        {"page": page, "source_note": _source(None, _updated(request))},
    )


@site_page
def province_download(request, year, fmt):
    def table():
        return downloads.province_dataset(request, _province_page(request, year, checks=False))

    if fmt != "xlsx":
        return writers.response(table(), fmt, stream=False)
    # The workbook takes about a second at 13 cities: written by a job, once per version.
    if not selectors.has_published(year):
        raise _no_province_year()
    stored = downloads.province_workbook(year)
    job = (tasks.render_province_workbook, year)

    def render():  # staff who see drafts: in the request, never stored
        return writers.content(table(), fmt)

    return _made_by_job(request, stored, job, render, writers.headers(stored.name, fmt))


# -- Record lists and details -----------------------------------------------------------------


def _list_view(kind, template):
    @site_page(reads=(*FILTER_PARAMETERS, "page"))
    def view(request):
        form, queryset = record_lists.read(request.user, kind, request.GET)
        page = selectors.ListPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            template,
            {
                "form": form,
                "page_obj": page,
                "query": query.urlencode(),
                "download_base": reverse(record_lists.RECORDS[kind].url, args=["csv"])[
                    : -len("csv")
                ],
                "source_note": _source(None, _updated(request)),
                "totals_only": (
                    selectors.episodes_in_totals_only(request.user, form.filters())
                    if kind == "episodes"
                    else []
                ),
            },
        )

    @site_page(reads=FILTER_PARAMETERS)
    def download(request, fmt):
        form, queryset = record_lists.read(request.user, kind, request.GET)
        stored = record_lists.stored(kind, fmt, form)

        def job():
            if not download_store.written_by_job(fmt, queryset):
                return None
            query = request.META.get("QUERY_STRING", "")  # the filters only (site_page)
            return _enqueuer(request, (tasks.write_record_list, kind, query, stored))

        def table():
            return record_lists.table(request, kind, queryset, _updated(request))

        return download_store.response(request, stored, table, job=job)

    return view, download


episode_list, episode_list_download = _list_view("episodes", "reports/episode_list.html")
sharing_list, sharing_list_download = _list_view("sharing", "reports/sharing_list.html")
policy_list, policy_list_download = _list_view("policies", "reports/policy_list.html")


def _detail(request, selector, template, name, *, city, year, **lookup):
    report = _report(request, city, year)
    try:
        obj = selector(report, **lookup)
    except (
        LivestreamEpisode.DoesNotExist,
        DataSharingRequest.DoesNotExist,
        PolicyDocument.DoesNotExist,
    ):
        raise Http404(_("No such record.")) from None
    return render(
        request,
        template,
        {
            name: obj,
            "report": report,
            "source_note": _source(report, _updated(request, report)),
        },
    )


@report_page
def episode_detail(request, city, year, number):
    return _detail(
        request,
        selectors.episode_detail,
        "reports/episode_detail.html",
        "episode",
        city=city,
        year=year,
        number=number,
    )


@report_page
def sharing_detail(request, city, year, line):
    return _detail(
        request,
        selectors.sharing_detail,
        "reports/sharing_detail.html",
        "item",
        city=city,
        year=year,
        line=line,
    )


@report_page
def policy_detail(request, city, year, pk):
    return _detail(
        request,
        selectors.policy_detail,
        "reports/policy_detail.html",
        "document",
        city=city,
        year=year,
        pk=pk,
    )
