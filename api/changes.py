"""The year-on-year change computed from last year's stored report, beside the published one."""

from decimal import ROUND_HALF_UP, Decimal

from hotline.models import AnnualReport, Figure, Indicator
from hotline.reading import ByKeys

TWO_PLACES = Decimal("0.01")


def previous_values(figures, *, include_drafts: bool) -> dict:
    """Last year's values of these figures' indicators in the same cities, in one query."""
    return previous_values_of(
        ((f.report.region_id, f.report.year, f.indicator_id) for f in figures),
        include_drafts=include_drafts,
    )


def previous_values_of(figures, *, include_drafts: bool) -> dict:
    """The same for figures given as (region id, year, indicator id): the API's list reads its
    rows as values, not as figures.

    Keyed by (region id, year, indicator id). Drafts count only for those who may see them, so
    that a computed change never leaks a draft's figure.
    """
    keys = {(region, year - 1, indicator) for region, year, indicator in figures}
    if not keys:
        return {}
    regions, years, indicators = (sorted(set(part)) for part in zip(*keys, strict=True))
    # Figures of the cross product beyond the keys are read and never looked up; drafts are
    # read with a report's status and dropped here, so that one query serves everyone.
    rows = _PREVIOUS.rows(regions, years, indicators)
    return {
        (region, year, indicator): value
        for region, year, indicator, value, status in rows
        if include_drafts or status == AnnualReport.Status.PUBLISHED
    }


# Compiled once (hotline.reading.ByKeys): building this query through the ORM took a quarter
# of an uncached page of the figures list, running it a fortieth.
_PREVIOUS = ByKeys(
    Figure.private_objects.filter(value__isnull=False)
    .order_by()
    .values_list("report__region_id", "report__year", "indicator_id", "value", "report__status"),
    "report__region_id",
    "report__year",
    "indicator_id",
    width=3,
)


def computed_change(figure, previous: dict) -> Decimal | None:
    before = previous.get((figure.report.region_id, figure.report.year - 1, figure.indicator_id))
    return change_from(before, figure.value, figure.indicator.change_kind)


def change_from(before: Decimal | None, value: Decimal | None, change_kind: str) -> Decimal | None:
    """The change from last year's value, in per cent or in percentage points (`change_kind`),
    to 2 decimals; None where either value is missing or last year's is 0 (a relative change)."""
    if value is None or before is None:
        return None
    if change_kind == Indicator.ChangeKind.POINTS:
        change = value - before
    elif before == 0:
        return None
    else:
        change = (value - before) / before * 100
    return change.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
