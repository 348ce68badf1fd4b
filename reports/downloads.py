"""Every table as CSV (UTF-8 with BOM, so that Excel and WPS read the Chinese), XLSX and JSON.

A Dataset is columns and typed rows; numbers stay numbers (a change of -8.77 is data, not a
formula), and text cells that a spreadsheet would run as a formula are neutralised.
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from hotline.models.catalogue import translated

from .formatting import change_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
}


@dataclass
class Dataset:
    name: str  # the file name without extension: huaian-2023-appeals
    title: str
    columns: list[tuple[str, str]]  # (key, header)
    rows: Iterable[dict]  # read once, by the writer
    source: str = ""
    url: str = ""
    last_modified: datetime | None = None
    notes: list[str] = field(default_factory=list)


def neutralise(value):
    """A text that a spreadsheet would read as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


CSV_CHUNK_ROWS = 500


def iter_csv(dataset: Dataset) -> Iterator[bytes]:
    """The CSV in pieces of a few hundred rows, so that a long list is never whole in memory."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write("\ufeff")
    writer.writerow([neutralise(header) for _key, header in dataset.columns])
    for n, row in enumerate(dataset.rows, start=1):
        writer.writerow([neutralise(_plain(row.get(key))) for key, _header in dataset.columns])
        if n % CSV_CHUNK_ROWS == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def to_csv(dataset: Dataset) -> bytes:
    return b"".join(iter_csv(dataset))


def _xlsx_cell(sheet, value, **style):
    cell = WriteOnlyCell(sheet, value)
    if isinstance(value, Decimal) and value.as_tuple().exponent < 0:
        # Printed decimals are part of the figure: 92.30, not 92.3.
        cell.number_format = "0." + "0" * -value.as_tuple().exponent
    elif isinstance(value, str) and value.startswith(FORMULA_STARTS):
        # Stored as text, never as a formula, and kept text if the cell is edited.
        cell.data_type = "s"
        cell.quotePrefix = True
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def to_xlsx(dataset: Dataset) -> bytes:
    # Write-only: rows go to a temporary file as they come, so a long list is never whole in
    # memory as cells (the compressed file is).
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(dataset.name[:31])
    bold = Font(bold=True)
    sheet.append([_xlsx_cell(sheet, header, font=bold) for _key, header in dataset.columns])
    for row in dataset.rows:
        sheet.append([_xlsx_cell(sheet, _plain(row.get(key))) for key, _header in dataset.columns])
    notes = [n for n in [dataset.source, *dataset.notes] if n]
    if notes or dataset.url:
        about = workbook.create_sheet(_("About"))
        about.append([dataset.title])
        for line in [*notes, dataset.url]:
            if line:
                about.append([neutralise(line)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _json_value(value):
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, Decimal):
        return (
            int(value)
            if value == value.to_integral_value() and (value.as_tuple().exponent >= 0)
            else float(value)
        )
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def iter_json(dataset: Dataset) -> Iterator[bytes]:
    """The JSON document in pieces, its rows written as they are read."""
    document = {
        "title": dataset.title,
        "source": dataset.source,
        "url": dataset.url,
        "last_modified": dataset.last_modified.isoformat() if dataset.last_modified else None,
        "notes": dataset.notes,
        "columns": [{"key": key, "label": header} for key, header in dataset.columns],
        "rows": [],
    }
    # "rows" is the last key: the document is written around its empty list.
    before, after = json.dumps(document, ensure_ascii=False, indent=1).rsplit("[]", 1)
    keys = [key for key, _header in dataset.columns]
    pieces = [before + "["]
    for n, row in enumerate(dataset.rows):
        item = json.dumps({key: _json_value(row.get(key)) for key in keys}, ensure_ascii=False)
        pieces.append(("\n" if n == 0 else ",\n") + item)
        if len(pieces) >= CSV_CHUNK_ROWS:
            yield "".join(pieces).encode("utf-8")
            pieces = []
    pieces.append("\n]" + after)
    yield "".join(pieces).encode("utf-8")


def to_json(dataset: Dataset) -> bytes:
    return b"".join(iter_json(dataset))


WRITERS = {"csv": to_csv, "xlsx": to_xlsx, "json": to_json}


STREAMS = {"csv": iter_csv, "json": iter_json}


def response(dataset: Dataset, fmt: str, *, stream: bool = False) -> HttpResponse:
    """The download; with `stream`, a CSV or JSON whose rows are read as they are written."""
    if stream and fmt in STREAMS:
        reply = StreamingHttpResponse(STREAMS[fmt](dataset), content_type=CONTENT_TYPES[fmt])
    else:
        reply = HttpResponse(WRITERS[fmt](dataset), content_type=CONTENT_TYPES[fmt])
    disposition = "inline" if fmt == "json" else "attachment"
    reply["Content-Disposition"] = f'{disposition}; filename="{dataset.name}.{fmt}"'
    return reply


# -- Datasets of the report's tables ----------------------------------------------------------


def _report_name(report, code):
    return f"{report.region.slug}-{report.year}-{code}".replace("_", "-")


def grid_dataset(report, grid) -> Dataset:
    """A catalogue table, one row per figure (tidy), with its unit and change as published."""
    columns = [
        ("indicator", _("Indicator code")),
        ("row", grid.row_header or _("Row")),
        ("column_group", _("Column group")),
        ("column", _("Column")),
        ("value", _("Value")),
        ("text", _("Text")),
        ("unit", _("Unit")),
        ("change", _("Year-on-year change")),
        ("change_unit", _("Change in")),
        ("change_printed", _("Change as printed")),
        ("note", _("Note")),
    ]
    rows = []
    for row in grid.rows:
        for cell in row.cells:
            figure = cell.figure
            if figure is None:
                continue
            indicator = figure.indicator
            points = indicator.change_kind == indicator.ChangeKind.POINTS
            rows.append(
                {
                    "indicator": indicator.code,
                    "row": row.label,
                    "column_group": cell.column.group,
                    "column": cell.column.label,
                    "value": figure.printed_value,
                    "text": figure.text,
                    "unit": translated(indicator, "unit"),
                    "change": figure.printed_change,
                    "change_unit": (
                        (_("percentage points") if points else "%")
                        if figure.change is not None
                        else ""
                    ),
                    "change_printed": change_text(figure),
                    "note": "\n".join(f.text for f in cell.footnotes),
                }
            )
    notes = [grid.table.note] if grid.table.note else []
    return Dataset(
        name=_report_name(report, grid.code),
        title=f"{report.title or report} · {translated(grid.table, 'title')}",
        columns=columns,
        rows=rows,
        source=report.source,
        notes=notes,
    )


def top_departments_dataset(report, counts) -> Dataset:
    return Dataset(
        name=_report_name(report, "top5-departments"),
        title=f"{report.title or report} · {_('Top 5 departments by appeals handled')}",
        columns=[
            ("rank", _("Rank")),
            ("department", _("Department")),
            ("department_full_name", _("Full name")),
            ("count", _("Appeals (cases)")),
        ],
        rows=[
            {
                "rank": n,
                "department": str(c.department),
                "department_full_name": c.department.name,
                "count": c.count,
            }
            for n, c in enumerate(counts, start=1)
        ],
        source=report.source,
    )


def top_categories_dataset(report, categories) -> Dataset:
    rows = []
    for appeal_type, counts in categories:
        for n, c in enumerate(counts, start=1):
            rows.append(
                {
                    "appeal_type": appeal_type,
                    "rank": n,
                    "category": translated(c.category, "name"),
                    "count": c.count,
                    "share": c.printed_share,
                }
            )
    return Dataset(
        name=_report_name(report, "top5-categories"),
        title=f"{report.title or report} · {_('Top 5 appeal categories')}",
        columns=[
            ("appeal_type", _("Appeal type")),
            ("rank", _("Rank")),
            ("category", _("Appeal category")),
            ("count", _("Appeals (cases)")),
            ("share", _("Share as published (%)")),
        ],
        rows=rows,
        source=report.source,
    )


SHARING_COLUMNS = [
    ("city", gettext_lazy("City")),
    ("year", gettext_lazy("Year")),
    ("group_number", gettext_lazy("Group")),
    ("line", gettext_lazy("Line")),
    ("level", gettext_lazy("Administrative level")),
    ("recipients", gettext_lazy("Recipients")),
    ("methods", gettext_lazy("Methods")),
    ("scope", gettext_lazy("Scope")),
    ("period_start", gettext_lazy("Period from")),
    ("period_end", gettext_lazy("Period to")),
    ("records", gettext_lazy("Appeal records shared (cases)")),
    ("purpose", gettext_lazy("Purpose")),
    ("approval", gettext_lazy("Approval")),
    ("delivered_on", gettext_lazy("Delivered on")),
    ("note", gettext_lazy("Note")),
]


def sharing_rows(requests) -> Iterator[dict]:
    return (
        {
            "city": translated(r.report.region, "name"),
            "year": r.report.year,
            "group_number": r.group_number,
            "line": r.line,
            "level": translated(r.region, "name"),
            "recipients": [str(d) for d in r.recipients.all()],
            "methods": [translated(m, "name") for m in r.methods.all()],
            "scope": r.scope,
            "period_start": r.period_start,
            "period_end": r.period_end,
            "records": r.records,
            "purpose": r.purpose,
            "approval": r.approval,
            "delivered_on": r.delivered_on,
            "note": r.note,
        }
        for r in requests
    )


def sharing_dataset(name, title, requests, source="") -> Dataset:
    columns = [(str(k), str(v)) for k, v in SHARING_COLUMNS]
    return Dataset(name, title, columns, sharing_rows(requests), source=source)


POLICY_COLUMNS = [
    ("city", gettext_lazy("City")),
    ("year", gettext_lazy("Year")),
    ("order", gettext_lazy("Order")),
    ("title", gettext_lazy("Title")),
    ("doc_number", gettext_lazy("Document number")),
    ("issuers", gettext_lazy("Issued by")),
    ("issued_on", gettext_lazy("Issued on")),
    ("url", gettext_lazy("Link")),
    ("note", gettext_lazy("Note")),
]


def policy_rows(documents) -> Iterator[dict]:
    return (
        {
            "city": translated(d.report.region, "name"),
            "year": d.report.year,
            "order": d.order,
            "title": d.title,
            "doc_number": d.doc_number,
            "issuers": [str(i) for i in d.issuers.all()],
            "issued_on": d.issued_on,
            "url": d.url,
            "note": d.note,
        }
        for d in documents
    )


def policy_dataset(name, title, documents, source="") -> Dataset:
    columns = [(str(k), str(v)) for k, v in POLICY_COLUMNS]
    return Dataset(name, title, columns, policy_rows(documents), source=source)


EPISODE_COLUMNS = [
    ("city", gettext_lazy("City")),
    ("year", gettext_lazy("Year")),
    ("number", gettext_lazy("Episode")),
    ("aired_on", gettext_lazy("Aired on")),
    ("title", gettext_lazy("Title")),
    ("guests", gettext_lazy("Officials on air")),
    ("appeals_received", gettext_lazy("Appeals received (cases)")),
    ("answered_on_air", gettext_lazy("Answered on air (cases)")),
    ("supervised_after", gettext_lazy("Supervised after (cases)")),
    ("satisfaction_rate", gettext_lazy("Satisfaction (%)")),
    ("hot_topics_published", gettext_lazy("Hot topics published")),
    ("policy_qa_published", gettext_lazy("Policy Q&A pairs published")),
    ("note", gettext_lazy("Note")),
]


def episode_rows(episodes) -> Iterator[dict]:
    return (
        {
            "city": translated(e.report.region, "name"),
            "year": e.report.year,
            "number": e.number,
            "aired_on": e.aired_on,
            "title": e.title,
            "guests": [f"{g.department} {g.name}".strip() for g in e.guests.all()],
            "appeals_received": e.appeals_received,
            "answered_on_air": e.answered_on_air,
            "supervised_after": e.supervised_after,
            "satisfaction_rate": e.satisfaction_rate,
            "hot_topics_published": e.hot_topics_published,
            "policy_qa_published": e.policy_qa_published,
            "note": e.note,
        }
        for e in episodes
    )


def episode_dataset(name, title, episodes, source="") -> Dataset:
    columns = [(str(k), str(v)) for k, v in EPISODE_COLUMNS]
    return Dataset(name, title, columns, episode_rows(episodes), source=source)


def trend_dataset(region, reports, tables) -> Dataset:
    years = [r.year for r in reports]
    columns = [
        ("indicator", _("Indicator code")),
        ("table", _("Table")),
        ("row", _("Row")),
        ("column", _("Column")),
        ("unit", _("Unit")),
        *[(str(y), str(y)) for y in years],
        *[(f"change_{y}", _("Change %(year)s") % {"year": y}) for y in years],
    ]
    rows = []
    for table in tables:
        for trend_row in table.rows:
            ind = trend_row.indicator
            row = {
                "indicator": ind.code,
                "table": translated(table.table, "title"),
                "row": translated(ind, "row_label"),
                "column": " · ".join(
                    p
                    for p in [translated(ind, "column_group"), translated(ind, "column_label")]
                    if p
                ),
                "unit": translated(ind, "unit"),
            }
            for year, figure in zip(years, trend_row.figures, strict=True):
                if figure is not None:
                    row[str(year)] = (
                        figure.printed_value if figure.value is not None else (figure.text or None)
                    )
                    row[f"change_{year}"] = change_text(figure)
            rows.append(row)
    return Dataset(
        name=f"{region.slug}-indicators-by-year",
        title=_("%(city)s: indicators by year") % {"city": translated(region, "name")},
        columns=columns,
        rows=rows,
    )


def compare_dataset(page) -> Dataset:
    indicator = page.indicator
    return Dataset(
        name=f"compare-{page.year}-{indicator.code}".replace("_", "-").replace(".", "-"),
        title=f"{translated(indicator, 'column_label')} · {page.year}",
        columns=[
            ("city", _("City")),
            ("year", _("Year")),
            ("indicator", _("Indicator code")),
            ("value", _("Value")),
            ("text", _("Text")),
            ("unit", _("Unit")),
            ("change", _("Year-on-year change")),
            ("change_printed", _("Change as printed")),
        ],
        rows=[
            {
                "city": translated(f.report.region, "name"),
                "year": f.report.year,
                "indicator": indicator.code,
                "value": f.printed_value,
                "text": f.text,
                "unit": translated(indicator, "unit"),
                "change": f.printed_change,
                "change_printed": change_text(f),
            }
            for f in page.figures
        ],
    )
