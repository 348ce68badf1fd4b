"""Everything a check reads, fetched once: a fixed number of queries whatever the report's size."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Count, OuterRef, Prefetch, Subquery, Sum
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
    return Value(interval, point, str(figure.printed_value))


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
    def load(cls, report: AnnualReport) -> ReportData:
        rules = list(
            CheckRule.objects.active()
            .select_related("target__table__section", "share_of__table__section")
            .prefetch_related(
                Prefetch(
                    "operands",
                    queryset=CheckOperand.objects.select_related("indicator__table__section"),
                )
            )
        )
        # A published report is never checked against made-up data, nor the other way round.
        prior_report = AnnualReport.objects.filter(
            region_id=report.region_id, year=report.year - 1, is_synthetic=report.is_synthetic
        ).first()
        reports = [report.pk] + ([prior_report.pk] if prior_report else [])
        figures, prior_figures = {}, {}
        for figure in Figure.objects.filter(report_id__in=reports).select_related(
            "indicator__table__section"
        ):
            mine = figure.report_id == report.pk
            (figures if mine else prior_figures)[figure.indicator.code] = figure
        appeal_counts = list(
            AppealCount.objects.filter(report=report)
            .select_related("department", "category")
            .order_by("-count", "pk")
        )
        return cls(
            report=report,
            prior_report=prior_report,
            figures=figures,
            prior_figures=prior_figures,
            appeal_counts=appeal_counts,
            records=cls._records(report),
            rules=rules,
        )

    @staticmethod
    def _records(report: AnnualReport) -> dict[str, int | None]:
        """Every record total in one query; None where nothing is stored."""

        def aggregate(model, expression):
            rows = (
                model.objects.filter(report=OuterRef("pk"))
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
        row = AnnualReport.objects.filter(pk=report.pk).values(**annotations).first() or {}
        return {str(source): row.get(f"records_{source}") for source in RECORD_SOURCES}
