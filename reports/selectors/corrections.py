"""What changed in a published report between its first publication and now, and why."""

from dataclasses import dataclass, field
from datetime import datetime

from hotline.models import (
    Figure,
    Indicator,
    ReportEvent,
)

from .streams import KeyedRecords


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
    # The first publish step: who (None: loaded as printed, by no person), when and why.
    first_publication: ReportEvent | None = None
    rounds: list[CorrectionRound] = field(default_factory=list)
    figures: list[CorrectedFigure] = field(default_factory=list)

    @property
    def corrected_at(self):
        return self.rounds[-1].republished_at if self.rounds else None


PUBLISHED_FIELDS = ("value", "decimals", "text", "change", "change_decimals")

# A report's workflow steps in order, by a query compiled once (hotline.reading.ByKeys): its
# only parameter is the report, so the steps that are neither a publication nor a reopening
# are skipped as they are read (building the filtered query cost a page 0.3-0.4 ms).
WORKFLOW_STEPS = KeyedRecords(ReportEvent.objects.order_by("at", "pk"), "report")


def report_corrections(report) -> Corrections:
    """When the report was first published and, if it was reopened and published again, which
    figures differ between the first publication and the current one.

    One query for the workflow steps; one more for the figures' history when it was corrected.
    A report loaded as published (fixtures, imports) has no publish step: its first reopen
    starts a correction.
    """
    Action = ReportEvent.Action
    events = [e for e in WORKFLOW_STEPS(report.pk) if e.action in (Action.PUBLISH, Action.REOPEN)]
    first_published_at, rounds, reopened = None, [], None
    first_publication = None
    published = None
    for event in events:
        if published is None:
            published = event.action == Action.REOPEN
        if event.action == Action.PUBLISH:
            first_published_at = first_published_at or event.at
            first_publication = first_publication or event
            if reopened is not None:
                rounds.append(CorrectionRound(reopened.at, event.at, reopened.reason))
                reopened = None
            published = True
        else:
            if published and reopened is None:
                reopened = event
            published = False
    corrections = Corrections(first_published_at, first_publication, rounds)
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
