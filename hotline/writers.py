"""The one writer of the site's files: CSV, XLSX and JSON, for the admin's export
(importing.exporting), the public downloads (reports.downloads) and the API's CSV
(api.renderers). Each rule below is decided here once.

- **CSV** is UTF-8 with a byte-order mark, so that Excel and WPS read the Chinese; rows end
  with CRLF.
- **Numbers stay numbers**, never neutralised: -8.77 is a number, not a formula. A Decimal is
  written with the decimals it carries, which are the printed ones (Figure.printed_value and
  friends: 92.30): `92.30` in CSV, a number cell with the number format `0.00` in XLSX, and
  the string `"92.30"` in JSON. JSON writes a Decimal as a string because most JSON readers
  (JavaScript's JSON.parse, Python's json, Power Query) turn the literal 92.30 into the binary
  float 92.3 and drop the printed decimals; a string keeps them for every reader, a column
  keeps one type on every row, and it is what the API has always answered (Django REST
  framework writes decimals as strings). Integers (counts, years) are JSON numbers.
- **Texts that a spreadsheet would run as a formula**, those starting with `= + - @`, a tab or
  a carriage return, are neutralised: an apostrophe before them in CSV, quoted text
  (`quotePrefix`, still text when edited) in XLSX. The importer (importing.cells.cell_text)
  drops the apostrophe, so they read back as they were. JSON is data that no spreadsheet
  runs: texts are written as they are.
- **Lists** (a request's recipients, a document's issuers) are one cell joined by `、`
  (SEPARATOR), the separator the importer splits on; JSON keeps them as arrays. A list of
  records or a mapping (the API's nested objects) is one cell of JSON text.
- **Dates** are ISO (2023-01-01) in CSV and JSON and date cells in XLSX; nothing (None) is an
  empty cell and JSON null; a boolean is true/false.
- **Streamed**: CSV and JSON are written as the rows are read, a few hundred rows a chunk; XLSX
  through XlsxWriter's constant-memory mode into a temporary file. Memory stays bounded however many
  rows there are.

A Table's JSON is a document (title, source, url, last_modified, notes, columns, and rows
keyed by column key: the public downloads), or a bare list of records keyed by header
(`json_layout="records"`: the admin's export, which the importer reads one object at a time).
"""

import csv
import io
import json
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from hotline.parsing import typed_decimals

SEPARATOR = "、"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
CHUNK_ROWS = 500
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
}
FORMATS = tuple(CONTENT_TYPES)


@dataclass
class Table:
    name: str  # the file name without its extension: huaian-2023-appeals
    columns: list[tuple[str, str]]  # (key, header)
    rows: Iterable  # dicts by column key, or sequences in the columns' order; read once
    title: str = ""
    source: str = ""
    url: str = ""
    last_modified: datetime | None = None
    notes: list[str] = field(default_factory=list)
    json_layout: str = "document"  # or "records"

    @property
    def keys(self) -> list[str]:
        return [key for key, _header in self.columns]

    @property
    def headers(self) -> list[str]:
        return [str(header) for _key, header in self.columns]

    def values(self) -> Iterator[list]:
        keys = self.keys
        for row in self.rows:
            if type(row) is list:  # read once: as it is
                yield row
            else:
                yield list(map(row.get, keys)) if isinstance(row, dict) else list(row)


def neutralise(text: str) -> str:
    """A text that a spreadsheet would run as a formula, with an apostrophe before it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def list_text(items) -> str:
    return SEPARATOR.join(str(item) for item in items)


def _text(value):
    """Everything that is not a number, a date or None, as the text of one cell."""
    if isinstance(value, list | tuple):
        try:  # the common case, in short: texts (join takes nothing else)
            return SEPARATOR.join(value)
        except TypeError:
            pass
        if any(isinstance(item, dict | list | tuple) for item in value):
            return json.dumps(value, ensure_ascii=False, default=_json_default)
        return list_text("" if item is None else item for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    return str(value)


# -- CSV --------------------------------------------------------------------------------------


def csv_cell(value) -> str:
    kind = type(value)  # the commonest types asked first; a subclass goes the long way
    if kind is str:
        return neutralise(value)
    if kind is int:
        return repr(value)
    if value is None:
        return ""
    if kind is date:
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(_text(value))


# What the csv module writes as csv_cell would (str() of them): left to it.
_AS_WRITTEN = frozenset({int, float, date, type(None)})


def csv_row(values) -> list:
    """A row's cells as csv_cell writes them, the commonest kinds without a call each (a fifth
    of writing a long list's rows)."""
    return [
        value
        if (kind := type(value)) in _AS_WRITTEN
        else ("'" + value if value.startswith(FORMULA_STARTS) else value)
        if kind is str
        else csv_cell(value)
        for value in values
    ]


def iter_csv(table: Table) -> Iterator[bytes]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write(BOM)
    writer.writerow([neutralise(header) for header in table.headers])
    yield _drain(out)  # before the first row is read: the download starts at once
    for count, values in enumerate(table.values(), start=1):
        writer.writerow(csv_row(values))
        if count % CHUNK_ROWS == 0:
            yield _drain(out)
    yield _drain(out)


def _drain(buffer) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


# -- JSON -------------------------------------------------------------------------------------


def json_value(value):
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return value


def _json_default(value):
    converted = json_value(value)
    if converted is value:
        raise TypeError(f"{type(value).__name__} is not written as JSON")
    return converted


def _dumps(value, **kwargs) -> str:
    return json.dumps(json_value(value), ensure_ascii=False, **kwargs)


def iter_json(table: Table) -> Iterator[bytes]:
    if table.json_layout == "records":
        names = table.headers
        before, after = "[", "\n]\n"
    else:
        names = table.keys
        document = {
            "title": table.title,
            "source": table.source,
            "url": table.url,
            "last_modified": table.last_modified,
            "notes": table.notes,
            "columns": [{"key": key, "label": header} for key, header in table.columns],
            "rows": [],
        }
        # "rows" is the last key: the document is written around its empty list.
        before, after = _dumps(document, indent=1).rsplit("[]", 1)
        before, after = before + "[", "\n]" + after
    pieces = [before]
    for count, values in enumerate(table.values()):
        record = _dumps(dict(zip(names, values, strict=True)))
        pieces.append((",\n" if count else "\n") + record)
        if len(pieces) >= CHUNK_ROWS:
            yield "".join(pieces).encode("utf-8")
            pieces = []
    pieces.append(after)
    yield "".join(pieces).encode("utf-8")


# -- XLSX -------------------------------------------------------------------------------------

# XlsxWriter in its constant-memory mode: each row goes to a temporary file once the next one
# begins. It wrote the whole register (100,000 rows) in a third of openpyxl's time; openpyxl
# still reads the files that are imported (hotline.importing.readers).
XLSX_OPTIONS = {
    "constant_memory": True,
    # A text is a text: never made a formula, a link or a number behind our back.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


class XlsxCells:
    """Writes a value into a sheet's cell by the rules above: a Decimal a number with its
    printed decimals as its number format, a date a date cell, a text that a spreadsheet would
    run as a formula a quoted text (quotePrefix: still text when edited), nothing no cell."""

    def __init__(self, book):
        self.book = book
        self.decimals = {}
        self.quoted = book.add_format({"quote_prefix": True})
        self.day = book.add_format({"num_format": "yyyy-mm-dd"})
        self.moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})

    def write(self, sheet, row: int, column: int, value) -> None:
        if isinstance(value, str):
            self._text(sheet, row, column, str(value))
        elif value is None:
            pass
        elif isinstance(value, bool):
            sheet.write_boolean(row, column, value)
        elif isinstance(value, int | float):
            sheet.write_number(row, column, value)
        elif isinstance(value, Decimal):
            decimals = typed_decimals(value)
            if decimals:  # the printed decimals are part of the figure: 92.30, not 92.3
                sheet.write_number(row, column, float(value), self._decimals(decimals))
            else:
                sheet.write_number(row, column, int(value))
        elif isinstance(value, datetime):
            if timezone.is_aware(value):
                value = timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones
            sheet.write_datetime(row, column, value, self.moment)
        elif isinstance(value, date):
            sheet.write_datetime(row, column, value, self.day)
        else:
            self._text(sheet, row, column, _text(value))

    def _text(self, sheet, row, column, text: str) -> None:
        if text.startswith(FORMULA_STARTS):
            sheet.write_string(row, column, text, self.quoted)
        elif text:
            sheet.write_string(row, column, text)

    def _decimals(self, decimals: int):
        made = self.decimals.get(decimals)
        if made is None:
            made = self.decimals[decimals] = self.book.add_format(
                {"num_format": "0." + "0" * decimals}
            )
        return made


def write_xlsx(table: Table, out) -> None:
    """A workbook written as its rows come: they go to a temporary file, not into memory."""
    book = xlsxwriter.Workbook(out, XLSX_OPTIONS)
    cells = XlsxCells(book)
    sheet = book.add_worksheet(_sheet_title(table.name))
    bold = book.add_format({"bold": True})
    for column, header in enumerate(table.headers):
        sheet.write_string(0, column, header, bold)
    write = cells.write
    for row, values in enumerate(table.values(), start=1):
        for column, value in enumerate(values):
            write(sheet, row, column, value)
    about = [line for line in (table.source, *table.notes, table.url) if line]
    if about:
        sheet = book.add_worksheet(_("About"))
        for row, line in enumerate([table.title, *about]):
            write(sheet, row, 0, line)
    book.close()


def _sheet_title(name: str) -> str:
    return "".join("_" if c in "[]:*?/\\" else c for c in name)[:31] or "Sheet"


# -- Files and responses ----------------------------------------------------------------------

STREAMS = {"csv": iter_csv, "json": iter_json}


def write(table: Table, fmt: str, out) -> None:
    """The file into a binary file object."""
    if fmt == "xlsx":
        write_xlsx(table, out)
        return
    for chunk in STREAMS[fmt](table):
        out.write(chunk)


def content(table: Table, fmt: str) -> bytes:
    """The whole file, in memory: for a small table."""
    out = io.BytesIO()
    write(table, fmt, out)
    return out.getvalue()


def response(table: Table, fmt: str, *, stream: bool = True) -> HttpResponse:
    """The download. Streamed by default (CSV and JSON as the rows are read, XLSX from a
    temporary file); `stream=False` for a small table that a page cache may keep whole."""
    if fmt == "xlsx" and stream:
        out = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        write_xlsx(table, out)
        out.seek(0)
        reply = FileResponse(out)
    elif stream:
        reply = StreamingHttpResponse(STREAMS[fmt](table))
    else:
        reply = HttpResponse(content(table, fmt))
    return label(reply, table.name, fmt, table.json_layout)


def headers(name: str, fmt: str, json_layout: str = "document") -> dict[str, str]:
    """The download's type and file name."""
    # A JSON document opens in the browser; the others are files to keep.
    disposition = "inline" if fmt == "json" and json_layout == "document" else "attachment"
    return {
        "Content-Type": CONTENT_TYPES[fmt],
        "Content-Disposition": f'{disposition}; filename="{name}.{fmt}"',
    }


def label(reply: HttpResponse, name: str, fmt: str, json_layout: str = "document"):
    for header, value in headers(name, fmt, json_layout).items():
        reply[header] = value
    return reply
