"""The catalogue's indicators, with their tables and sections, made into model instances by each
process once per version of the reference data (hotline.freshness.kept) and given to the
figures that name them, rather than joined into every figure's row and made again for each: a
report's page reads 120 figures, a city's ten years 1,200, the province's view 1,600, each with
the same few hundred indicators (the 2023 report's page: 13 % of its instructions on SQLite).

The instances are shared by every reader of the process: read them, never change them. A
correction of the catalogue moves the reference version (hotline.freshness), and the next
reader makes them anew."""

from hotline import freshness
from hotline.models import Figure, Indicator

_INDICATOR = Figure._meta.get_field("indicator")


def indicators() -> dict[int, Indicator]:
    """Every indicator by id, with its table and section."""
    return freshness.kept(freshness.REFERENCE, _indicators)


def _indicators() -> dict[int, Indicator]:
    return Indicator.objects.select_related("table__section").in_bulk()


def with_indicators(figures):
    """The figures (a list), each given its indicator. An indicator the kept catalogue does not
    know yet (added by a change whose new version this process has not seen) has them all read
    again, for this call alone."""
    found = indicators()
    if any(figure.indicator_id not in found for figure in figures):
        found = _indicators()
    for figure in figures:
        _INDICATOR.set_cached_value(figure, found[figure.indicator_id])
    return figures
