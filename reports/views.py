"""Public report pages: thin views over reports.selectors, with caching headers."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from hotline.models import (
    AnnualReport,
    DataSharingRequest,
    LivestreamEpisode,
    PolicyDocument,
    ReportTable,
)

from . import downloads, pdf, selectors
from .caching import cached_page
from .forms import RecordFilter

PAGE_SIZE = 50


class Page:
    """What a cached page is about, found before the view runs (see caching.cached_page)."""

    def __init__(self, freshness, **attrs):
        self.freshness = freshness
        self.__dict__.update(attrs)


class ReportPage(Page):
    """A page about one report: its freshness first, the report itself only if the page is
    rendered (a cached page needs no more than the freshness)."""

    @cached_property
    def report(self):
        try:
            return selectors.visible_report(self.user, self.freshness.report_id)
        except AnnualReport.DoesNotExist:  # deleted or unpublished since the freshness query
            raise Http404(_("No such report.")) from None


def _report(request, city, year, **kwargs):
    try:
        freshness = selectors.report_freshness(request.user, city, year)
    except AnnualReport.DoesNotExist:
        raise Http404(_("No such report.")) from None
    return ReportPage(freshness, user=request.user)


def _reports(request, **kwargs):
    freshness = selectors.reports_freshness(request.user)
    return Page(freshness)


def _city(request, city, **kwargs):
    freshness = selectors.reports_freshness(request.user, city)
    if not freshness.count:
        raise Http404(_("No published report for this city."))
    return Page(freshness)


def _source(report, updated, extra=""):
    return {
        "report": report,
        "source": report.source if report else "",
        "updated": updated,
        "extra": extra,
    }


@cached_page(_reports)
def index(request):
    return render(
        request,
        "reports/index.html",
        {
            "cities": selectors.index_page(request.user),
            "source_note": _source(None, request.page_object.freshness.last_modified),
        },
    )


@cached_page(_report)
def report(request, city, year):
    report = request.page_object.report
    page = selectors.report_page(request.user, report)
    return render(
        request,
        "reports/report.html",
        {"page": page, "report": report, "source_note": _source(report, _updated(request))},
    )


def _updated(request):
    return request.page_object.freshness.last_modified


@cached_page(_report)
def report_pdf(request, city, year):
    report = request.page_object.report
    return pdf.report_pdf_response(
        request,
        report,
        lambda: selectors.report_page(request.user, report),
        _updated(request),
        version=request.page_object.freshness.token,
    )


# -- Tables: one page and three downloads each ------------------------------------------------


def _extra_table(user, report, code):
    """The report's tables that are lists of records rather than catalogue figures."""
    if code == "top5-departments":
        counts = selectors.top_departments(report)
        return counts, downloads.top_departments_dataset(report, counts)
    if code == "top5-categories":
        categories = selectors.top_categories(report)
        return categories, downloads.top_categories_dataset(report, categories)
    if code == "sharing-register":
        requests = selectors.sharing_requests(report)
        for r in requests:
            r.report = report
        title = f"{report.title or report} · {_('Data-sharing register')}"
        name = f"{report.region.slug}-{report.year}-sharing-register"
        return requests, downloads.sharing_dataset(name, title, requests, report.source)
    if code == "policy-documents":
        documents = selectors.policy_documents(report)
        for d in documents:
            d.report = report
        title = f"{report.title or report} · {_('Rules and standards issued')}"
        name = f"{report.region.slug}-{report.year}-policy-documents"
        return documents, downloads.policy_dataset(name, title, documents, report.source)
    if code == "episodes":
        episodes = list(selectors.episodes(user, {"city": report.region.slug, "year": report.year}))
        title = f"{report.title or report} · {_('Live-broadcast episodes')}"
        name = f"{report.region.slug}-{report.year}-episodes"
        return episodes, downloads.episode_dataset(name, title, episodes, report.source)
    return None


EXTRA_TABLES = {
    "top5-departments",
    "top5-categories",
    "sharing-register",
    "policy-documents",
    "episodes",
}


def _table(request, report, code):
    if code in EXTRA_TABLES:
        rows, dataset = _extra_table(request.user, report, code)
        return {"extra": code, "rows": rows, "dataset": dataset}
    try:
        table, grid = selectors.table_figures(report, code)
    except ReportTable.DoesNotExist:
        raise Http404(_("No such table.")) from None
    return {"grid": grid, "table": table, "dataset": downloads.grid_dataset(report, grid)}


@cached_page(_report)
def table(request, city, year, code):
    report = request.page_object.report
    context = _table(request, report, code)
    context |= {
        "report": report,
        "code": code,
        "source_note": _source(report, _updated(request)),
    }
    return render(request, "reports/table.html", context)


@cached_page(_report)
def table_download(request, city, year, code, fmt):
    report = request.page_object.report
    dataset = _table(request, report, code)["dataset"]
    dataset.url = request.build_absolute_uri(reverse("reports:table", args=[city, year, code]))
    dataset.last_modified = _updated(request)
    return downloads.response(dataset, fmt)


# -- A city across the years; cities side by side ---------------------------------------------


def _city_page(request, city):
    reports = list(
        selectors.visible_reports(request.user).filter(region__slug=city).order_by("year")
    )
    return selectors.city_page(
        request.user, reports[0].region, reports, request.GET.get("indicator")
    )


@cached_page(_city)
def city(request, city):
    page = _city_page(request, city)
    return render(
        request,
        "reports/city.html",
        {"page": page, "source_note": _source(None, _updated(request))},
    )


@cached_page(_city)
def city_download(request, city, fmt):
    page = _city_page(request, city)
    dataset = downloads.trend_dataset(page.region, page.reports, page.tables)
    dataset.url = request.build_absolute_uri(reverse("reports:city", args=[city]))
    dataset.last_modified = _updated(request)
    return downloads.response(dataset, fmt)


def _year(request):
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return None


@cached_page(_reports)
def compare(request):
    page = selectors.compare_page(request.user, _year(request), request.GET.get("indicator"))
    return render(
        request,
        "reports/compare.html",
        {"page": page, "source_note": _source(None, _updated(request))},
    )


@cached_page(_reports)
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
    return downloads.response(dataset, fmt)


# -- Record lists and details -----------------------------------------------------------------

RECORDS = {
    "episodes": (selectors.episodes, downloads.episode_dataset, _("Live-broadcast episodes")),
    "sharing": (selectors.sharing, downloads.sharing_dataset, _("Data-sharing register")),
    "policies": (selectors.policies, downloads.policy_dataset, _("Rules and standards issued")),
}


def _record_list(request, kind):
    choices = selectors.filter_choices(request.user, kind)
    form = RecordFilter(request.GET, choices=choices)
    queryset = RECORDS[kind][0](request.user, form.filters())
    return form, queryset


def _list_view(kind, template, url_name):
    @cached_page(_reports)
    def view(request):
        form, queryset = _record_list(request, kind)
        paginator = Paginator(queryset, PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            template,
            {
                "form": form,
                "page_obj": page,
                "query": query.urlencode(),
                "download_base": reverse(url_name, args=["csv"])[: -len("csv")],
                "source_note": _source(None, _updated(request)),
            },
        )

    @cached_page(_reports)
    def download(request, fmt):
        _form, queryset = _record_list(request, kind)
        _selector, make, title = RECORDS[kind]
        name = {"episodes": "episodes", "sharing": "data-sharing", "policies": "policies"}[kind]
        # Read as they are written: however long the list, a fixed number of queries and
        # bounded memory (CSV and JSON are streamed; XLSX is written to a temporary file).
        dataset = make(name, str(title), selectors.stream_records(kind, queryset))
        dataset.url = request.build_absolute_uri()
        dataset.last_modified = _updated(request)
        return downloads.response(dataset, fmt, stream=True)

    return view, download


episode_list, episode_list_download = _list_view(
    "episodes", "reports/episode_list.html", "reports:episodes-download"
)
sharing_list, sharing_list_download = _list_view(
    "sharing", "reports/sharing_list.html", "reports:sharing-download"
)
policy_list, policy_list_download = _list_view(
    "policies", "reports/policy_list.html", "reports:policies-download"
)


def _detail(request, selector, template, name, **lookup):
    report = request.page_object.report
    try:
        obj = selector(request.user, report.region.slug, report.year, **lookup)
    except (
        LivestreamEpisode.DoesNotExist,
        DataSharingRequest.DoesNotExist,
        PolicyDocument.DoesNotExist,
    ):
        raise Http404(_("No such record.")) from None
    return render(
        request,
        template,
        {name: obj, "report": report, "source_note": _source(report, _updated(request))},
    )


@cached_page(_report)
def episode_detail(request, city, year, number):
    return _detail(
        request, selectors.episode_detail, "reports/episode_detail.html", "episode", number=number
    )


@cached_page(_report)
def sharing_detail(request, city, year, line):
    return _detail(
        request, selectors.sharing_detail, "reports/sharing_detail.html", "item", line=line
    )


@cached_page(_report)
def policy_detail(request, city, year, pk):
    return _detail(
        request, selectors.policy_detail, "reports/policy_detail.html", "document", pk=pk
    )
