"""What each public page shows, read in a fixed number of queries whatever the data's size.

Every read goes through `.visible_to(user)`: the public sees published reports and their
records only; staff also see drafts. Callers turn a missing object into a 404.
"""

import functools
import hashlib
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection
from django.db.models import Count, DateTimeField, F, IntegerField, Max, Prefetch, Q, Value
from django.db.models.expressions import RawSQL
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_naive, make_aware
from django.utils.translation import gettext_lazy as _

from hotline.checks import check_report
from hotline.models import (
    AnnualReport,
    AppealCategory,
    AppealCount,
    CheckOperand,
    CheckRule,
    DataSharingRequest,
    Department,
    EpisodeGuest,
    Figure,
    Indicator,
    LivestreamEpisode,
    PolicyDocument,
    Region,
    ReportEvent,
    ReportTable,
    Section,
    SharingMethod,
)
from hotline.models.catalogue import translated

from . import charts
from .footnotes import annotate_ranked_rows, check_footnotes
from .grid import Grid, build_grid, build_grids

# The figures the index and the trend charts lead with.
HEADLINES = [
    ("appeals.total.total", _("Total appeals")),
    ("calls.inbound.answer_rate_30s", _("Calls answered by a person within 30 seconds")),
    ("effectiveness.total.resolution_rate", _("Resolution rate")),
]
HEADLINE_CODES = [code for code, _label in HEADLINES]

# Reference data whose edits change what the pages show, and the records of a report.
REFERENCE_MODELS = [
    Section,
    ReportTable,
    Indicator,
    AppealCategory,
    SharingMethod,
    Region,
    Department,
]
RECORD_MODELS = [Figure, AppealCount, LivestreamEpisode, DataSharingRequest, PolicyDocument]


def visible_reports(user):
    return AnnualReport.objects.visible_to(user).select_related("region")


# -- Freshness: one query says when what a page shows last changed (ETag, Last-Modified) ------


@dataclass
class Freshness:
    last_modified: datetime | None
    token: str  # changes whenever anything the page shows changes
    draft: bool = False  # the page shows a report that is not published (staff only)
    count: int = 0
    report_id: int | None = None

    @classmethod
    def of(cls, *parts, draft=False):
        stamps = [p for p in parts if isinstance(p, datetime)]
        token = hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()
        return cls(max(stamps) if stamps else None, token, draft)


@functools.cache
def _history_model(model):
    # `Model.history` builds a manager class on every access.
    return model.history.model


# The freshness queries run on every request, the cached ones included. Their subqueries are
# written as SQL from the models' metadata (table and column names only, no values): built and
# compiled through the ORM they cost some 3 ms per request, fifty times the query itself.


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _latest(model, where: str = "") -> RawSQL:
    """When a model's rows (alias h) last changed, by its history."""
    table = _q(_history_model(model)._meta.db_table)
    condition = f" WHERE {where}" if where else ""
    return RawSQL(
        f"SELECT MAX(h.{_q('history_date')}) FROM {table} h{condition}",
        (),
        output_field=DateTimeField(),
    )


def _report_stamps() -> dict[str, RawSQL]:
    """When what a report's pages show last changed: its records, the catalogue and the
    figure-check rules, and the city's other years (their figures are the trends and the
    values last year's checks compare with)."""
    reports = _q(AnnualReport._meta.db_table)
    report_id, region_id = f"{reports}.{_q('id')}", f"{reports}.{_q('region_id')}"
    city_reports = f"SELECT r.{_q('id')} FROM {reports} r WHERE r.{_q('region_id')} = {region_id}"
    models = [*REFERENCE_MODELS, CheckRule, CheckOperand]
    stamps = {f"changed_{m._meta.model_name}": _latest(m) for m in models}
    stamps |= {
        f"changed_{m._meta.model_name}": _latest(m, f"h.{_q('report_id')} = {report_id}")
        for m in RECORD_MODELS
        if m is not Figure
    }
    stamps["changed_figure"] = _latest(Figure, f"h.{_q('report_id')} IN ({city_reports})")
    stamps["changed_annualreport"] = _latest(AnnualReport, f"h.{_q('region_id')} = {region_id}")
    # Reports written without history (synthetic data) still change these two.
    stamps["city_reports"] = RawSQL(
        f"SELECT COUNT(*) FROM {reports} r WHERE r.{_q('region_id')} = {region_id}",
        (),
        output_field=IntegerField(),
    )
    stamps["city_updated"] = RawSQL(
        f"SELECT MAX(r.{_q('updated_at')}) FROM {reports} r "
        f"WHERE r.{_q('region_id')} = {region_id}",
        (),
        output_field=DateTimeField(),
    )
    return stamps


CITY_MARK, YEAR_MARK = "\x1fcity\x1f", 32123  # stand-ins for the values of each request


@functools.cache
def _report_freshness_sql(vendor: str, staff: bool) -> tuple[str, tuple, int, int]:
    """The freshness query, compiled once: every request runs it, and compiling it cost more
    than running it. Django writes the SQL; the city and year are bound as parameters."""
    reports = AnnualReport.objects.all() if staff else AnnualReport.objects.published()
    stamps = _report_stamps()
    query = (
        reports.filter(region__slug=CITY_MARK, year=YEAR_MARK)
        .annotate(**stamps)
        .values_list("pk", "status", "updated_at", *sorted(stamps))
    )
    sql, params = query.query.sql_with_params()
    return sql, params, params.index(CITY_MARK), params.index(YEAR_MARK)


def _stamp(value):
    """A timestamp as the driver returns it (SQLite: UTC, as text or naive) made aware."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, datetime) and is_naive(value):
        return make_aware(value, UTC)
    return value


_prepared = weakref.WeakKeyDictionary()  # database connection -> statements prepared on it


def _fetch_one(name: str, sql: str, params: list):
    """One row of a query every request makes. On PostgreSQL it is prepared once per database
    connection (PREPARE, which outlives a rolled-back transaction) and then only executed:
    planning it took three times as long as running it."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
            cursor.execute(sql, params)
            return cursor.fetchone()
        done = _prepared.setdefault(connection.connection, set())
        if name not in done:
            parts = sql.split("%s")
            numbered = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], 1))
            connection.connection.execute(f"PREPARE {name} AS {numbered}")  # setup, not counted
            done.add(name)
        cursor.execute(f"EXECUTE {name}({', '.join(['%s'] * len(params))})", params)
        return cursor.fetchone()


def report_freshness(user, city: str, year: int) -> Freshness:
    """When what the report's pages show last changed, in one precompiled query.

    Raises AnnualReport.DoesNotExist when the user may not see it.
    """
    sql, params, city_at, year_at = _report_freshness_sql(connection.vendor, user.is_staff)
    params = list(params)
    params[city_at], params[year_at] = city, year
    row = _fetch_one(f"hotline_report_freshness_{int(user.is_staff)}", sql, params)
    if row is None:
        raise AnnualReport.DoesNotExist(f"{city} {year}")
    pk, status, *stamps = row
    published = status == AnnualReport.Status.PUBLISHED
    freshness = Freshness.of(pk, status, *map(_stamp, stamps), draft=not published)
    freshness.report_id = pk
    return freshness


def visible_report(user, pk: int) -> AnnualReport:
    """The report a page is about, read only when the page is rendered."""
    return visible_reports(user).get(pk=pk)


@functools.cache
def _reports_freshness_sql(vendor: str, staff: bool, one_city: bool) -> tuple[str, tuple, int]:
    """The freshness query of the pages about many reports, compiled once (see above)."""
    reports = AnnualReport.objects.all() if staff else AnnualReport.objects.published()
    if one_city:
        reports = reports.filter(region__slug=CITY_MARK)
    stamps = {
        m._meta.model_name: Max(_latest(m))
        for m in [AnnualReport, *REFERENCE_MODELS, *RECORD_MODELS]
    }
    query = (
        reports.order_by()
        .annotate(one=Value(1))
        .values("one")  # one row for all the reports: a constant is not grouped by
        .annotate(
            updated=Max("updated_at"),
            count=Count("pk"),
            drafts=Count("pk", filter=~Q(status=AnnualReport.Status.PUBLISHED)),
            **stamps,
        )
        .values_list("count", "drafts", "updated", *sorted(stamps))
    )
    sql, params = query.query.sql_with_params()
    return sql, params, params.index(CITY_MARK) if one_city else -1


def reports_freshness(user, city: str | None = None) -> Freshness:
    """When any report the user may see (of one city, or all), their records or the
    reference data last changed."""
    sql, params, city_at = _reports_freshness_sql(connection.vendor, user.is_staff, bool(city))
    params = list(params)
    if city:
        params[city_at] = city
    name = f"hotline_reports_freshness_{int(user.is_staff)}{int(bool(city))}"
    count, drafts, *stamps = _fetch_one(name, sql, params) or (0, 0)
    freshness = Freshness.of(count, drafts, *map(_stamp, stamps), draft=bool(drafts))
    freshness.count = count
    return freshness


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
    figures = Figure.objects.filter(
        report__in=AnnualReport.objects.visible_to(user).values("pk"),
        indicator__code__in=HEADLINE_CODES,
    ).select_related("indicator")
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
class SectionBlock:
    section: Section
    grids: list[Grid]


@dataclass
class ReportPage:
    report: AnnualReport
    sections: list[SectionBlock]
    grids: dict[str, Grid]
    top_departments: list[AppealCount]
    top_categories: list[tuple[str, list[AppealCount]]]
    sharing_requests: list[DataSharingRequest]
    sharing_total: Figure | None
    policy_documents: list[PolicyDocument]
    years: list[int]
    charts: list[charts.Chart]
    corrections: "Corrections"


def report_figures(report) -> list[Figure]:
    return list(Figure.objects.filter(report=report).select_related("indicator__table__section"))


def tables_of(figures) -> list[ReportTable]:
    tables = {f.indicator.table.pk: f.indicator.table for f in figures}
    return sorted(tables.values(), key=lambda t: (t.section.number, t.order, t.code))


def top_departments(report) -> list[AppealCount]:
    counts = report.appeal_counts.filter(department__isnull=False).select_related("department")
    return list(counts.order_by("-count", "department__name")[:5])


def top_categories(report) -> list[tuple[str, list[AppealCount]]]:
    counts = report.appeal_counts.filter(category__isnull=False).select_related("category")
    by_type = defaultdict(list)
    for count in counts.order_by("-count", "category__order"):
        by_type[count.appeal_type].append(count)
    # As printed: 咨询类, 非咨询类, then all appeals (总计).
    types = AppealCount.AppealType
    order = [types.CONSULTATION, types.NON_CONSULTATION, types.ALL]
    return [
        (str(AppealCount.AppealType(t).label), rows[:5])
        for t, rows in sorted(by_type.items(), key=lambda kv: order.index(kv[0]))
    ]


def sharing_requests(report) -> list[DataSharingRequest]:
    return list(
        report.sharing_requests.select_related("region").prefetch_related("recipients", "methods")
    )


def policy_documents(report) -> list[PolicyDocument]:
    return list(report.policy_documents.prefetch_related("issuers"))


def report_page(user, report: AnnualReport) -> ReportPage:
    figures = report_figures(report)
    checks = check_report(report)
    footnotes = check_footnotes(report, figures, checks)
    tables = tables_of(figures)
    grids = build_grids(
        tables, figures, extra_footnotes=footnotes, default_row_label=_city_name(report)
    )
    sections: dict[int, SectionBlock] = {}
    for grid in grids:
        section = grid.table.section
        sections.setdefault(section.pk, SectionBlock(section, [])).grids.append(grid)
    departments = top_departments(report)
    categories = top_categories(report)
    annotate_ranked_rows([*departments, *(c for _t, rows in categories for c in rows)], checks)
    requests = sharing_requests(report)
    # The city's other years, published or made up like this one: never the two mixed.
    same_kind = {"region": report.region_id, "is_synthetic": report.is_synthetic}
    trend = Figure.objects.filter(
        report__in=AnnualReport.objects.visible_to(user).filter(**same_kind),
        indicator__code__in=HEADLINE_CODES,
    ).select_related("report", "indicator")
    years = sorted(visible_reports(user).filter(**same_kind).values_list("year", flat=True))
    by_code = {f.indicator.code: f for f in figures}
    return ReportPage(
        report=report,
        sections=sorted(sections.values(), key=lambda s: s.section.number),
        grids={g.code: g for g in grids},
        top_departments=departments,
        top_categories=categories,
        sharing_requests=requests,
        sharing_total=by_code.get("data_sharing.total.records"),
        policy_documents=policy_documents(report),
        years=years,
        charts=charts.report_charts(
            by_code, departments, categories, requests, trend_figures(list(trend))
        ),
        corrections=report_corrections(report),
    )


# -- Corrections after publication ------------------------------------------------------------


@dataclass
class CorrectionRound:
    """A published report reopened (with the reviewer's reason) and published again."""

    reopened_at: datetime
    republished_at: datetime
    reason: str


@dataclass
class CorrectedFigure:
    indicator: Indicator
    before: Figure | None  # as first published; None: not there then
    after: Figure | None  # as published now; None: removed


@dataclass
class Corrections:
    first_published_at: datetime | None
    rounds: list[CorrectionRound] = field(default_factory=list)
    figures: list[CorrectedFigure] = field(default_factory=list)

    @property
    def corrected_at(self):
        return self.rounds[-1].republished_at if self.rounds else None


PUBLISHED_FIELDS = ("value", "decimals", "text", "change", "change_decimals")


def report_corrections(report) -> Corrections:
    """When the report was first published and, if it was reopened and published again, which
    figures differ between the first publication and the current one.

    One query for the workflow steps; one more for the figures' history when it was corrected.
    A report loaded as published (fixtures, imports) has no publish step: its first reopen
    starts a correction.
    """
    Action = ReportEvent.Action
    events = report.events.filter(action__in=[Action.PUBLISH, Action.REOPEN]).order_by("at", "pk")
    first_published_at, rounds, reopened = None, [], None
    published = None
    for event in events:
        if published is None:
            published = event.action == Action.REOPEN
        if event.action == Action.PUBLISH:
            first_published_at = first_published_at or event.at
            if reopened is not None:
                rounds.append(CorrectionRound(reopened.at, event.at, reopened.reason))
                reopened = None
            published = True
        else:
            if published and reopened is None:
                reopened = event
            published = False
    corrections = Corrections(first_published_at, rounds)
    if rounds and report.is_published:
        corrections.figures = _corrected_figures(
            report, rounds[0].reopened_at, rounds[-1].republished_at
        )
    return corrections


def _corrected_figures(report, before, after) -> list[CorrectedFigure]:
    history = Figure.history.model.objects.filter(report_id=report.pk)
    touched = history.filter(history_date__gt=before, history_date__lte=after).values("id")
    rows = (
        history.filter(id__in=touched, history_date__lte=after)
        .select_related("indicator__table__section")
        .order_by("id", "history_date", "history_id")
    )
    states = {}  # figure id: (as first published, as published now), rows in date order
    for row in rows:
        version = None
        if row.history_type != "-":
            version = row.instance
            version.indicator = row.indicator
        then, _now = states.get(row.id, (None, None))
        if row.history_date <= before:
            then = version
        states[row.id] = (then, version)
    corrected = []
    for then, now in states.values():
        if _published_state(then) == _published_state(now):
            continue
        indicator = (now or then).indicator
        corrected.append(CorrectedFigure(indicator, then, now))
    return sorted(
        corrected,
        key=lambda c: (
            c.indicator.table.section.number,
            c.indicator.table.order,
            c.indicator.row_order,
            c.indicator.column_order,
        ),
    )


def _published_state(figure):
    return None if figure is None else tuple(getattr(figure, f) for f in PUBLISHED_FIELDS)


def trend_figures(figures) -> dict[str, list[Figure]]:
    """Figures by indicator code, in year order."""
    by_code = defaultdict(list)
    for figure in sorted(figures, key=lambda f: f.report.year):
        by_code[figure.indicator.code].append(figure)
    return by_code


def table_figures(report, code: str) -> tuple[ReportTable, Grid]:
    """One catalogue table of a report. Raises ReportTable.DoesNotExist."""
    figures = list(
        Figure.objects.filter(report=report, indicator__table__code=code).select_related(
            "indicator__table__section"
        )
    )
    if not figures:
        raise ReportTable.DoesNotExist(code)
    table = figures[0].indicator.table
    grid = build_grid(
        table,
        figures,
        extra_footnotes=check_footnotes(report, figures),
        default_row_label=_city_name(report),
    )
    return table, grid


def _city_name(report):
    return translated(report.region, "name")


# -- A city across its years, and cities side by side -----------------------------------------


@dataclass
class TrendRow:
    indicator: Indicator
    figures: list[Figure | None]  # one per year, None where the year has no such figure


@dataclass
class TrendTable:
    table: ReportTable
    rows: list[TrendRow]


@dataclass
class CityPage:
    region: Region
    reports: list[AnnualReport]
    tables: list[TrendTable]
    charts: list[charts.Chart]
    indicators: list[Indicator]
    selected: Indicator | None


def city_page(user, region: Region, reports: list[AnnualReport], selected_code=None) -> CityPage:
    figures = list(
        Figure.objects.filter(report__in=[r.pk for r in reports]).select_related(
            "indicator__table__section"
        )
    )
    years = [r.pk for r in reports]
    cells: dict[int, dict[int, Figure]] = defaultdict(dict)
    indicators: dict[int, Indicator] = {}
    for figure in figures:
        indicators.setdefault(figure.indicator_id, figure.indicator)
        cells[figure.indicator_id][figure.report_id] = figure
    ordered = sorted(
        indicators.values(),
        key=lambda i: (i.table.section.number, i.table.order, i.row_order, i.column_order),
    )
    tables: dict[int, TrendTable] = {}
    for indicator in ordered:
        row = TrendRow(indicator, [cells[indicator.pk].get(pk) for pk in years])
        tables.setdefault(indicator.table_id, TrendTable(indicator.table, [])).rows.append(row)
    by_code = {i.code: i for i in ordered}
    selected = by_code.get(selected_code) if selected_code else None
    codes = [c for c in HEADLINE_CODES if c in by_code]
    if selected and selected.code not in codes:
        codes.insert(0, selected.code)
    series = {code: [cells[by_code[code].pk].get(r.pk) for r in reports] for code in codes}
    return CityPage(
        region=region,
        reports=reports,
        tables=list(tables.values()),
        charts=charts.trend_charts(reports, [by_code[c] for c in codes], series),
        indicators=ordered,
        selected=selected,
    )


@dataclass
class ComparePage:
    years: list[int]
    year: int | None
    indicators: list[Indicator]
    indicator: Indicator | None
    figures: list[Figure]
    charts: list[charts.Chart]


def compare_page(user, year=None, code=None) -> ComparePage:
    years = sorted(
        set(AnnualReport.objects.visible_to(user).values_list("year", flat=True)), reverse=True
    )
    indicators = list(Indicator.objects.select_related("table__section"))
    by_code = {i.code: i for i in indicators}
    indicator = by_code.get(code or HEADLINE_CODES[0])
    year = year if year in years else (years[0] if years else None)
    figures = []
    if indicator and year:
        figures = list(
            Figure.objects.filter(
                report__in=AnnualReport.objects.visible_to(user).for_year(year),
                indicator=indicator,
            ).select_related("report__region", "indicator")
        )
        figures.sort(key=lambda f: (f.report.region.order, f.report.region.slug))
    return ComparePage(
        years=years,
        year=year,
        indicators=indicators,
        indicator=indicator,
        figures=figures,
        charts=charts.compare_charts(indicator, year, figures) if figures else [],
    )


# -- Records: live-broadcast episodes, data-sharing requests, policy documents ----------------


def _scoped(queryset, user, filters):
    queryset = queryset.visible_to(user)
    if filters.get("city"):
        queryset = queryset.for_region(filters["city"])
    if filters.get("year"):
        queryset = queryset.for_year(filters["year"])
    return queryset


def episodes(user, filters):
    guests = Prefetch("guests", queryset=EpisodeGuest.objects.select_related("department"))
    queryset = _scoped(LivestreamEpisode.objects, user, filters)
    if filters.get("department"):
        queryset = queryset.filter(guests__department=filters["department"]).distinct()
    return (
        queryset.select_related("report__region")
        .prefetch_related(guests)
        .order_by("-report__year", "report__region__order", "number")
    )


def sharing(user, filters):
    queryset = _scoped(DataSharingRequest.objects, user, filters)
    if filters.get("district"):
        queryset = queryset.filter(region__slug=filters["district"])
    if filters.get("department"):
        queryset = queryset.filter(recipients=filters["department"])
    if filters.get("method"):
        queryset = queryset.filter(methods__code=filters["method"])
    if filters.get("department") or filters.get("method"):
        queryset = queryset.distinct()
    return (
        queryset.select_related("report__region", "region")
        .prefetch_related("recipients", "methods")
        .order_by("-report__year", "report__region__order", "line")
    )


def policies(user, filters):
    queryset = _scoped(PolicyDocument.objects, user, filters)
    if filters.get("department"):
        queryset = queryset.filter(issuers=filters["department"]).distinct()
    return (
        queryset.select_related("report__region")
        .prefetch_related("issuers")
        .order_by("-report__year", "report__region__order", "order", "pk")
    )


# -- Streaming a whole record list: a fixed number of queries, bounded memory ----------------

# Each list's order (made total by the primary key) and its to-many relations: the rows that
# link them to a record, the link's name, the related object on the row (none: the row itself)
# and the order within one record, as the prefetched relation would have it.
STREAMS = {
    "episodes": (
        ["-report__year", "report__region__order", "number", "pk"],
        {
            "guests": (
                EpisodeGuest.objects.select_related("department"),
                "episode",
                None,
                ["-is_principal", "pk"],
            ),
        },
    ),
    "sharing": (
        ["-report__year", "report__region__order", "line", "pk"],
        {
            "recipients": (
                DataSharingRequest.recipients.through.objects.select_related("department"),
                "datasharingrequest",
                "department",
                ["department__region__order", "department__name"],
            ),
            "methods": (
                DataSharingRequest.methods.through.objects.select_related("sharingmethod"),
                "datasharingrequest",
                "sharingmethod",
                ["sharingmethod__order", "sharingmethod__code"],
            ),
        },
    ),
    "policies": (
        ["-report__year", "report__region__order", "order", "pk"],
        {
            "issuers": (
                PolicyDocument.issuers.through.objects.select_related("department"),
                "policydocument",
                "department",
                ["department__region__order", "department__name"],
            ),
        },
    ),
}
STREAM_CHUNK = 2000


def _keyed(queryset, paths, *then):
    """Each row with its record's place in the list, as integers (every ordering path of a
    record list is one), sorted by it."""
    keys = {f"_key{i}": F(path.lstrip("-")) for i, path in enumerate(paths)}
    return queryset.annotate(**keys).order_by(*paths, *then)


def _key(row, signs):
    return tuple(sign * getattr(row, f"_key{i}") for i, sign in enumerate(signs))


def stream_records(kind: str, queryset):
    """The records of a list in its order, each with its to-many relations filled in as if
    prefetched, in one query per relation however long the list: the related rows are read
    in the same order and merged as the records go by."""
    ordering, relations = STREAMS[kind]
    signs = [-1 if o.startswith("-") else 1 for o in ordering]
    queryset = queryset.prefetch_related(None)  # prefetching would query once per chunk
    records = _keyed(queryset, ordering).iterator(chunk_size=STREAM_CHUNK)
    ids = queryset.order_by().values("pk")
    streams = {}
    for name, (rows, link, target, within) in relations.items():
        paths = [("-" if o.startswith("-") else "") + f"{link}__{o.lstrip('-')}" for o in ordering]
        related = _keyed(rows.filter(**{f"{link}__in": ids}), paths, *within)
        streams[name] = (related.iterator(chunk_size=STREAM_CHUNK), target)
    pending = {name: next(rows, None) for name, (rows, _target) in streams.items()}
    for record in records:
        key = _key(record, signs)
        # What `record.<relation>.all()` then returns, as prefetch_related would fill it: the
        # downloads only iterate it, and a queryset per record would cost a third of the time.
        cache = record.__dict__.setdefault("_prefetched_objects_cache", {})
        for name, (rows, target) in streams.items():
            items, row = [], pending[name]
            while row is not None and (row_key := _key(row, signs)) <= key:
                if row_key == key:  # rows of a record deleted meanwhile are skipped
                    items.append(getattr(row, target) if target else row)
                row = next(rows, None)
            pending[name] = row
            cache[name] = items
        yield record


def filter_choices(user, kind: str) -> dict:
    """The values a record list can be filtered on, from what the user may see (one query each)."""
    reports = list(visible_reports(user).order_by("region__order", "-year"))
    visible = AnnualReport.objects.visible_to(user).values("pk")
    choices = {
        "years": sorted({r.year for r in reports}, reverse=True),
        "cities": list({r.region.slug: r.region for r in reports}.values()),
    }
    if kind == "episodes":
        departments = Department.objects.filter(
            pk__in=EpisodeGuest.objects.filter(episode__report__in=visible).values("department")
        )
    elif kind == "sharing":
        departments = Department.objects.filter(sharing_requests__report__in=visible)
        choices["districts"] = list(
            Region.objects.filter(sharing_requests__report__in=visible).distinct()
        )
        choices["methods"] = list(SharingMethod.objects.all())
    else:
        departments = Department.objects.filter(policy_documents__report__in=visible)
    choices["departments"] = list(departments.distinct().order_by("region__order", "name"))
    return choices


def episode_detail(user, city, year, number) -> LivestreamEpisode:
    guests = Prefetch("guests", queryset=EpisodeGuest.objects.select_related("department"))
    return (
        LivestreamEpisode.objects.visible_to(user)
        .select_related("report__region")
        .prefetch_related(guests)
        .get(report__region__slug=city, report__year=year, number=number)
    )


def sharing_detail(user, city, year, line) -> DataSharingRequest:
    return (
        DataSharingRequest.objects.visible_to(user)
        .select_related("report__region", "region")
        .prefetch_related("recipients", "methods")
        .get(report__region__slug=city, report__year=year, line=line)
    )


def policy_detail(user, city, year, pk) -> PolicyDocument:
    return (
        PolicyDocument.objects.visible_to(user)
        .select_related("report__region")
        .prefetch_related("issuers")
        .get(report__region__slug=city, report__year=year, pk=pk)
    )
