"""Rows out of a CSV, XLSX or JSON file, one at a time, whatever the file's size.

The kind of file is read from its first bytes, not from its name or a choice in a form: an
XLSX is a zip archive, JSON opens with [ and anything else is CSV (comma- or tab-separated, in
any encoding of encodings.py). A workbook exported by workbook.py is recognised by its hidden
sheet and read as the figures it lays out.
"""

import csv
import json
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from .cells import cell_text, xlsx_cell_text
from .encodings import BOM, open_text

ZIP_MAGIC = b"PK\x03\x04"
CHUNK = 1 << 16
# A CSV cell may hold a long scope text; the csv module's default limit is 128 KiB.
csv.field_size_limit(1 << 24)


class Refused(Exception):
    """A file that cannot be imported at all; the messages say why."""

    def __init__(self, *messages):
        super().__init__(*messages)
        self.messages = [str(message) for message in messages]


@dataclass
class RawRow:
    number: int  # as the spreadsheet shows it: the header is row 1
    cells: list
    sheet: str = ""
    labels: dict = field(default_factory=dict)  # column key → how the file names that cell
    optional: bool = False  # a blank cell of a template: a row only if it already exists


class Table:
    kind = ""
    is_workbook = False

    def __init__(self, headers, rows, size=0, position=None):
        self.headers = headers
        self.rows = rows
        self._size = size
        self._position = position

    def progress(self) -> float:
        """How much of the file has been read, 0 to 1."""
        if not self._size or self._position is None:
            return 0.0
        return min(self._position() / self._size, 1.0)


def _size(stream) -> int:
    try:
        return os.fstat(stream.fileno()).st_size
    except (AttributeError, OSError, ValueError):
        here = stream.tell()
        size = stream.seek(0, os.SEEK_END)
        stream.seek(here)
        return size


def _blank(cells) -> bool:
    return all(cell == "" for cell in cells)


def _trim_headers(headers: list) -> list[str]:
    headers = [str(h).strip() if h is not None else "" for h in headers]
    while headers and not headers[-1]:
        headers.pop()
    if headers:
        headers[0] = headers[0].lstrip("\ufeff")
    return headers


def sniff(stream) -> str:
    here = stream.tell()
    head = stream.read(64)
    stream.seek(here)
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    body = head[len(BOM) :] if head.startswith(BOM) else head
    if body.lstrip()[:1] in (b"[", b"{"):
        return "json"
    return "csv"


def open_table(stream) -> Table:
    """The rows of a binary stream, with its headers; Refused if it cannot be read at all, or
    (while its rows are read) if a later part of it cannot."""
    kind = sniff(stream)
    try:
        table = {"xlsx": _xlsx, "json": _json, "csv": _csv}[kind](stream)
    except Refused:
        raise
    except UnicodeDecodeError:
        raise Refused(_encoding_message()) from None
    # A file is untrusted input to parsers (csv, json, zip, XML) whose ways of failing cannot
    # be listed: a broken zip, a broken JSON document, nesting too deep for the parser, …
    except Exception as error:
        raise Refused(
            _("The file cannot be read as %(kind)s: %(error)s")
            % {"kind": kind.upper(), "error": _reason(error)}
        ) from None
    table.kind = kind
    if not table.headers and kind != "json":  # [] is a list of no records
        raise Refused(_("The file is empty: it has no header row."))
    table.rows = _guarded(table.rows, kind)
    return table


def count_rows(stream, limit: int) -> int:
    """The rows of a file, counted as they are read, up to `limit` + 1 (the file need not be
    read further to know that it is too long); Refused as open_table refuses."""
    table = open_table(stream)
    count = 0
    for _row in table.rows:
        count += 1
        if count > limit:
            break
    table.rows.close()
    return count


def _encoding_message():
    return _("The file is neither UTF-8 nor GBK/GB18030 text; save it again as CSV UTF-8.")


def _reason(error) -> str:
    if isinstance(error, RecursionError):
        return _("it is nested too deeply")
    if isinstance(error, UnicodeDecodeError):
        return _encoding_message()
    if isinstance(error, json.JSONDecodeError):
        return error.msg  # its position counts from the chunk parsed, not from the file
    return str(error)


def _guarded(rows, kind):
    """The rows, with a failure to read the rest of the file (a cell over the csv module's
    limit, a record nested too deeply, …) refused with where it happened: never a traceback."""
    last = 0
    try:
        for row in rows:
            last = row.number
            yield row
    except Refused:
        raise
    except Exception as error:  # see open_table
        if kind == "json":
            where = _("Record %(number)s of the JSON file") % {"number": last + 1}
        else:
            where = _("The file after row %(row)s") % {"row": last or 1}
        raise Refused(
            _("%(where)s cannot be read: %(error)s") % {"where": where, "error": _reason(error)}
        ) from None


def _csv(stream) -> Table:
    size = _size(stream)
    text = open_text(stream)
    first = text.readline()
    # Excel's "Unicode text" and some exports are tab-separated.
    delimiter = "\t" if "\t" in first and "," not in first else ","
    text.seek(0)
    reader = csv.reader(text, delimiter=delimiter)
    headers = _trim_headers(next(reader, []))
    width = len(headers)

    def rows():
        for number, cells in enumerate(reader, start=2):
            cells = [cell_text(cell) for cell in cells]
            if _blank(cells):
                continue
            yield RawRow(number, cells + [""] * (width - len(cells)))

    return Table(headers, rows(), size, stream.tell)


def _json(stream) -> Table:
    size = _size(stream)
    text = open_text(stream)
    objects = iter_json_array(text)
    first = next(objects, None)
    if first is None:
        return Table([], iter(()))
    headers = _trim_headers([_printable(key) for key in first])

    def rows():
        yield _json_row(1, first, headers)
        for number, obj in enumerate(objects, start=2):
            yield _json_row(number, obj, headers)

    return Table(headers, rows(), size, stream.tell)


def _json_row(number, obj, headers):
    unknown = [key for key in obj if key not in headers]
    if unknown:
        raise Refused(
            _("Record %(number)s of the JSON file has keys the first record has not: %(keys)s.")
            % {"number": number, "keys": "、".join(_printable(key) for key in unknown)}
        )
    cells = [cell_text(obj.get(key)) for key in headers]
    for key, cell in zip(headers, cells, strict=True):
        if isinstance(cell, str) and _SURROGATE.search(cell):
            raise Refused(
                _(
                    "Record %(number)s of the JSON file, “%(column)s”: the text holds an "
                    "escape (\\ud800 to \\udfff) that is not a character."
                )
                % {"number": number, "column": _printable(key)}
            )
    return RawRow(number, cells)


# JSON may escape half of a UTF-16 pair alone ("\ud800"): Python reads it as a str that can be
# neither stored nor shown.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _printable(text) -> str:
    return _SURROGATE.sub("\ufffd", str(text))


def iter_json_array(text, chunk=CHUNK):
    """The objects of a JSON array, parsed one at a time from a text stream: memory holds one
    object and one chunk, never the document. Numbers are read as Decimal as written: 92.30
    keeps its two decimals, and 1e400 or a 5,000-digit integer is a number too large for its
    column, not a crash."""
    decoder = json.JSONDecoder(parse_float=Decimal, parse_int=Decimal)
    buffer, position, done = "", 0, False

    def more():
        nonlocal buffer, position, done
        data = text.read(chunk)
        if not data:
            done = True
        buffer = buffer[position:] + data
        position = 0

    def skip(space=" \t\r\n"):
        nonlocal position
        while True:
            while position < len(buffer) and buffer[position] in space:
                position += 1
            if position < len(buffer) or done:
                return
            more()

    skip()
    if buffer[position : position + 1] == "{":
        # {"rows": [...]} as the public downloads and some tools write it: "rows", or else
        # the first list, is the data.
        obj, _end = decoder.raw_decode(buffer + text.read())
        lists = [v for v in obj.values() if isinstance(v, list)]
        rows = obj["rows"] if isinstance(obj.get("rows"), list) else next(iter(lists), None)
        if rows is None:
            raise ValueError(_("a JSON file holds a list of records"))
        for item in rows:
            yield _record(item)
        return
    if buffer[position : position + 1] != "[":
        raise ValueError(_("a JSON file holds a list of records"))
    position += 1
    while True:
        skip(" \t\r\n,")
        if position >= len(buffer):
            raise ValueError(_("the list of records is not closed with ]"))
        if buffer[position] == "]":
            return
        try:
            obj, end = decoder.raw_decode(buffer, position)
        except json.JSONDecodeError:
            if done:
                raise
            more()
            continue
        position = end
        yield _record(obj)


def _record(obj):
    if not isinstance(obj, dict):
        raise Refused(_("A JSON file holds a list of records, each an object of columns."))
    return obj


def _xlsx(stream) -> Table:
    import openpyxl

    book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    declared = {worksheet.title: worksheet.max_row or 0 for worksheet in book.worksheets}
    for worksheet in book.worksheets:
        # Read-only mode stops at the size a sheet declares (<dimension>), which some writers
        # understate: every row is read instead; the declared size is only an estimate.
        worksheet.reset_dimensions()
    from .workbook import META_SHEET, workbook_table

    if META_SHEET in book.sheetnames:
        return workbook_table(book)
    sheet = next((ws for ws in book.worksheets if ws.sheet_state == "visible"), book.worksheets[0])
    total = declared[sheet.title]  # for the progress bar only
    rows_iter = sheet.iter_rows()
    header_cells = next(rows_iter, ())
    headers = _trim_headers([cell.value for cell in header_cells])
    width = len(headers)
    seen = {"row": 1}

    def rows():
        try:
            for number, row in enumerate(rows_iter, start=2):
                seen["row"] = number
                cells = [xlsx_cell_text(cell) for cell in row[:width]]
                cells += [""] * (width - len(cells))
                if _blank(cells):
                    continue
                yield RawRow(number, cells, sheet.title)
        finally:
            book.close()

    return Table(headers, rows(), total, lambda: seen["row"])
