"""The index and a report's own pages: the report as printed, its tables and its TOP5s."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, Exists, OuterRef, Sum
from django.utils.translation import gettext_lazy as _

from hotline import layout
from hotline.caching import kept_for_report
from hotline.checks import check_report
from hotline.models import (
    AnnualReport,
    AppealCount,
    DataSharingRequest,
    Department,
    Figure,
    LivestreamEpisode,
    PolicyDocument,
    Region,
    ReportTable,
    SharingMethod,
)
from hotline.models.catalogue import translated
from hotline.reading import ByKeys, Reader
from hotline.reference import with_indicators
from hotline.roles import sees_drafts

from .. import charts
from ..footnotes import annotate_ranked_rows, check_footnotes
from .corrections import Corrections, report_corrections
from .streams import KeyedRecords, read_records

HEADLINES = [
    ("appeals.total.total", _("Total appeals")),
    ("calls.inbound.answer_rate_30s", _("Calls answered by a person within 30 seconds")),
    ("effectiveness.total.resolution_rate", _("Resolution rate")),
]
HEADLINE_CODES = [code for code, _label in HEADLINES]


def visible_reports(user):
    return AnnualReport.private_objects.visible_to(user).select_related("region")


def visible_report(user, city: str, year: int) -> AnnualReport:
    """The report a page is about. Raises AnnualReport.DoesNotExist when the user may not
    see it."""
    return visible_reports(user).get(region__slug=city, year=year)


# -- Index ------------------------------------------------------------------------------------


@dataclass
class Headline:
    label: str
    figure: Figure | None


@dataclass
class ReportSummary:
    report: AnnualReport
    headlines: list[Headline]


@dataclass
class CitySummary:
    region: Region
    reports: list[ReportSummary] = field(default_factory=list)


def index_page(user) -> list[CitySummary]:
    reports = list(visible_reports(user).order_by("region__order", "region__slug", "-year"))
    figures = with_indicators(
        read_records(
            Figure.private_objects.filter(
                report__in=AnnualReport.private_objects.visible_to(user).values("pk"),
                indicator__code__in=HEADLINE_CODES,
            )
        )
    )
    by_report = defaultdict(dict)
    for figure in figures:
        by_report[figure.report_id][figure.indicator.code] = figure
    cities: dict[int, CitySummary] = {}
    for report in reports:
        city = cities.setdefault(report.region_id, CitySummary(region=report.region))
        found = by_report[report.pk]
        headlines = [Headline(label, found.get(code)) for code, label in HEADLINES]
        city.reports.append(ReportSummary(report, headlines))
    return list(cities.values())


# -- The annual report ------------------------------------------------------------------------


@dataclass
class ReportBody:
    """What a report's page prints of the report's data below its header: for everyone who
    sees the report as the public does (ReportPage.shared), the same."""

    sections: list[layout.Section]
    top_departments: list[AppealCount]
    top_categories: list[tuple[str, list[AppealCount]]]
    sharing: "SharingSummary"
    sharing_total: Figure | None
    policy_documents: list[PolicyDocument]
    charts: list[charts.Chart]  # of the report's own figures, each in its section
    # Whether the report lists its 政风热线 episodes, or prints their totals only (2023).
    episodes_listed: bool = True
    episode_total: Figure | None = None  # the printed number of episodes


@dataclass
class ReportPage:
    report: AnnualReport
    years: list[int]
    corrections: Corrections
    trends: list[charts.Chart]  # headline figures over the city's years, as the reader sees them
    # Last year's report the figure checks compared with: a draft only for staff who see drafts.
    compared_with: AnnualReport | None
    # Whether the body is what the public sees of a published report: then it is the same for
    # everyone, and its page keeps its HTML once per version (reports.views.report).
    shared: bool
    read_body: Callable[[], ReportBody] = field(repr=False)

    @cached_property
    def body(self) -> ReportBody:
        """Read when asked: not at all when the body's HTML is kept."""
        return self.read_body()


REPORT_FIGURES = KeyedRecords(Figure.private_objects.all(), "report")


def report_figures(report) -> list[Figure]:
    return with_indicators(REPORT_FIGURES(report.pk))


# Every TOP5 ranking of a report in one query, most appeals first: its departments' and its
# categories' by appeal type, which top_departments and top_categories take apart.
RANKED_COUNTS = KeyedRecords(
    AppealCount.private_objects.select_related("department", "category").ranked(), "report"
)


def ranked_counts(report) -> list[AppealCount]:
    return RANKED_COUNTS(report.pk)


def top_departments(report, counts=None) -> list[AppealCount]:
    """The report's TOP5 departments, from its `counts` (ranked_counts) when read already."""
    counts = ranked_counts(report) if counts is None else counts
    return [count for count in counts if count.department_id is not None][:5]


def top_categories(report, counts=None) -> list[tuple[str, list[AppealCount]]]:
    """The report's TOP5 categories of each appeal type, from its `counts` (ranked_counts)
    when read already."""
    counts = ranked_counts(report) if counts is None else counts
    by_type = defaultdict(list)
    for count in counts:
        if count.category_id is not None:
            by_type[count.appeal_type].append(count)
    # As printed: 咨询类, 非咨询类, then all appeals (总计).
    types = AppealCount.AppealType
    order = [types.CONSULTATION, types.NON_CONSULTATION, types.ALL]
    return [
        (AppealCount.group_as_printed(t), rows[:5])
        for t, rows in sorted(by_type.items(), key=lambda kv: order.index(kv[0]))
    ]


def sharing_requests(report):
    """The report's register in printed order, with what its rows show (a queryset: slice or
    page it)."""
    return report.sharing_requests.select_related("region").prefetch_related(
        "recipients", "methods"
    )


# The register rows a report's page and PDF print; the rest is on the register's own pages.
REGISTER_ROWS = 25
FIRST_REGISTER_ROWS = KeyedRecords(
    DataSharingRequest.private_objects.select_related("region"),
    "report",
    kind="sharing",
    limit=REGISTER_ROWS,
)


@dataclass
class SharingGroup:
    label: str
    requests: int
    records: int


@dataclass
class SharingSummary:
    """A report's data-sharing register in a bounded size, whatever its length: totals by
    administrative level, by method and by kind of recipient, and its first rows."""

    requests: int
    records: int
    by_level: list[SharingGroup]
    by_method: list[SharingGroup]
    by_kind: list[SharingGroup]
    first: list[DataSharingRequest]

    @property
    def more(self) -> bool:
        return self.requests > len(self.first)

    @property
    def groups(self):
        """Each grouped table: its rows, its caption and the header of its label column."""
        return [
            (self.by_level, _("By administrative level"), _("Administrative level")),
            (
                self.by_method,
                _("By method (a request handed over in several ways counts under each)"),
                _("Method"),
            ),
        ]


class _Grouped:
    """A report's register grouped by the objects of `model` its `rows` name under `prefix`
    (`report`: the path from a row to its report), each with the counts of `annotations`,
    from a query compiled once (hotline.reading.ByKeys): building each grouping through the
    ORM took longer than running it."""

    def __init__(self, rows, report: str, model, prefix: str, order, **annotations):
        self.model, self.prefix, self.db = model, prefix, rows.db
        paths = self._reader().paths
        grouped = rows.order_by(*order).values_list(*paths).annotate(**annotations)
        self.by_keys = ByKeys(grouped, report, width=0)

    def _reader(self) -> Reader:
        return Reader(self.model, self.prefix, {}, self.db, 0)

    def __call__(self, report) -> list[tuple]:
        """(object, *counts) for each group of the report's register."""
        read = self._reader()
        rows = self.by_keys.rows([report.pk], reader=read)
        return [(read(row), *row[read.end :]) for row in rows]


LEVELS = _Grouped(
    DataSharingRequest.private_objects.all(),
    "report",
    Region,
    "region__",
    ["region__order", "region__slug"],
    n=Count("pk"),
    total=Sum("records"),
)
METHODS = _Grouped(
    DataSharingRequest.methods.through.objects.all(),
    "datasharingrequest__report",
    SharingMethod,
    "sharingmethod__",
    ["sharingmethod__order", "sharingmethod__code"],
    n=Count("datasharingrequest"),
    total=Sum("datasharingrequest__records"),
)
# A request shared with several units of one kind counts once under it.
KINDS = ByKeys(
    DataSharingRequest.recipients.through.objects.values_list("department__kind")
    .annotate(n=Count("datasharingrequest", distinct=True))
    .order_by("-n", "department__kind"),
    "datasharingrequest__report",
    width=0,
)


def sharing_summary(report) -> SharingSummary:
    """Three grouped queries and the first REGISTER_ROWS rows (three more)."""
    kind_labels = dict(Department.Kind.choices)
    by_level = [SharingGroup(r.level_as_printed, n, total or 0) for r, n, total in LEVELS(report)]
    return SharingSummary(
        # Every request has its level: the register's totals are the levels'.
        requests=sum(g.requests for g in by_level),
        records=sum(g.records for g in by_level),
        by_level=by_level,
        by_method=[
            SharingGroup(translated(m, "name"), n, total or 0) for m, n, total in METHODS(report)
        ],
        by_kind=[SharingGroup(str(kind_labels[k]), n, 0) for k, n in KINDS.rows([report.pk])],
        first=FIRST_REGISTER_ROWS(report.pk),
    )


POLICY_DOCUMENTS = KeyedRecords(PolicyDocument.private_objects.all(), "report", kind="policies")


def policy_documents(report) -> list[PolicyDocument]:
    return POLICY_DOCUMENTS(report.pk)


@dataclass
class _OwnRecords:
    counts: list[AppealCount]
    sharing: SharingSummary
    policies: list[PolicyDocument]


def _own_records(report) -> _OwnRecords:
    """What a report's page body shows of its records beside its figures: its TOP5 rankings,
    its register's summary and its policy documents (nine queries). A published report's are a
    function of published data, the same for the public and staff: read once per version of it
    (hotline.caching.kept_for_report); a draft's afresh."""
    return kept_for_report(
        "report-records",
        report,
        lambda: _OwnRecords(
            ranked_counts(report), sharing_summary(report), policy_documents(report)
        ),
    )


def _corrections(report) -> Corrections:
    """The header's workflow steps, kept the same way but apart: a render whose body is kept
    reads this small entry only (unpickling the records took 0.37 ms of such a 4-5 ms render)."""
    return kept_for_report("report-corrections", report, lambda: report_corrections(report))


# Whether a report lists its 政风热线 episodes, or prints their totals only (2023).
LISTS_EPISODES = Exists(LivestreamEpisode.private_objects.filter(report=OuterRef("pk")))


def report_page(user, city: str, year: int) -> ReportPage:
    """The report `city` `year` as its page prints it. Raises AnnualReport.DoesNotExist when
    the user may not see it."""
    # The report and its city's other years in one query, each with whether it lists its
    # episodes: a query fewer is a round trip fewer on every uncached render.
    reports = visible_reports(user).filter(region__slug=city)
    reports = list(reports.annotate(lists_episodes=LISTS_EPISODES))
    report = next((r for r in reports if r.year == year), None)
    if report is None:
        raise AnnualReport.DoesNotExist(f"{city} {year}")
    # Last year's report, which a check may compare with, is among them for staff too.
    checks = check_report(report, drafts=sees_drafts(user), among=reports)
    # The city's other years, published or made up like this one: never the two mixed.
    years_of = {r.pk: r.year for r in reports if r.is_synthetic == report.is_synthetic}
    trends = TREND_FIGURES.among(list(years_of), HEADLINE_CODES)
    prior = checks.prior_report
    return ReportPage(
        report=report,
        years=sorted(years_of.values()),
        corrections=_corrections(report),
        trends=charts.trend_charts_for_report(trend_figures(with_indicators(trends))),
        compared_with=prior,
        # A published report checked against no draft: what the public sees, checks and all.
        shared=report.is_published and (prior is None or prior.is_published),
        read_body=lambda: _report_body(report, checks),
    )


def _report_body(report, checks) -> ReportBody:
    own = _own_records(report)
    figures = report_figures(report)
    footnotes = check_footnotes(figures, checks)
    sections = layout.lay_out_figures(
        figures, footnotes=footnotes, default_row_label=_city_name(report)
    )
    departments = top_departments(report, own.counts)
    categories = top_categories(report, own.counts)
    annotate_ranked_rows([*departments, *(c for _t, rows in categories for c in rows)], checks)
    by_code = {f.indicator.code: f for f in figures}
    return ReportBody(
        sections=sections,
        top_departments=departments,
        top_categories=categories,
        sharing=own.sharing,
        sharing_total=by_code.get("data_sharing.total.records"),
        policy_documents=own.policies,
        charts=charts.report_charts(by_code, departments, categories, own.sharing),
        episodes_listed=report.lists_episodes,
        episode_total=by_code.get("livestream.episodes"),
    )


# The headline figures of a city's years (the trend charts).
TREND_FIGURES = KeyedRecords(
    Figure.private_objects.select_related("report"), "report", "indicator__code"
)


def trend_figures(figures) -> dict[str, list[Figure]]:
    """Figures by indicator code, in year order."""
    by_code = defaultdict(list)
    for figure in sorted(figures, key=lambda f: f.report.year):
        by_code[figure.indicator.code].append(figure)
    return by_code


def table_figures(user, report, code: str) -> tuple[ReportTable, layout.Table]:
    """One catalogue table of a report. Raises ReportTable.DoesNotExist."""
    figures = with_indicators(
        read_records(Figure.private_objects.filter(report=report, indicator__table__code=code))
    )
    if not figures:
        raise ReportTable.DoesNotExist(code)
    table = figures[0].indicator.table
    grid = layout.lay_out_table(
        table,
        [f.indicator for f in figures],
        figures,
        footnotes=check_footnotes(figures, check_report(report, drafts=sees_drafts(user))),
        default_row_label=_city_name(report),
    )
    return table, grid


def report_grids(user, report) -> list[layout.Table]:
    """Every catalogue table of a report as its page lays it out, with the figure checks'
    footnotes (the data package's downloads): the figures, then the checks' queries."""
    figures = report_figures(report)
    checks = check_report(report, drafts=sees_drafts(user))
    sections = layout.lay_out_figures(
        figures,
        footnotes=check_footnotes(figures, checks),
        default_row_label=_city_name(report),
    )
    return [grid for section in sections for grid in section.tables]


def _city_name(report):
    return translated(report.region, "name")
