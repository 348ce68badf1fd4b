"""Every table downloads as CSV (UTF-8 with BOM), XLSX and JSON with the page's figures."""

import csv
import io
import json

import openpyxl
import pytest
from django.utils.translation import gettext as _

from hotline.models import DataSharingRequest
from tests.hotline.factories import as_drafts

from .factories import make_report

pytestmark = pytest.mark.django_db

TABLE = "/reports/huaian/2023/tables/"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response):
    content = body(response)
    assert content.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_a_table_as_csv_has_one_row_per_figure_with_unit_and_change(client):
    response = client.get(TABLE + "calls.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="huaian-2023-calls.csv"'
    rows = {r[_("Indicator code")]: r for r in csv_rows(response)}
    assert len(rows) == 15
    inbound = rows["calls.inbound.calls_handled"]
    assert (inbound["话务类别"], inbound[_("Column")], inbound[_("Value")], inbound[_("Unit")]) == (
        "接听",
        "人工接听话务量",
        "1421313",
        "通",
    )
    assert (inbound[_("Year-on-year change")], inbound[_("Change in")]) == ("-6.35", "%")
    assert inbound[_("Change as printed")] == "↓6.35%"
    rate = rows["calls.inbound.answer_rate_30s"]
    assert (rate[_("Value")], rate[_("Change in")], rate[_("Change as printed")]) == (
        "92.30",
        _("percentage points"),
        _("%(amount)s pp") % {"amount": "↑18.14"},
    )
    outbound = rows["calls.outbound.answer_rate_30s"]
    assert (outbound[_("Value")], outbound[_("Text")], outbound[_("Year-on-year change")]) == (
        "",
        "",
        "",
    )


def test_a_csv_keeps_merged_cell_notes(client):
    rows = {r[_("Indicator code")]: r for r in csv_rows(client.get(TABLE + "knowledge.csv"))}
    assert "合并单元格" in rows["knowledge.total.item_lookups"][_("Note")]


def test_a_table_as_xlsx_keeps_numbers_as_numbers_with_their_printed_decimals(client):
    response = client.get(TABLE + "calls.xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="huaian-2023-calls.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = {
        r[0]: dict(zip(header, r, strict=True))
        for r in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert rows["calls.inbound.calls_handled"][_("Value")] == 1421313
    assert rows["calls.inbound.calls_handled"][_("Year-on-year change")] == pytest.approx(-6.35)
    value_col = header.index(_("Value")) + 1
    rate_row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value.endswith("rate_30s"))
    assert rate_row[value_col - 1].number_format == "0.00"
    assert book.worksheets[1].cell(1, 1).value.startswith("淮安市12345热线2023年度工作情况")


def test_a_table_as_json(client):
    response = client.get(TABLE + "appeals.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    document = json.loads(response.content)
    assert document["url"].endswith("/reports/huaian/2023/tables/appeals/")
    assert document["last_modified"]
    rows = {r["indicator"]: r for r in document["rows"]}
    # Decimals as strings with their printed decimals, in every row of the column.
    assert rows["appeals.public.total"]["value"] == "1438746"
    assert rows["appeals.public.total"]["change"] == "-8.77"
    assert rows["appeals.public.source_transfer"]["change_printed"] == "↑240%"
    assert [c["key"] for c in document["columns"]][:2] == ["indicator", "row"]


def test_a_table_as_json_keeps_the_printed_decimals(client):
    """The report prints 92.30; a JSON number would be read back as 92.3."""
    rows = json.loads(client.get(TABLE + "calls.json").content)["rows"]
    rate = next(r for r in rows if r["indicator"] == "calls.inbound.answer_rate_30s")
    assert (rate["value"], rate["change"]) == ("92.30", "18.14")
    assert b'"92.30"' in client.get(TABLE + "calls.json").content


def test_the_top5_and_register_tables_download_too(client):
    categories = csv_rows(client.get(TABLE + "top5-categories.csv"))
    assert len(categories) == 15
    assert categories[0][_("Appeal category")] == "民生保障"
    assert categories[0][_("Share as published (%)")] == "43.38"
    departments = csv_rows(client.get(TABLE + "top5-departments.csv"))
    assert [d[_("Appeals (cases)")] for d in departments] == [
        "26851",
        "7789",
        "4747",
        "4105",
        "3692",
    ]
    register = json.loads(body(client.get(TABLE + "sharing-register.json")))["rows"]
    assert len(register) == 22 and sum(r["records"] for r in register) == 3386014
    assert register[6]["methods"] == ["线下刻盘", "网络传输"]
    assert len(register[6]["recipients"]) == 5
    documents = csv_rows(client.get(TABLE + "policy-documents.csv"))
    assert documents[0][_("Document number")] == "淮办字[2023]14号"


def test_formulas_in_text_are_neutralised_but_negative_numbers_stay_numbers(client):
    request = DataSharingRequest.private_objects.get(report__year=2023, line=1)
    with as_drafts(request.report):
        request.scope = '=HYPERLINK("http://example.com")'
        request.save()
    rows = csv_rows(client.get(TABLE + "sharing-register.csv"))
    assert rows[0][_("Scope")] == '\'=HYPERLINK("http://example.com")'
    changes = csv_rows(client.get(TABLE + "appeals.csv"))
    assert changes[0][_("Year-on-year change")] == "-8.77"

    book = openpyxl.load_workbook(io.BytesIO(body(client.get(TABLE + "sharing-register.xlsx"))))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(2, header.index(_("Scope")) + 1)
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://example.com")'
    assert cell.quotePrefix


def test_record_lists_download_with_their_filters(client):
    network = csv_rows(client.get("/data-sharing.csv?method=network"))
    assert network and all("网络传输" in r[_("Methods")] for r in network)
    assert len(network) == 9
    jinhu = json.loads(body(client.get("/data-sharing.json?district=huaian-jinhu")))["rows"]
    assert [r["line"] for r in jinhu] == [8, 9, 10, 11, 12]
    documents = csv_rows(client.get("/policies.csv?year=2023&city=huaian"))
    assert len(documents) == 3


@pytest.mark.parametrize(
    ("kind", "related"),
    [
        ("data-sharing", ["recipients", "methods"]),
        ("episodes", ["guests"]),
        ("policies", ["issuers"]),
    ],
)
def test_a_record_list_csv_streams_the_same_rows_as_the_json(client, kind, related):
    make_report("nanjing", 2023, records=4)
    make_report("huaian", 2022, records=3)
    streamed = client.get(f"/{kind}.csv")
    assert streamed.streaming
    rows = csv_rows(streamed)
    streamed_json = client.get(f"/{kind}.json")
    assert streamed_json.streaming
    document = json.loads(body(streamed_json))
    labels = {c["key"]: c["label"] for c in document["columns"]}
    expected = [
        {labels[k]: "、".join(v) if isinstance(v, list) else v for k, v in row.items()}
        for row in document["rows"]
    ]
    assert len(rows) == len(expected) > 5
    for got, want in zip(rows, expected, strict=True):
        for key in related:
            assert got[labels[key]] == want[labels[key]]
        assert got[labels["year"]] == str(want[labels["year"]])


def test_the_city_table_and_the_comparison_download(client):
    rows = csv_rows(client.get("/reports/huaian/indicators.csv"))
    total = next(r for r in rows if r[_("Indicator code")] == "appeals.total.total")
    assert (total["2023"], total[_("Change %(year)s") % {"year": 2023}]) == ("1450699", "↓8.81%")
    compare = json.loads(
        client.get("/compare.json?year=2023&indicator=calls.inbound.answer_rate_30s").content
    )
    assert compare["rows"] == [
        {
            "city": "淮安市",
            "year": 2023,
            "indicator": "calls.inbound.answer_rate_30s",
            "value": "92.30",
            "text": "",
            "unit": "%",
            "change": "18.14",
            "change_printed": "↑18.14 个百分点",
        }
    ]


def test_an_unknown_table_is_404(client):
    assert client.get(TABLE + "nothing.csv").status_code == 404
    assert client.get(TABLE + "nothing/").status_code == 404
