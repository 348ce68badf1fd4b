"""Numbers and year-on-year changes as the page's language writes them."""

from dataclasses import dataclass

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from hotline.models.catalogue import translated
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


# -- The figure as HTML ------------------------------------------------------------------------
# Written here rather than in template partials: a report's page prints about 120 figures, and an
# include with its filters per cell cost about a third of the page's render (measured with
# cProfile, issue 15). Each piece ends with the newline its former partial file ended with, so the
# pages stay byte for byte as they were.


def change_html(change: Change | None) -> str:
    if change is None:
        return ""
    return format_html(
        '<span class="change change-{}"><span class="visually-hidden">{} </span>'
        '<span class="arrow" aria-hidden="true">{}</span>{}</span>\n',
        change.direction,
        change.spoken,
        change.arrow,
        change.amount,
    )


def figure_html(figure, show_unit=False, marks=(), table_code="") -> str:
    """The value, its unit where the column's header does not name it, the marks of its
    footnotes (linked to the notes of the table `table_code`) and its year-on-year change."""
    if not figure:
        return mark_safe("\n")
    parts = [format_html('<span class="value">{}</span>', figure_text(figure))]
    if show_unit and figure.value is not None:
        unit = translated(figure.indicator, "unit")
        if unit:
            parts.append(format_html(' <span class="unit">{}</span>', unit))
    if marks:
        note = conditional_escape(_("note"))
        for mark in marks:
            parts.append(
                format_html(
                    '<sup class="fn-ref"><a href="#fn-{}-{}"><span class="visually-hidden">'
                    "{} </span>{}</a></sup>",
                    table_code,
                    mark,
                    note,
                    mark,
                )
            )
    change = figure_change(figure)
    if change:
        parts.append(" " + change_html(change))
    parts.append("\n")
    return mark_safe("".join(parts))


def cells_html(row, table_code: str) -> str:
    """A row of a laid-out table (hotline.layout.Row): a <td> per column."""
    cells = []
    for cell in row.cells:
        figure = cell.figure
        if not figure:
            cells.append('<td class="none"></td>')
            continue
        cells.append(
            format_html(
                '<td class="{}" data-indicator="{}">{}</td>',
                "text" if figure.text else "num",
                figure.indicator.code,
                figure_html(figure, cell.unit, cell.marks, table_code),
            )
        )
    return mark_safe("".join(cells))
