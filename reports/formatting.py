"""Numbers and year-on-year changes as the page's language writes them."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from hotline.numbers import DASH, format_number


def figure_text(figure) -> str:
    """The value as printed: a number with its printed decimals, a text (优秀), or "—"."""
    if figure is None:
        return ""
    if figure.value is not None:
        return format_number(figure.printed_value, figure.decimals)
    return figure.text or DASH


@dataclass(frozen=True)
class Change:
    direction: str  # "up", "down" or "flat"
    arrow: str
    amount: str  # "8.77%" or "18.14 pp"
    spoken: str  # for screen readers: "down on last year by"


def figure_change(figure) -> Change | None:
    """The published year-on-year change; percentage points for rates (Indicator.change_kind)."""
    if figure is None or figure.change is None:
        return None
    change = figure.printed_change
    magnitude = format_number(abs(change), figure.change_decimals)
    if figure.indicator.change_kind == figure.indicator.ChangeKind.POINTS:
        amount = _("%(amount)s pp") % {"amount": magnitude}
    else:
        amount = f"{magnitude}%"
    if change > 0:
        return Change("up", "↑", amount, _("up on last year by"))
    if change < 0:
        return Change("down", "↓", amount, _("down on last year by"))
    return Change("flat", "", _("unchanged"), _("on last year:"))


def change_text(figure) -> str:
    """The change as plain text (downloads, chart tables): "↓8.77%"."""
    change = figure_change(figure)
    return "" if change is None else f"{change.arrow}{change.amount}"
