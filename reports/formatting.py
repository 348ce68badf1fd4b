"""Numbers and year-on-year changes as the page's language writes them."""

from dataclasses import dataclass

from django.utils.html import escape
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
    return mark_safe(
        f'<span class="change change-{escape(change.direction)}"><span class="visually-hidden">'
        f'{escape(change.spoken)} </span><span class="arrow" aria-hidden="true">'
        f"{escape(change.arrow)}</span>{escape(change.amount)}</span>\n"
    )


def figure_html(figure, show_unit=False, marks=(), table_code="") -> str:
    """The value, its unit where the column's header does not name it, the marks of its
    footnotes (linked to the notes of the table `table_code`) and its year-on-year change."""
    if not figure:
        return mark_safe("\n")
    html = f'<span class="value">{escape(figure_text(figure))}</span>'
    if show_unit and figure.value is not None:
        unit = translated(figure.indicator, "unit")
        if unit:
            html += f' <span class="unit">{escape(unit)}</span>'
    if marks:
        code, note = escape(table_code), escape(_("note"))
        for mark in marks:
            html += (
                f'<sup class="fn-ref"><a href="#fn-{code}-{mark}"><span class="visually-hidden">'
                f"{note} </span>{mark}</a></sup>"
            )
    change = figure_change(figure)
    if change:
        html += " " + change_html(change)
    return mark_safe(html + "\n")


def cells_html(row, table_code: str) -> str:
    """A row of a laid-out table (hotline.layout.Row): a <td> per column."""
    cells = []
    for cell in row.cells:
        figure = cell.figure
        if not figure:
            cells.append('<td class="none"></td>')
            continue
        kind = "text" if figure.text else "num"
        cells.append(
            f'<td class="{kind}" data-indicator="{escape(figure.indicator.code)}">'
            f"{figure_html(figure, cell.unit, cell.marks, table_code)}</td>"
        )
    return mark_safe("".join(cells))


def header_cells_html(header_row) -> str:
    """A row of a laid-out table's column headers (hotline.layout.HeaderCell): the corner cell
    of the row header is an empty <td>."""
    cells = []
    for h in header_row:
        rowspan = f' rowspan="{h.rowspan}"' if h.rowspan > 1 else ""
        if not h.label:
            cells.append(f"<td{rowspan}></td>")
            continue
        colspan = f' colspan="{h.colspan}"' if h.colspan > 1 else ""
        unit = f' <span class="unit">({escape(h.unit)})</span>' if h.unit else ""
        cells.append(
            f'<th scope="{escape(h.scope)}"{colspan}{rowspan}>{escape(h.label)}{unit}</th>'
        )
    return mark_safe("".join(cells))
