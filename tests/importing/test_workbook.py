"""A report as one workbook laid out like the printed report: a sheet per section, tables
with their grouped headers, value, change and last year's value side by side; the blank
template of a new year; and the workbook imported back."""

import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from hotline.importing.workbook import write_workbook
from hotline.models import AnnualReport, Figure

from .conftest import run

pytestmark = pytest.mark.django_db

SECTIONS = [
    "一、企业群众诉求办理",
    "二、特色热线公共服务",
    "三、政府服务效能",
    "四、制度规范标准建设",
    "五、热线大数据",
    "六、平台基础保障能力",
]


def workbook(report) -> bytes:
    out = io.BytesIO()
    write_workbook(report, out)
    return out.getvalue()


def locate(book, table, row_label, column, role="value"):
    """The cell of an indicator, found by the workbook's hidden markers as the importer does."""
    for sheet in book.worksheets:
        current, columns = None, {}
        for cells in sheet.iter_rows():
            first = cells[0].value
            marker = json.loads(first) if isinstance(first, str) and first[:1] == "[" else None
            if marker and marker[0] == "table":
                current = marker[1]
            elif first == "#columns":
                columns = {
                    tuple(json.loads(c.value)): c.column
                    for c in cells[1:]
                    if isinstance(c.value, str)
                }
            elif marker and marker[0] == "row" and current == table and marker[1] == row_label:
                return sheet.cell(cells[0].row, columns[(*column, role)])
    raise LookupError((table, row_label, column))


def test_the_workbook_is_laid_out_as_the_printed_report(report_2023):
    book = openpyxl.load_workbook(io.BytesIO(workbook(report_2023)))
    assert book.sheetnames == ["说明", *SECTIONS, "_hotline"]
    assert book["_hotline"].sheet_state == "hidden"
    first = book[SECTIONS[0]]
    assert first["B1"].value == SECTIONS[0]
    assert first.column_dimensions["A"].hidden
    assert first.protection.sheet
    total = locate(book, "appeals", "群众诉求", ("", "诉求总量"))
    assert total.value == 1438746
    change = locate(book, "appeals", "群众诉求", ("", "诉求总量"), "change")
    assert change.value == -8.77
    assert change.number_format == '"↑"0.00"%";"↓"0.00"%";0.00"%"'  # shows ↓8.77%
    rate = locate(book, "calls", "接听", ("", "30秒人工接通率"))
    assert (rate.value, rate.number_format) == (92.3, "0.00")  # shows 92.30
    rate_change = locate(book, "calls", "接听", ("", "30秒人工接通率"), "change")
    # shows ↑18.14 个百分点: points, never mistaken for per cent
    assert rate_change.number_format == '"↑"0.00" 个百分点";"↓"0.00" 个百分点";0.00" 个百分点"'
    assert not rate.protection.locked
    headers = {c.value for row in first.iter_rows(max_row=8) for c in row}
    assert {"诉求来源", "电话", "数值（件）", "同比变化", "上年（仅供对照）"} <= headers
    status = locate(book, "security", "市本级平台", ("", "平台安全运行状态"))
    assert status.value == "优秀"


def test_a_new_years_template_is_blank_beside_last_years_figures(report_2023):
    new = AnnualReport.private_objects.create(region=report_2023.region, year=2024)
    book = openpyxl.load_workbook(io.BytesIO(workbook(new)))
    value = locate(book, "appeals", "群众诉求", ("", "诉求总量"))
    last_year = locate(book, "appeals", "群众诉求", ("", "诉求总量"), "prior")
    assert value.value is None and not value.protection.locked
    assert last_year.value == 1438746 and last_year.protection.locked
    assert last_year.fill.fgColor.rgb.endswith("EEEEEE")
    assert locate(book, "calls", "接听", ("", "30秒人工接通率"), "prior").number_format == "0.00"


def test_a_filled_template_imports_back(report_2023):
    new = AnnualReport.private_objects.create(region=report_2023.region, year=2024)
    book = openpyxl.load_workbook(io.BytesIO(workbook(new)))
    locate(book, "appeals", "群众诉求", ("", "诉求总量")).value = 1500000
    locate(book, "appeals", "群众诉求", ("", "诉求总量"), "change").value = "↑4.26%"
    rate = locate(book, "calls", "接听", ("", "30秒人工接通率"))
    rate.value, rate.number_format = 0.931, "0.00%"  # Excel, after typing 93.10%
    locate(book, "calls", "接听", ("", "30秒人工接通率"), "change").value = 0.8
    locate(book, "calls", "呼出", ("", "30秒人工接通率")).value = "—"
    locate(book, "security", "市本级平台", ("", "平台安全运行状态")).value = "良好"
    locate(book, "appeals", "群众诉求", ("", "诉求总量"), "prior").value = 1  # never read
    out = io.BytesIO()
    book.save(out)

    outcome = run("figure", out.getvalue(), "淮安2024.xlsx")
    assert outcome.saved, outcome.messages()
    assert outcome.new == 4  # the cells left empty are not entered
    figures = {
        f.indicator.code: (f.value, f.decimals, f.text, f.change, f.change_decimals)
        for f in Figure.private_objects.filter(report=new).select_related("indicator")
    }
    assert figures == {
        "appeals.public.total": (Decimal(1500000), 0, "", Decimal("4.26"), 2),
        "calls.inbound.answer_rate_30s": (Decimal("93.10"), 2, "", Decimal("0.80"), 2),
        "calls.outbound.answer_rate_30s": (None, 0, "", None, 0),
        "security.city_platform.status": (None, 0, "良好", None, 0),
    }


def test_a_mistake_in_the_workbook_names_sheet_row_and_cell(report_2023):
    new = AnnualReport.private_objects.create(region=report_2023.region, year=2024)
    book = openpyxl.load_workbook(io.BytesIO(workbook(new)))
    cell = locate(book, "appeals", "企业诉求", ("诉求来源", "电话"))
    cell.value = "1.2万"
    out = io.BytesIO()
    book.save(out)
    outcome = run("figure", out.getvalue(), "淮安2024.xlsx")
    assert outcome.messages() == [
        f"工作表「一、企业群众诉求办理」第 {cell.row} 行「企业诉求 · 诉求来源 · 电话 · 数值」："
        "“1.2万”不是数字。请写作 1438746、1,438,746 或 92.30%。"
    ]
    assert not Figure.private_objects.filter(report=new).exists()


def test_the_workbook_of_a_report_imports_back_unchanged_or_whole(reopened_2023):
    content = workbook(reopened_2023)
    again = run("figure", content, "huaian-2023.xlsx", dry_run=True)
    assert (again.new, again.updated, again.skipped) == (0, 0, 122)

    def printed(report):
        return sorted(
            (f.indicator.code, f.printed_value, f.text, f.printed_change)
            for f in Figure.private_objects.filter(report=report).select_related("indicator")
        )

    before = printed(reopened_2023)
    Figure.private_objects.filter(report=reopened_2023).delete()
    assert run("figure", content, "huaian-2023.xlsx").new == 122
    assert printed(reopened_2023) == before


def test_a_workbook_written_in_english_imports_back(reopened_2023):
    """Its headers and row labels are in English; its markers name the cells as stored."""
    with translation.override("en"):
        content = workbook(reopened_2023)
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames[1] == "1. Appeal handling"
    standards = book["4. Rules and standards"]
    assert "Huai'an" in [c.value for c in standards["B"]]  # the city's own row, unlabelled
    assert run("figure", content, "huaian-2023.xlsx", dry_run=True).skipped == 122


def test_the_report_page_offers_the_workbook(admin_client, report_2023, django_assert_num_queries):
    change = reverse("admin:hotline_annualreport_change", args=[report_2023.pk])
    url = reverse("admin:hotline_annualreport_workbook", args=[report_2023.pk])
    assert f'href="{url}"' in admin_client.get(change).content.decode()
    # Session, user; the report; the catalogue, the figures, last year's report.
    with django_assert_num_queries(6):
        response = admin_client.get(url)
        content = b"".join(response.streaming_content)
    assert response["Content-Disposition"] == 'attachment; filename="huaian-2023.xlsx"'
    assert openpyxl.load_workbook(io.BytesIO(content)).sheetnames[1] == SECTIONS[0]


def test_a_draft_offers_the_figures_import_too(admin_client, reopened_2023):
    change = reverse("admin:hotline_annualreport_change", args=[reopened_2023.pk])
    page = admin_client.get(change).content.decode()
    assert f'href="{reverse("admin:hotline_figure_import")}"' in page


def test_next_years_template_comes_from_this_years_page(admin_client, report_2023):
    change = reverse("admin:hotline_annualreport_change", args=[report_2023.pk])
    url = reverse("admin:hotline_annualreport_workbook", args=[report_2023.pk]) + "?year=2024"
    assert f'href="{url}"' in admin_client.get(change).content.decode()
    response = admin_client.get(url)
    assert response["Content-Disposition"] == 'attachment; filename="huaian-2024.xlsx"'
    content = b"".join(response.streaming_content)
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book["说明"]["A1"].value == "淮安市 2024"
    assert "尚未添加" in book["说明"]["A2"].value
    assert locate(book, "appeals", "群众诉求", ("", "诉求总量")).value is None
    assert locate(book, "appeals", "群众诉求", ("", "诉求总量"), "prior").value == 1438746

    # Blank, it imports as nothing; filled, it needs the year's report first.
    assert run("figure", content, "huaian-2024.xlsx").ok
    locate(book, "appeals", "群众诉求", ("", "诉求总量")).value = 1500000
    out = io.BytesIO()
    book.save(out)
    outcome = run("figure", out.getvalue(), "huaian-2024.xlsx")
    assert outcome.messages()[0].endswith("淮安市还没有2024年度报告，请先在“年度报告”中添加。")
    AnnualReport.private_objects.create(region=report_2023.region, year=2024)
    assert run("figure", out.getvalue(), "huaian-2024.xlsx").new == 1


def test_the_command_writes_a_workbook_or_a_template(report_2023, tmp_path):
    for year in (2023, 2025):
        path = tmp_path / f"huaian-{year}.xlsx"
        call_command("report_workbook", "huaian", str(year), "-o", path, stdout=io.StringIO())
        book = openpyxl.load_workbook(path)
        assert book.sheetnames[-1] == "_hotline"
        assert book["说明"]["A1"].value == f"淮安市 {year}"


def test_the_about_sheet_shows_each_instruction_whole(report_2023):
    """LibreOffice showed only "8.77%。", the last line of the wrapped instruction: each row is
    tall enough for its wrapped lines, read from the top."""
    about = openpyxl.load_workbook(io.BytesIO(workbook(report_2023)))["说明"]
    width = about.column_dimensions["A"].width
    typing = next(c for c in about["A"] if c.value and "8.77%" in c.value)
    assert typing.alignment.wrap_text and typing.alignment.vertical == "top"
    columns = sum(
        2 if "\u4e00" <= ch <= "\u9fff" or ch in "，。：；（）" else 1 for ch in typing.value
    )
    lines = -(-columns // int(width))
    assert lines >= 2
    assert about.row_dimensions[typing.row].height >= 15 * lines
