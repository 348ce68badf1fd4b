"""One report as a workbook laid out like the printed report, to fill in and import back.

A sheet per section (一 … 六), each table as printed: row labels, grouped column headers,
and under each printed column three cells, the value, the year-on-year change, and last
year's value (grey, locked, for comparison only; never read back). Every indicator of the
catalogue has its cell, so the workbook of a new year's empty report is the blank template,
with last year's figures beside the empty cells.

What makes it importable: a hidden sheet names the city and year, a hidden first column
marks each table and row, and a hidden row under each table's header names each column.
The importer reads those markers, not positions, so rows and columns may be moved; cells
typed with a number format keep the decimals the format shows.
"""

import json
from math import ceil
from unicodedata import east_asian_width

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter

from hotline.layout import lay_out
from hotline.models import AnnualReport, Figure, Indicator
from hotline.models.catalogue import translated

from .cells import xlsx_cell_text
from .readers import RawRow, Refused, Table

META_SHEET = "_hotline"
FORMAT = "hotline-report-workbook/1"
VALUE, CHANGE, PRIOR = "value", "change", "prior"
KEYS = ["city", "year", "indicator", "value", "change"]

_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
_PRIOR_FILL = PatternFill("solid", fgColor="EEEEEE")
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_INVALID_TITLE = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))


def _number_format(decimals: int) -> str:
    return "0." + "0" * decimals if decimals else "0"


def _change_format(indicator, decimals: int) -> str:
    """↑18.14 个百分点 / ↓8.77% as printed, over a signed number: a rate's change carries its
    unit too, so that points are never read as per cent."""
    number = _number_format(decimals)
    if indicator.change_kind == Indicator.ChangeKind.RELATIVE:
        unit = '"%"'
    else:
        unit = '" ' + _("points").replace('"', "") + '"'

    return f'"↑"{number}{unit};"↓"{number}{unit};{number}{unit}'


def _value(figure):
    if figure is None:
        return None, None
    if figure.text:
        return figure.text, "@"
    if figure.value is None:
        return "—", None
    value = figure.printed_value
    number = int(value) if figure.decimals == 0 else float(value)
    return number, _number_format(figure.decimals)


def write_workbook(report, out):
    """The report's workbook, written to a binary file."""
    _write(report.region, report.year, report, out)


def write_template(region, year, out):
    """The blank workbook of a year that has no report yet, beside the year before's
    figures; it imports once the year's draft report is added."""
    report = AnnualReport.private_objects.filter(region=region, year=year).first()
    _write(region, year, report, out)


def _write(region, year, report, out):
    indicators = Indicator.objects.select_related("table__section").order_by()
    figures = []
    if report is not None:
        figures = Figure.private_objects.filter(report=report).order_by()
    prior_report = AnnualReport.private_objects.filter(region=region, year=year - 1).first()
    prior = {}
    if prior_report is not None:
        prior = {f.indicator_id: f for f in Figure.private_objects.filter(report=prior_report)}

    book = Workbook()
    about = book.active
    about.title = _("About")
    _about(about, region, year, report, prior_report)
    for section in lay_out(indicators, figures, default_row_label=translated(region, "name")):
        sheet = book.create_sheet(section.heading.translate(_INVALID_TITLE)[:31])
        sheet.column_dimensions["A"].hidden = True
        sheet.column_dimensions["B"].width = 22
        sheet["B1"] = section.heading
        sheet["B1"].font = Font(bold=True, size=14)
        row = 3
        for table in section.tables:
            row = _table(sheet, row, table, prior) + 1
        sheet.protection.sheet = True  # only value and change cells are open to typing
        sheet.page_setup.orientation = "landscape"
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToHeight = 0
    meta = book.create_sheet(META_SHEET)
    meta.sheet_state = "hidden"
    for line in (
        ("format", FORMAT),
        ("city", region.slug),
        ("year", year),
    ):
        meta.append(line)
    book.save(out)


def _about(sheet, region, year, report, prior_report):
    sheet.column_dimensions["A"].width = ABOUT_WIDTH
    if report is None:
        status = _("not added yet: add the %(year)s report as a draft before importing") % {
            "year": year
        }
    else:
        status = report.get_status_display()
    lines = [
        (f"{region.name} {year}", Font(bold=True, size=14)),
        (_("Status: %(status)s") % {"status": status}, None),
        ("", None),
        (
            _(
                "Type each figure in its value cell as printed: 1438746, 92.30%, 优秀, or — for "
                "not reported. Type the year-on-year change beside it: ↓8.77%, -8.77 or "
                "下降8.77%."
            ),
            None,
        ),
        (
            _(
                "A value cell left empty is not entered. The grey column is last year's value, "
                "for comparison only: it is never imported."
            ),
            None,
        ),
        (
            _(
                "Import the workbook back on the figures' import page; the report must be a "
                "draft. Do not delete the hidden column A, the hidden rows or the hidden sheet: "
                "they say which figure each cell is."
            ),
            None,
        ),
    ]
    if prior_report is None:
        lines.append((_("No report of the year before is stored: no comparison column."), None))
    for text, font in lines:
        sheet.append([text])
        if font:
            sheet.cell(sheet.max_row, 1).font = font
        sheet.cell(sheet.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
        # Spreadsheets do not grow a row for wrapped text they did not type: LibreOffice showed
        # only the last line of an instruction. The row is sized for its lines here.
        lines_needed = max(1, ceil(_display_width(text) / ABOUT_WIDTH))
        sheet.row_dimensions[sheet.max_row].height = LINE_HEIGHT * lines_needed + 4


ABOUT_WIDTH = 100  # characters of column A on the 说明 sheet
LINE_HEIGHT = 16  # points a line of 11-point text takes


def _display_width(text: str) -> int:
    """Columns a text takes: a Chinese character is as wide as two Latin ones."""
    return sum(2 if east_asian_width(c) in "WF" else 1 for c in text)


def _header_cell(sheet, row, column, text, *, rows=1, columns=1):
    cell = sheet.cell(row, column, text)
    cell.font = Font(bold=True)
    cell.fill = _HEADER_FILL
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    cell.border = _BORDER
    if rows > 1 or columns > 1:
        sheet.merge_cells(
            start_row=row,
            start_column=column,
            end_row=row + rows - 1,
            end_column=column + columns - 1,
        )


def _table(sheet, row, table, prior) -> int:
    """Write one laid-out table from `row`; the row after it. Each printed column is three
    sheet columns (value, change, last year), under one more header row naming them."""
    sheet.cell(row, 1, json.dumps(["table", table.code], ensure_ascii=False))
    title = sheet.cell(row, 2, table.title)
    title.font = Font(bold=True, size=12)
    row += 1
    depth = len(table.column_headers) + 1
    _header_cell(sheet, row, 2, table.row_header, rows=depth)
    for offset, header_row in enumerate(table.column_headers):
        for header in header_row:
            _header_cell(
                sheet,
                row + offset,
                3 + 3 * header.start,
                header.label,
                rows=header.rowspan,
                columns=3 * header.colspan,
            )
    keys = {}
    for index, column in enumerate(table.columns):
        subs = [
            (VALUE, _("value (%(unit)s)") % {"unit": column.unit} if column.unit else _("value")),
            (CHANGE, _("year-on-year change")),
            (PRIOR, _("last year (for comparison)")),
        ]
        for offset, (role, text) in enumerate(subs):
            position = 3 + 3 * index + offset
            _header_cell(sheet, row + depth - 1, position, text)
            keys[position] = (*column.key, role)
            width = 14 if role != CHANGE else 12
            sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.row_dimensions[row + depth - 1].height = 30
    row += depth
    sheet.cell(row, 1, "#columns")
    for position, key in keys.items():
        sheet.cell(row, position, json.dumps(key, ensure_ascii=False))
    sheet.row_dimensions[row].hidden = True
    row += 1

    for table_row in table.rows:
        sheet.cell(row, 1, json.dumps(["row", table_row.key], ensure_ascii=False))
        label = sheet.cell(row, 2, table_row.label)
        label.border = _BORDER
        label.font = Font(bold=True)
        for index, laid_out in enumerate(table_row.cells):
            _write_cell(sheet, row, 3 + 3 * index, laid_out, prior)
        row += 1
    return row


def _write_cell(sheet, row, column, laid_out, prior):
    """The value, change and last year's cells of one printed cell."""
    indicator, figure = laid_out.indicator, laid_out.figure
    value, change, last_year = (sheet.cell(row, column + offset) for offset in range(3))
    for cell in (value, change, last_year):
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="right")
    if indicator is None:
        for cell in (value, change, last_year):
            cell.fill = _PRIOR_FILL
        return
    value.value, number_format = _value(figure)
    value.number_format = number_format or "General"
    value.protection = Protection(locked=False)
    last = prior.get(indicator.pk)
    if indicator.kind == Indicator.Kind.TEXT:
        change.fill = _PRIOR_FILL
    else:
        decimals = (figure or last).change_decimals if (figure or last) else 2
        if figure is not None and figure.change is not None:
            change.value = float(figure.printed_change)
        change.number_format = _change_format(indicator, decimals)
        change.protection = Protection(locked=False)
    last_year.value, number_format = _value(last)
    last_year.number_format = number_format or "General"
    last_year.fill = _PRIOR_FILL
    last_year.font = Font(italic=True, color="555555")


# Reading it back


def workbook_table(book) -> Table:
    """The figures of a workbook written above, as rows of city, year, indicator, value and
    change for the figure importer."""
    meta = {row[0]: row[1] for row in book[META_SHEET].iter_rows(values_only=True) if row[0]}
    if meta.get("format") != FORMAT:
        raise Refused(_("This workbook was not written by this system, or by a later version."))
    indicators = {
        (i.table.code, i.row_label, i.column_group, i.column_label): i
        for i in Indicator.objects.select_related("table").order_by()
    }
    sheets = [ws for ws in book.worksheets if ws.title != META_SHEET]
    total = sum(ws.max_row or 0 for ws in sheets)
    seen = {"rows": 0}

    def rows():
        try:
            for sheet in sheets:
                yield from _sheet_rows(sheet, meta, indicators, seen)
        finally:
            book.close()

    table = Table(KEYS, rows(), total, lambda: seen["rows"])
    table.is_workbook = True
    return table


def _marker(value):
    if not isinstance(value, str) or not value.startswith("["):
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def _sheet_rows(sheet, meta, indicators, seen):
    table_code, keys = None, {}
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        seen["rows"] += 1
        if not cells:
            continue
        first = cells[0].value
        marker = _marker(first)
        if marker and marker[0] == "table":
            table_code, keys = marker[1], {}
        elif first == "#columns":
            keys = {}
            for index, cell in enumerate(cells):
                key = _marker(cell.value)
                if key and len(key) == 3:
                    keys[index] = key
        elif marker and marker[0] == "row" and table_code:
            yield from _cells(sheet, number, cells, marker[1], table_code, keys, meta, indicators)


def _cells(sheet, number, cells, row_label, table_code, keys, meta, indicators):
    typed = {}
    for index, (group, label, role) in keys.items():
        if role == PRIOR or index >= len(cells):
            continue
        indicator = indicators.get((table_code, row_label, group, label))
        if indicator is None:
            continue
        cell = cells[index]
        text = xlsx_cell_text(cell)
        typed.setdefault(indicator, {})[role] = text
    for indicator, roles in typed.items():
        value, change = roles.get(VALUE, ""), roles.get(CHANGE, "")
        name = " · ".join(p for p in (row_label, indicator.label) if p)
        # Outside the f-strings, where xgettext sees them (it reads an f-string as one literal).
        value_label, change_label = _("value"), _("year-on-year change")
        yield RawRow(
            number,
            [meta["city"], meta["year"], indicator.code, value, change],
            sheet=sheet.title,
            labels={
                VALUE: f"{name} · {value_label}",
                CHANGE: f"{name} · {change_label}",
                "indicator": name,
            },
            optional=value == "" and change == "",
        )
