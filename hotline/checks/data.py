"""Everything a check reads, fetched once: a fixed number of queries whatever the report's size."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Count, OuterRef, Subquery, Sum
from django.utils.translation import gettext as _

from hotline.models import (
    AnnualReport,
    AppealCount,
    CheckOperand,
    CheckRule,
    DataSharingRequest,
    Figure,
    Indicator,
    LivestreamEpisode,
    PolicyDocument,
)
from hotline.models.catalogue import translated
from hotline.numbers import format_number
from hotline.reading import ByKeys, KeyedInstances
from hotline.reference import with_indicators

from .intervals import Interval

RecordSource = CheckRule.RecordSource

# Each record source: the model, the aggregate, and how a reviewer reads "nothing stored".
RECORD_SOURCES = {
    RecordSource.SHARING_RECORDS: (DataSharingRequest, Sum("records")),
    RecordSource.EPISODES: (LivestreamEpisode, Count("pk")),
    RecordSource.EPISODE_APPEALS: (LivestreamEpisode, Sum("appeals_received")),
    RecordSource.EPISODE_ANSWERED: (LivestreamEpisode, Sum("answered_on_air")),
    RecordSource.EPISODE_SUPERVISED: (LivestreamEpisode, Sum("supervised_after")),
    RecordSource.POLICY_DOCUMENTS: (PolicyDocument, Count("pk")),
}


@dataclass(frozen=True)
class Value:
    """A number as a rule computes with it: the interval it stands for, the printed point, and
    how it is written in the arithmetic."""

    interval: Interval
    point: Fraction
    text: str
    derivation: str = ""  # how an implied value was worked out, for the reviewer


def domain(indicator: Indicator) -> tuple[int, int | None]:
    return (0, 100) if indicator.kind == Indicator.Kind.RATE else (0, None)


def figure_value(figure: Figure | None) -> Value | str:
    """The published value of a figure, or why there is none."""
    if figure is None or figure.value is None:
        if figure is not None and figure.text:
            return _("is a text")
        return _("not reported")
    point = Fraction(figure.value)
    if figure.indicator.kind == Indicator.Kind.COUNT:
        interval = Interval.exact(point)
    else:
        lower, upper = domain(figure.indicator)
        interval = Interval.printed(point, figure.decimals).clamp(lower, upper)
    return Value(interval, point, format_number(figure.printed_value))


def indicator_label(indicator: Indicator) -> str:
    parts = [
        translated(indicator, "row_label"),
        translated(indicator, "column_group"),
        translated(indicator, "column_label"),
    ]
    return " · ".join(p for p in parts if p)


def indicator_sort_key(indicator: Indicator) -> tuple:
    table = indicator.table
    return (table.section.number, table.order, indicator.row_order, indicator.column_order)


# What a check reads, as values made into instances from queries compiled once
# (hotline.reading): through the ORM, building the queries and making the 600-odd rules,
# operands, indicators and tables and the 250 figures of a report and last year's was two
# thirds of a check.
RULES = KeyedInstances(
    CheckRule.objects.active().select_related("target__table__section", "share_of__table__section")
)
OPERANDS = KeyedInstances(
    CheckOperand.objects.filter(rule__active=True).select_related("indicator__table__section")
)
FIGURES = KeyedInstances(Figure.private_objects.all(), "report")
APPEAL_COUNTS = KeyedInstances(
    AppealCount.private_objects.select_related("department", "category").ranked(), "report"
)


@dataclass
class ReportData:
    report: AnnualReport
    prior_report: AnnualReport | None
    figures: dict[str, Figure]
    prior_figures: dict[str, Figure]
    appeal_counts: list[AppealCount]
    records: dict[str, int | None]
    rules: list[CheckRule]

    @classmethod
    def load(cls, report: AnnualReport, *, drafts: bool) -> ReportData:
        return cls.load_many([report], drafts=drafts)[0]

    @classmethod
    def load_many(cls, reports: list[AnnualReport], *, drafts: bool) -> list[ReportData]:
        """The data of each report, in the same fixed number of queries for one report or for
        a province's thirteen (each read for all of them, then split by report)."""
        if not reports:
            return []
        rules = cls._rules()
        prior_of = last_years(reports, drafts=drafts)
        wanted = {r.pk for r in reports} | {p.pk for p in prior_of.values() if p}
        figures_of: dict[int, dict[str, Figure]] = {pk: {} for pk in wanted}
        for figure in with_indicators(FIGURES.among(list(wanted))):
            figures_of[figure.report_id][figure.indicator.code] = figure
        counts_of: dict[int, list[AppealCount]] = {r.pk: [] for r in reports}
        for count in APPEAL_COUNTS.among([r.pk for r in reports]):
            counts_of[count.report_id].append(count)
        records = cls._records(reports)
        return [
            cls(
                report=report,
                prior_report=prior_of[report.pk],
                figures=figures_of[report.pk],
                prior_figures=figures_of[prior_of[report.pk].pk] if prior_of[report.pk] else {},
                appeal_counts=counts_of[report.pk],
                records=records[report.pk],
                rules=rules,
            )
            for report in reports
        ]

    @staticmethod
    def _rules() -> list[CheckRule]:
        """The active rules with their operands, as prefetch_related() gives them."""
        operands: dict[int, list[CheckOperand]] = {}
        for operand in OPERANDS():
            operands.setdefault(operand.rule_id, []).append(operand)
        rules = RULES()
        for rule in rules:  # what `rule.operands.all()` returns
            rule._prefetched_objects_cache = {"operands": operands.get(rule.pk, [])}
        return rules

    @staticmethod
    def _records(reports: list[AnnualReport]) -> dict[int, dict[str, int | None]]:
        """Every record total of every report in one query; None where nothing is stored."""
        found = {pk: totals for pk, *totals in RECORD_TOTALS.rows([r.pk for r in reports])}
        empty = [None] * len(RECORD_SOURCES)
        return {
            report.pk: dict(zip(map(str, RECORD_SOURCES), found.get(report.pk, empty), strict=True))
            for report in reports
        }


def last_years(reports: list[AnnualReport], *, drafts: bool) -> dict[int, AnnualReport | None]:
    """Each report's last year, by report pk: the same city's report of the year before, a
    draft too when `drafts` (a check compares with it), None when there is none."""
    visible = AnnualReport.private_objects if drafts else AnnualReport.public_objects
    candidates = list(
        visible.filter(
            region_id__in={r.region_id for r in reports},
            year__in={r.year - 1 for r in reports},
        ).select_related("region")  # results name it
    )
    return {r.pk: last_year_among(r, candidates) for r in reports}


def last_year_among(report: AnnualReport, reports) -> AnnualReport | None:
    """The report's last year among `reports` (the first by pk, should there be two), or None.
    A published report is never checked against made-up data, nor the other way round."""
    wanted = (report.region_id, report.year - 1, report.is_synthetic)
    found = [r for r in reports if (r.region_id, r.year, r.is_synthetic) == wanted]
    return min(found, key=lambda r: r.pk, default=None)


def _record_totals() -> ByKeys:
    """Each report's record totals, a subquery each, compiled once (hotline.reading.ByKeys):
    building them through the ORM took fifty times as long as running them."""

    def aggregate(model, expression):
        rows = (
            model._default_manager.filter(report=OuterRef("pk"))
            .order_by()
            .values("report")
            .annotate(total=expression)
            .values("total")
        )
        return Subquery(rows[:1])

    # Prefixed: "episodes" is already a relation of AnnualReport.
    annotations = {
        f"records_{source}": aggregate(model, expression)
        for source, (model, expression) in RECORD_SOURCES.items()
    }
    rows = AnnualReport.private_objects.annotate(**annotations).order_by()
    return ByKeys(rows.values_list("pk", *annotations), "pk", width=1 + len(annotations))


RECORD_TOTALS = _record_totals()
