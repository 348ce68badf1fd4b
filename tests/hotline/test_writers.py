"""The one writer (hotline/writers.py): its rules, and the admin's export, the public downloads
and the API's CSV writing the same records the same way."""

import csv
import datetime
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.utils.escape import unescape
from rest_framework.test import APIClient

from hotline import writers
from hotline.importing import exporting
from hotline.importing.cells import cell_text
from hotline.importing.columns import spec_for
from hotline.models import DataSharingRequest, Figure
from tests.hotline import factories as f

pytestmark = pytest.mark.django_db


def xlsx_cells(cells: list) -> list[tuple]:
    """A row of `cells` as written (write_xlsx), read back as a spreadsheet reads them: each
    cell's value (a text's escapes of control characters decoded: `_x000D_` is a carriage
    return), type, number format and quote prefix."""
    out = io.BytesIO()
    writers.write_xlsx(writers.Table("t", [(str(n), "") for n in range(len(cells))], [cells]), out)
    row = next(openpyxl.load_workbook(out)["t"].iter_rows(min_row=2, max_row=2))
    return [
        (unescape(c.value) if c.data_type == "s" else c.value, *read[1:])
        for c in row
        for read in [(c.value, c.data_type, c.number_format, c.quotePrefix)]
    ]


def xlsx_cell(value) -> tuple:
    return xlsx_cells([value])[0]


DANGEROUS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "-8.77", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_a_text_that_would_run_as_a_formula_is_neutralised_and_reads_back(text):
    assert writers.csv_cell(text) == "'" + text
    assert cell_text(writers.csv_cell(text)) == text
    assert xlsx_cell(text) == (text, "s", "General", True)
    assert writers.json_value(text) == text  # JSON is data: no spreadsheet runs it


@pytest.mark.parametrize(
    ("number", "in_csv", "in_json", "number_format"),
    [
        (Decimal("92.30"), "92.30", "92.30", "0.00"),
        (Decimal("-8.77"), "-8.77", "-8.77", "0.00"),
        (Decimal("1438746"), "1438746", "1438746", "General"),
        (Decimal("0.5"), "0.5", "0.5", "0.0"),
        (-3, "-3", -3, "General"),
    ],
)
def test_a_number_stays_a_number_with_its_printed_decimals(number, in_csv, in_json, number_format):
    assert writers.csv_cell(number) == in_csv
    assert writers.json_value(number) == in_json
    value, data_type, written_format, _quoted = xlsx_cell(number)
    assert data_type == "n" and written_format == number_format
    assert value == pytest.approx(float(number))


def test_lists_dates_and_nothing():
    assert writers.csv_cell(["市公安局", "市教育局"]) == "市公安局、市教育局"
    assert writers.csv_cell(["=a", "b"]) == "'=a、b"
    assert writers.csv_cell([{"name": "王", "is_principal": True}]) == (
        '[{"name": "王", "is_principal": true}]'
    )
    assert writers.json_value(["a", Decimal("1.50")]) == ["a", "1.50"]
    assert writers.csv_cell(datetime.date(2023, 1, 1)) == "2023-01-01"
    assert xlsx_cell(datetime.date(2023, 1, 1))[2] == "yyyy-mm-dd"
    assert (writers.csv_cell(None), writers.json_value(None)) == ("", None)
    assert (writers.csv_cell(True), writers.json_value(True)) == ("true", True)


def test_every_format_streams_its_rows_as_they_are_read():
    read = []

    def rows():
        for n in range(1, 1201):
            read.append(n)
            yield {"n": n, "text": "-x"}

    for fmt in ("csv", "json"):
        read.clear()
        chunks = writers.STREAMS[fmt](writers.Table("t", [("n", "N"), ("text", "T")], rows()))
        next(chunks)
        assert len(read) <= writers.CHUNK_ROWS
        assert b"".join(chunks)
        assert len(read) == 1200
    response = writers.response(writers.Table("t", [("n", "N")], rows()), "xlsx")
    assert response.streaming  # from a temporary file, not a bytes object in memory
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.active.max_row == 1201


def _csv(content: bytes) -> list[dict]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_admin_export_the_public_download_and_the_api_write_a_record_alike(client, report_2023):
    """Three ways out of the same request: the same cells (texts neutralised the same way,
    numbers as numbers, lists joined by 、)."""
    request = DataSharingRequest.private_objects.get(report=report_2023, line=7)
    with f.as_drafts(report_2023):
        request.scope, request.purpose, request.note = "-2+3", "@SUM(A1)", "-8.77"
        request.save()
    spec = spec_for("datasharingrequest")
    admin = _csv(
        b"".join(writers.iter_csv(exporting.table(spec, DataSharingRequest.private_objects)))
    )
    public = _csv(_body(client.get("/reports/huaian/2023/tables/sharing-register.csv")))
    api = _csv(APIClient().get("/api/v1/sharing-requests/?format=csv&page_size=1000").content)

    def row(rows, line_header):
        return next(r for r in rows if r[line_header] == "7")

    admin_row = row(admin, "行号")
    public_row = row(public, "行号")
    api_row = row(api, "line")
    cells = [
        (admin_row["共享主题"], public_row["共享主题"], api_row["scope"]),
        (admin_row["用途"], public_row["用途"], api_row["purpose"]),
        (admin_row["备注"], public_row["备注"], api_row["note"]),
        (admin_row["共享诉求数据量(件)"], public_row["共享诉求数据量(件)"], api_row["records"]),
    ]
    assert cells == [
        ("'-2+3",) * 3,
        ("'@SUM(A1)",) * 3,
        ("'-8.77",) * 3,  # a text, though it looks like a number
        (str(request.records),) * 3,
    ]
    for rows, header in ((admin, "共享方式"), (public, "共享方式")):
        assert "、" in row(rows, "行号")[header]
    assert "、" in api_row["methods"] and ";" not in api_row["methods"]


def test_the_three_write_a_figure_alike(client, report_2023):
    """A rate printed 92.30, up 18.14 points; a total down 8.77%: numbers, never neutralised,
    with their printed decimals."""
    figures = Figure.private_objects.filter(
        report=report_2023,
        indicator__code__in=["calls.inbound.answer_rate_30s", "appeals.public.total"],
    )
    admin = {
        r["指标"]: r
        for r in _csv(b"".join(writers.iter_csv(exporting.table(spec_for("figure"), figures))))
    }
    public = {
        r["指标代码"]: r
        for table in ("calls", "appeals")
        for r in _csv(_body(client.get(f"/reports/huaian/2023/tables/{table}.csv")))
    }
    api = {
        r["indicator"]: r
        for r in _csv(APIClient().get("/api/v1/figures/?format=csv&page_size=1000").content)
    }
    for code, value, change in (
        ("calls.inbound.answer_rate_30s", "92.30", "18.14"),
        ("appeals.public.total", "1438746", "-8.77"),
    ):
        assert (admin[code]["数值"], public[code]["数值"], api[code]["printed_value"]) == (
            (value,) * 3
        )
        assert (admin[code]["印发同比变化"], public[code]["同比变化"], api[code]["change"]) == (
            (change,) * 3
        )
    document = json.loads(_body(client.get("/reports/huaian/2023/tables/calls.json")))
    rate = next(r for r in document["rows"] if r["indicator"] == "calls.inbound.answer_rate_30s")
    assert rate["value"] == "92.30"


class _Text(str):
    pass


def test_a_rows_cells_are_written_as_each_cell_alone_would_be():
    """iter_csv writes the commonest kinds of a row without csv_cell's call (csv_row): the
    bytes are the ones each cell written alone makes, whatever its kind."""
    aware = datetime.datetime(2023, 5, 1, 8, 30, tzinfo=datetime.UTC)
    cells = [*DANGEROUS, "淮安市", "", _Text("=x"), 7, -3, 0, True, False, None, 1.5,
             Decimal("92.30"), Decimal("1E+2"), datetime.date(2023, 1, 1), aware,
             ["市公安局", "=市教育局"], ["a", None, 3], ("x", "y"), [{"a": 1}], {"k": "v"}, [],
             _Text("-1")]  # fmt: skip

    def written(rows):
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(rows)
        return out.getvalue()

    table = writers.Table("t", [(str(n), str(n)) for n in range(len(cells))], [cells])
    body = b"".join(writers.iter_csv(table)).decode("utf-8").split("\r\n", 1)[1]
    assert body == written([[writers.csv_cell(cell) for cell in cells]])
    assert "'=x" in body and "true" in body and "100" in body and "2023-05-01T08:30:00" in body


def test_each_kind_of_cell_reads_back_from_a_workbook_by_the_rules():
    """Every kind of value a row holds, as a spreadsheet reads it back: its value, type,
    number format and quote prefix."""
    aware = datetime.datetime(2023, 5, 1, 8, 30, tzinfo=datetime.UTC)
    quoted = [(text, "s", "General", True) for text in DANGEROUS]
    expected = [
        *zip(DANGEROUS, quoted, strict=True),
        ("淮安市", ("淮安市", "s", "General", False)),
        ("#N/A", ("#N/A", "s", "General", False)),  # a text, not Excel's error
        ("", (None, "n", "General", False)),
        (_Text("=x"), ("=x", "s", "General", True)),
        (_Text("-1"), ("-1", "s", "General", True)),
        (7, (7, "n", "General", False)),
        (-3, (-3, "n", "General", False)),
        (True, (True, "b", "General", False)),
        (None, (None, "n", "General", False)),
        (1.5, (1.5, "n", "General", False)),
        (Decimal("92.30"), (92.3, "n", "0.00", False)),
        (Decimal("1438746"), (1438746, "n", "General", False)),
        (datetime.date(2023, 1, 1), (datetime.datetime(2023, 1, 1), "d", "yyyy-mm-dd", False)),
        # in the site's time zone (Asia/Shanghai): Excel has none
        (aware, (datetime.datetime(2023, 5, 1, 16, 30), "d", "yyyy-mm-dd hh:mm:ss", False)),
        (["市公安局", "=市教育局"], ("市公安局、=市教育局", "s", "General", False)),
        (["=市公安局"], ("=市公安局", "s", "General", True)),
    ]
    assert xlsx_cells([value for value, _read in expected]) == [want for _v, want in expected]
