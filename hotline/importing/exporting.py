"""Records out as CSV (UTF-8 with a BOM, so that Excel and WPS read the Chinese), XLSX and
JSON, with the headers the importer reads back; streamed, so that a list of any length is
written with bounded memory.

Rows are read `CHUNK` at a time (queryset.iterator with its prefetches per chunk). Numbers
stay numbers; text that a spreadsheet would run as a formula (= + - @) is neutralised.
"""

import csv
import io
import json
import tempfile
from datetime import date, datetime
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .cells import FORMULA_STARTS, list_text, neutralise
from .columns import Spec, spec_for

CHUNK = 2000
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
}


def rows(spec: Spec, queryset, chunk_size=CHUNK):
    """The export columns' values of each record, read a chunk at a time."""
    columns = spec.export_columns
    for obj in spec.export_queryset(queryset).iterator(chunk_size=chunk_size):
        yield [column.export(obj) for column in columns]


def headers(spec: Spec) -> list[str]:
    return [column.header for column in spec.export_columns]


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, list):
        value = list_text(str(v) for v in value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return neutralise(value)


def csv_chunks(spec, queryset, chunk_size=CHUNK):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in headers(spec)])
    yield "\ufeff".encode() + _drain(buffer)
    for count, values in enumerate(rows(spec, queryset, chunk_size), start=1):
        if count % 500 == 0:
            yield _drain(buffer)
        writer.writerow([_csv_cell(value) for value in values])
    yield _drain(buffer)


def _drain(buffer) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


def _json_value(value):
    if isinstance(value, Decimal):
        # As text: 92.30 keeps its printed decimals, which a JSON number would lose.
        return int(value) if value.as_tuple().exponent >= 0 else format(value, "f")
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def json_chunks(spec, queryset, chunk_size=CHUNK):
    names = headers(spec)
    yield b"["
    for count, values in enumerate(rows(spec, queryset, chunk_size)):
        record = {name: _json_value(value) for name, value in zip(names, values, strict=True)}
        separator = "," if count else ""
        yield (separator + "\n" + json.dumps(record, ensure_ascii=False)).encode("utf-8")
    yield b"\n]\n"


def _xlsx_cell(sheet, value):
    if isinstance(value, list):
        value = list_text(str(v) for v in value)
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        cell = WriteOnlyCell(sheet, value=int(value) if exponent >= 0 else float(value))
        if exponent < 0:
            # The printed decimals are part of the figure: 92.30, not 92.3.
            cell.number_format = "0." + "0" * -exponent
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, str) and value.startswith(FORMULA_STARTS):
        # Text, never a formula, and still text if someone edits it.
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def write_xlsx(spec, queryset, out, chunk_size=CHUNK):
    """A write-only workbook: rows go to a temporary file as they come, not into memory."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(spec.model._meta.verbose_name_plural)[:31])
    bold = Font(bold=True)
    header_cells = []
    for name in headers(spec):
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for values in rows(spec, queryset, chunk_size):
        sheet.append([_xlsx_cell(sheet, value) for value in values])
    book.save(out)


def export_file_name(spec, fmt) -> str:
    return f"{spec.name}-{timezone.localdate():%Y-%m-%d}.{fmt}"


def response(spec, queryset, fmt: str, file_name: str | None = None):
    """A streamed download of the queryset's records."""
    if not isinstance(spec, Spec):
        spec = spec_for(spec)
    file_name = file_name or export_file_name(spec, fmt)
    if fmt == "xlsx":
        out = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        write_xlsx(spec, queryset, out)
        out.seek(0)
        reply = FileResponse(out, content_type=CONTENT_TYPES[fmt])
    else:
        chunks = csv_chunks if fmt == "csv" else json_chunks
        reply = StreamingHttpResponse(chunks(spec, queryset), content_type=CONTENT_TYPES[fmt])
    reply["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return reply


def write(spec, queryset, fmt: str, out):
    """The same export into a binary file, for the export_records command."""
    if not isinstance(spec, Spec):
        spec = spec_for(spec)
    if fmt == "xlsx":
        write_xlsx(spec, queryset, out)
        return
    chunks = csv_chunks if fmt == "csv" else json_chunks
    for chunk in chunks(spec, queryset):
        out.write(chunk)
