"""The public report page, the admin's figure grid and the report workbook lay every table of the
2023 Huai'an report out the same way: each read from what it really produces (the HTML served,
the workbook file downloaded), never from the layout objects."""

import io
import json
import re

import openpyxl
import pytest
from django.urls import reverse

from hotline.models import AnnualReport, ReportTable
from tests.reports.tables import parse_tables

pytestmark = pytest.mark.django_db

# The report page prints the data-sharing total under its register, not as a table of its own;
# the table has its own page.
OWN_PAGE = {"data_sharing"}


def html_layout(table):
    """(caption, row labels, column header paths) of a parsed HTML table, row header left out."""
    body = table.body()
    has_row_header = any(c.tag == "th" for _label, _cells, row in body for c in row)
    paths = table.header_paths()[1 if has_row_header else 0 :]
    return table.caption, [label for label, _cells, _row in body], paths


def html_sections(html, section_start, codes):
    """{section key: (heading, [(code, layout)])} of the catalogue tables in each <section>
    of a page, in order; the key is what `section_start` captures, else the index."""
    sections = {}
    for index, match in enumerate(re.finditer(section_start + r".*?</section>", html, re.S)):
        block = match.group(0)
        heading = re.search(r"<h2[^>]*>(.*?)</h2>", block, re.S).group(1).strip()
        tables = [
            (code, html_layout(t)) for code, t in parse_tables(block).items() if code in codes
        ]
        sections[match.group(1) if match.groups() else index] = (heading, tables)
    return sections


def public_page(client, report, codes):
    base = f"/reports/{report.region.slug}/{report.year}/"
    html = client.get(base).content.decode()
    sections = html_sections(html, r'<section class="report-section" id="s-([\w-]+)"', codes)
    for table in ReportTable.objects.filter(code__in=OWN_PAGE).select_related("section"):
        page = client.get(f"{base}tables/{table.code}/").content.decode()
        sections[table.section.code][1].append(
            (table.code, html_layout(parse_tables(page)[table.code]))
        )
    sections.pop("trends", None)
    return list(sections.values())


def figure_grid(client, report, codes):
    url = reverse("admin:hotline_annualreport_figures", args=[report.pk])
    html = client.get(url).content.decode()
    return list(html_sections(html, r'<section class="hotline-section">', codes).values())


def merged_value(sheet, row, column):
    """What a cell shows: the value of the merged range it belongs to, if any."""
    for merged in sheet.merged_cells.ranges:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= column <= merged.max_col:
            return sheet.cell(merged.min_row, merged.min_col).value
    return sheet.cell(row, column).value


def workbook(client, report):
    """The same, from the workbook: its visible headings, titles, headers and row labels
    (the hidden markers only say where each table's header ends and its rows are)."""
    url = reverse("admin:hotline_annualreport_workbook", args=[report.pk])
    book = openpyxl.load_workbook(io.BytesIO(b"".join(client.get(url).streaming_content)))
    sections = []
    for sheet in book.worksheets[1:-1]:  # after the About sheet, before the hidden one
        tables = []
        rows = list(sheet.iter_rows())
        for index, cells in enumerate(rows):
            marker = cells[0].value
            if not (isinstance(marker, str) and marker.startswith('["table"')):
                continue
            code = json.loads(marker)[1]
            columns_row = next(i for i in range(index, len(rows)) if rows[i][0].value == "#columns")
            # Sheet rows are numbered from 1: the table's title is row index + 1, its printed
            # headers follow, and the row above "#columns" names value, change and last year.
            printed_headers = range(index + 2, columns_row)
            paths = []
            for column in range(3, sheet.max_column + 1, 3):
                path = []
                for row in printed_headers:
                    text = merged_value(sheet, row, column)
                    if text and (not path or path[-1] != text):
                        path.append(text)
                if path:
                    paths.append(tuple(path))
            labels = []
            for cells_after in rows[columns_row + 1 :]:
                first = cells_after[0].value
                if not (isinstance(first, str) and first.startswith('["row"')):
                    break
                labels.append(cells_after[1].value or "")
            tables.append((code, (cells[1].value, labels, paths)))
        sections.append((sheet["B1"].value, tables))
    return sections


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_three_surfaces_lay_every_table_out_the_same_way(client, reviewer_user, language):
    report = AnnualReport.private_objects.select_related("region").get(
        region__slug="huaian", year=2023
    )
    codes = set(ReportTable.objects.values_list("code", flat=True))
    client.cookies["django_language"] = language

    public = public_page(client, report, codes)
    client.force_login(reviewer_user)
    client.cookies["django_language"] = language
    admin = figure_grid(client, report, codes)
    sheets = workbook(client, report)

    # Every table of the catalogue, each in its section (the 2023 report has every figure).
    assert sorted(code for _h, tables in public for code, _l in tables) == sorted(codes)
    assert admin == public
    assert sheets == public
    # The comparison compares something: headings, grouped headers, the city's own row.
    headings = [heading for heading, _tables in public]
    tables = dict(table for _h, section in public for table in section)
    if language == "zh-hans":
        assert headings[0] == "一、企业群众诉求办理" and len(headings) == 6
        assert tables["appeals"][1] == ["群众诉求", "企业诉求", "总计"]
        assert ("诉求来源", "电话") in tables["appeals"][2]
        assert tables["standards"][1] == ["淮安市"]
    else:
        assert headings[0] == "1. Appeal handling"
        assert ("Source", "Phone") in tables["appeals"][2]
        assert tables["standards"][1] == ["Huai'an"]
