"""Numbers and year-on-year changes as the page's language writes them, and the pieces of a
report's page written here rather than in templates: its figures, tables, links and register
rows."""

from dataclasses import dataclass
from functools import lru_cache
from html import escape as _escape

from django.conf import settings
from django.template.defaultfilters import linebreaksbr
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hotline.models.catalogue import is_english, translated
from hotline.models.records import related
from hotline.numbers import DASH, format_number
from hotline.writers import SEPARATOR


def escape(text) -> str:
    """Django's escape() for a text written into markup here: the same characters escaped,
    without its check for lazy arguments and its SafeString, which cost as much as the
    escaping itself (a report's page escapes some 1,600 texts)."""
    return _escape(str(text))


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
    words = _change_words(get_language())
    if figure.indicator.change_kind == figure.indicator.ChangeKind.POINTS:
        amount = words["points"] % {"amount": magnitude}
    else:
        amount = f"{magnitude}%"
    if change > 0:
        return Change("up", "↑", amount, words["up"])
    if change < 0:
        return Change("down", "↓", amount, words["down"])
    return Change("flat", "", words["unchanged"], words["flat"])


@lru_cache(maxsize=16)
def _change_words(language) -> dict[str, str]:
    """The words of a change in the active language (`language`, its key): asked of Django once
    per language rather than twice per figure (each a context-local lookup)."""
    return {
        "points": _("%(amount)s pp"),
        "up": _("up on last year by"),
        "down": _("down on last year by"),
        "unchanged": _("unchanged"),
        "flat": _("on last year:"),
    }


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


# -- A whole table as HTML ----------------------------------------------------------------------
# For the same reason: a report's page prints thirteen tables, each with its downloads, and
# their template's loops, includes and lookups cost twice what this does (13 tables of the
# 2023 report: 5.3 -> 2.5 ms, issue 15). The markup is byte for byte what the templates wrote:
# texts escaped, translations not, as {% translate %} writes them.


def grid_html(grid, report, *, print=False) -> str:
    """A laid-out table (hotline.layout.Table): caption, column groups, headers, rows, the
    printed table's reading note and footnotes, then (on screen) its links and downloads."""
    code = escape(grid.code)
    html = [
        f'\n<div class="report-table" id="t-{code}">\n'
        f'  <div class="table-scroll" tabindex="0" role="region" aria-labelledby="cap-{code}">\n'
        f'    <table class="data" data-table="{code}">\n'
        f'      <caption id="cap-{code}">{escape(grid.title)}</caption>\n      '
    ]
    if grid.has_row_header:
        html.append("<colgroup></colgroup>")
    html.append("\n      ")
    html.extend(f'<colgroup span="{span}"></colgroup>' for span in grid.colgroups)
    html.append("\n      <thead>\n        ")
    for header_row in grid.header_rows:
        html.append(f"<tr>\n          {header_cells_html(header_row)}\n        </tr>")
    html.append("\n      </thead>\n      <tbody>\n        ")
    for row in grid.rows:
        html.append("<tr>\n          ")
        if grid.has_row_header:
            html.append(f'<th scope="row">{escape(row.label)}</th>')
        html.append(f"\n          {cells_html(row, grid.code)}\n        </tr>")
    html.append("\n      </tbody>\n    </table>\n  </div>\n  ")
    note = grid.table.shown_note
    if note or grid.footnotes:
        html.append('\n  <div class="table-notes">\n    ')
        if note:
            # Each _() outside the f-strings: xgettext reads an f-string as one literal.
            heading = _("How the printed table was read:")
            html.append(
                f'<p class="table-note"><strong>{heading}</strong> {linebreaksbr(note)}</p>'
            )
        html.append("\n    ")
        if grid.footnotes:
            html.append('<ol class="footnotes">\n      ')
            html.extend(
                f'<li id="fn-{code}-{number}" value="{number}" class="footnote '
                f'footnote-{escape(footnote.source)}">{escape(footnote.text)}</li>'
                for number, footnote in grid.footnotes
            )
            html.append("\n    </ol>")
        html.append("\n  </div>\n  ")
    html.append("\n  ")
    if not print:
        html.append(downloads_html(report, grid.code))
    html.append("\n</div>\n")
    return mark_safe("".join(html))


def downloads_html(report, code: str) -> str:
    """A table's links: its own page, its CSV, XLSX and JSON, and what its columns mean."""
    return _downloads_html(get_language(), *_url_base(), report.region.slug, report.year, code)


@lru_cache(maxsize=8192)
def _downloads_html(language, prefix, urlconf, slug, year, code) -> str:
    # Remembered by the page's language and URL base (`language` is the active one): its
    # translations and URLs asked Django for them a dozen times, a report's page 16 times.
    table = _reverse(prefix, urlconf, "reports:table", (slug, year, code))
    data = _reverse(prefix, urlconf, "reports:table-data", (slug, year, code))
    csv, xlsx, json = (
        _reverse(prefix, urlconf, "reports:table-download", (slug, year, code, f)) for f in FILES
    )
    # Each _() outside the f-string: xgettext reads an f-string as one literal.
    link, download, columns = (
        _("Link to this table"),
        _("Download:"),
        _("What the columns mean"),
    )
    return mark_safe(
        '\n<p class="downloads">\n'
        f'  <a href="{escape(table)}">{link}</a>\n'
        f'  <span aria-hidden="true">·</span> {download}\n'
        f'  <a href="{escape(csv)}" download>CSV</a>\n'
        f'  <a href="{escape(xlsx)}" download>XLSX</a>\n'
        f'  <a href="{escape(json)}">JSON</a>\n'
        f'  <span aria-hidden="true">·</span> <a href="{escape(data)}">{columns}</a>\n'
        "</p>\n"
    )


def register_rows_html(requests, report, *, print=False) -> str:
    """The data-sharing register's rows (DataSharingRequest, their region, recipients and
    methods read with them): a report's page prints 25, the register's pages 50 a page."""
    rows, base, english = [], _url_base(), is_english()
    for r in requests:
        scope = escape(r.scope)
        if not print:
            args = (report.region.slug, report.year, r.line)
            link = escape(_reverse(*base, "reports:sharing-request", args))
            scope = f'<a href="{link}">{scope}</a>'
        methods = SEPARATOR.join(
            escape(translated(m, "name", english)) for m in related(r, "methods")
        )
        rows.append(
            f'<tr data-line="{r.line}">\n'
            f'          <td class="num">{escape(circled(r.group_number))}</td>\n'
            f"          <td>{escape(r.level_as_printed)}</td>\n"
            '          <th scope="row" class="wrap-text recipients">'
            f"{SEPARATOR.join(escape(name) for name in r.recipients_as_printed)}</th>\n"
            f"          <td>{methods}</td>\n"
            f'          <td class="wrap-text">{scope}</td>\n'
            f'          <td class="num"><span class="value">{format_number(r.records)}'
            "</span></td>\n"
            "        </tr>"
        )
    if not rows:
        none = _("No data-sharing request was reported.")
        return mark_safe(f'<tr><td colspan="6">{none}</td></tr>')
    return mark_safe("".join(rows))


def ranked_rows_html(group: str, counts) -> str:
    """A group of the TOP5 appeal categories (AppealCount, ranked): the group's name on its
    first row, then each row's rank, category, appeals, share as published ("—" where none
    was) and the marks of its figure checks (reports.footnotes)."""
    english, rows = is_english(), []
    for rank, count in enumerate(counts, start=1):
        head = ""
        if rank == 1:
            head = f'<th scope="rowgroup" rowspan="{len(counts)}">{escape(group)}</th>'
        share = DASH
        if count.published_share is not None:
            share = escape(format_number(count.printed_share))
        marks = "".join(
            f'<sup class="check-mark" title="{escape(note)}">⚠</sup>'
            for note in getattr(count, "check_notes", ())
        )
        rows.append(
            f'<tr>{head}<td class="num">{rank}</td><th scope="row">'
            f"{escape(translated(count.category, 'name', english))}</th>"
            f'<td class="num"><span class="value">{escape(format_number(count.count))}</span>'
            f'</td><td class="num">{share}{marks}</td></tr>'
        )
    return mark_safe("".join(rows))


def circled(number: int) -> str:
    """①, ②, … as the printed data-sharing table numbers its groups."""
    return chr(0x2460 + number - 1) if 1 <= number <= 20 else str(number)


FILES = ("csv", "xlsx", "json")


def url(viewname, *args) -> str:
    """reverse(), remembered: a report's page links to its tables' pages and downloads a
    hundred times, and each reverse() cost about 60 µs (issue 15)."""
    return escape(_reverse(*_url_base(), viewname, args))


def _url_base() -> tuple[str, str]:
    """What reverse() reads besides its arguments: the script prefix and the URLconf. Each is
    a context-local lookup, which cost as much as the remembered reverse() itself: a loop
    reads them once."""
    return get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF


@lru_cache(maxsize=8192)
def _reverse(prefix, urlconf, viewname, args):
    # The script prefix is in the key since reverse() reads it (a site served under a path).
    return reverse(viewname, urlconf=urlconf, args=args)
