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
from itertools import groupby

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter

from hotline.admin.figure_grid import section_heading
from hotline.models import AnnualReport, Figure, Indicator

from .cells import cell_text
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
    """↑18.14 / ↓8.77% as printed, over a signed number."""
    number = _number_format(decimals)
    unit = '"%"' if indicator.change_kind == Indicator.ChangeKind.RELATIVE else ""
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
    report = AnnualReport.objects.filter(region=region, year=year).first()
    _write(region, year, report, out)


def _write(region, year, report, out):
    indicators = list(
        Indicator.objects.select_related("table__section").order_by(
            "table__section__number", "table__order", "row_order", "column_order", "pk"
        )
    )
    figures = {}
    if report is not None:
        figures = {f.indicator_id: f for f in Figure.objects.filter(report=report).order_by()}
    prior_report = AnnualReport.objects.filter(region=region, year=year - 1).first()
    prior = {}
    if prior_report is not None:
        prior = {f.indicator_id: f for f in Figure.objects.filter(report=prior_report)}

    book = Workbook()
    about = book.active
    about.title = _("About")
    _about(about, region, year, report, prior_report)
    for section, section_indicators in groupby(indicators, key=lambda i: i.table.section):
        heading = section_heading(section)
        sheet = book.create_sheet(heading.translate(_INVALID_TITLE)[:31])
        sheet.column_dimensions["A"].hidden = True
        sheet.column_dimensions["B"].width = 22
        sheet["B1"] = heading
        sheet["B1"].font = Font(bold=True, size=14)
        row = 3
        for table, table_indicators in groupby(section_indicators, key=lambda i: i.table):
            row = _table(sheet, row, table, list(table_indicators), figures, prior) + 1
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
    sheet.column_dimensions["A"].width = 100
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
        sheet.cell(sheet.max_row, 1).alignment = Alignment(wrap_text=True)


def _columns(indicators):
    """Printed columns in order: (group, label, unit or "" when mixed)."""
    columns = {}
    for indicator in sorted(indicators, key=lambda i: (i.column_order, i.pk)):
        key = (indicator.column_group, indicator.column_label)
        units = columns.setdefault(key, set())
        units.add(indicator.unit)
    return [
        (group, label, next(iter(u)) if len(u) == 1 else "")
        for (group, label), u in columns.items()
    ]


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


def _table(sheet, row, table, indicators, figures, prior) -> int:
    """Write one table from `row`; the row after it."""
    columns = _columns(indicators)
    grouped = any(group for group, _label, _unit in columns)
    sheet.cell(row, 1, json.dumps(["table", table.code], ensure_ascii=False))
    title = sheet.cell(row, 2, table.title)
    title.font = Font(bold=True, size=12)
    row += 1
    depth = 3 if grouped else 2
    _header_cell(sheet, row, 2, table.row_header, rows=depth)
    column = 3
    keys = {}
    for group, members in groupby(columns, key=lambda c: c[0]):
        members = list(members)
        if group:
            _header_cell(sheet, row, column, group, columns=3 * len(members))
        for _group, label, unit in members:
            top = row + 1 if group else row
            _header_cell(sheet, top, column, label, columns=3, rows=1 if group else depth - 1)
            subs = [
                (VALUE, _("value (%(unit)s)") % {"unit": unit} if unit else _("value")),
                (CHANGE, _("year-on-year change")),
                (PRIOR, _("last year (for comparison)")),
            ]
            for offset, (role, text) in enumerate(subs):
                _header_cell(sheet, row + depth - 1, column + offset, text)
                keys[column + offset] = (group, label, role)
                width = 14 if role != CHANGE else 12
                sheet.column_dimensions[get_column_letter(column + offset)].width = width
            column += 3
    sheet.row_dimensions[row + depth - 1].height = 30
    row += depth
    sheet.cell(row, 1, "#columns")
    for index, (group, label, role) in keys.items():
        sheet.cell(row, index, json.dumps([group, label, role], ensure_ascii=False))
    sheet.row_dimensions[row].hidden = True
    row += 1

    by_cell = {(i.row_label, i.column_group, i.column_label): i for i in indicators}
    row_labels = list(
        dict.fromkeys(i.row_label for i in sorted(indicators, key=lambda i: (i.row_order, i.pk)))
    )
    for row_label in row_labels:
        sheet.cell(row, 1, json.dumps(["row", row_label], ensure_ascii=False))
        label = sheet.cell(row, 2, row_label)
        label.border = _BORDER
        label.font = Font(bold=True)
        for index, (group, column_label, role) in keys.items():
            indicator = by_cell.get((row_label, group, column_label))
            cell = sheet.cell(row, index)
            cell.border = _BORDER
            cell.alignment = Alignment(horizontal="right")
            if indicator is None:
                cell.fill = _PRIOR_FILL
                continue
            if role == VALUE:
                cell.value, number_format = _value(figures.get(indicator.pk))
                cell.number_format = number_format or "General"
                cell.protection = Protection(locked=False)
            elif role == CHANGE:
                figure = figures.get(indicator.pk)
                if indicator.kind == Indicator.Kind.TEXT:
                    cell.fill = _PRIOR_FILL
                    continue
                last = prior.get(indicator.pk)
                decimals = (figure or last).change_decimals if (figure or last) else 2
                if figure is not None and figure.change is not None:
                    cell.value = float(figure.printed_change)
                cell.number_format = _change_format(indicator, decimals)
                cell.protection = Protection(locked=False)
            else:
                cell.value, number_format = _value(prior.get(indicator.pk))
                cell.number_format = number_format or "General"
                cell.fill = _PRIOR_FILL
                cell.font = Font(italic=True, color="555555")
        row += 1
    return row


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
        text = cell_text(cell.value, getattr(cell, "number_format", None))
        typed.setdefault(indicator, {})[role] = text
    for indicator, roles in typed.items():
        value, change = roles.get(VALUE, ""), roles.get(CHANGE, "")
        name = " · ".join(p for p in (row_label, indicator.label) if p)
        yield RawRow(
            number,
            [meta["city"], meta["year"], indicator.code, value, change],
            sheet=sheet.title,
            labels={
                VALUE: f"{name} · {_('value')}",
                CHANGE: f"{name} · {_('year-on-year change')}",
                "indicator": name,
            },
            optional=value == "" and change == "",
        )
