"""The 2023 page shows every figure and change of the printed report in its row and column.

The seed text is parsed here on its own, not through the fixtures: for each printed table the
row and column labels are read from its header lines, and the rendered HTML table (read with
its spans, as a screen reader or a spreadsheet reads it) must hold the same value and change
in the cell under the same labels. Where the fixtures moved a merged or shifted cell (the
table notes in catalogue.yaml), the value is expected in its stored place, as said below.
"""

import itertools
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import gettext

from .tables import parse_tables

pytestmark = pytest.mark.django_db

SEED = Path(settings.BASE_DIR, "fixtures", "seed", "huaian-12345-2023-annual-report.txt")
URL = "/reports/huaian/2023/"
UNITS = "件|通|%|秒|人|条|对|名|家|个|次|条次|对次|篇|工作日|位|期|席"
UNIT_SUFFIX = re.compile(rf"\((?:{UNITS})\)$")
SEED_CELL = re.compile(
    r"^(?P<prefix>参评数|参评率)?(?P<value>\d+(?:\.\d+)?)%?\s*"
    r"(?:\((?P<arrow>[↑↓])(?P<change>\d+(?:\.\d+)?)%\))?$"
)
RENDERED_CELL = re.compile(
    r"^(?P<value>[\d,]+(?:\.\d+)?|—|优秀)%?\s*"
    r"(?:(?P<arrow>[↑↓])(?P<change>[\d,]+(?:\.\d+)?)(?P<unit>%| 个百分点))?$"
)
# The printed tables of 一 to 三, in order, and the catalogue tables they are.
FIGURE_BLOCKS = [
    "appeals",
    "calls",
    "livestream",
    "talent",
    "knowledge",
    "qa_desk",
    "linkage",
    "effectiveness",
]


def strip_unit(label):
    return UNIT_SUFFIX.sub("", label.strip())


def seed_blocks():
    """Runs of consecutive tab-separated lines: the printed tables, in order."""
    blocks, current = [], []
    for line in SEED.read_text(encoding="utf-8").splitlines():
        if "\t" in line:
            current.append(line.split("\t"))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def is_data(row):
    return any(SEED_CELL.match(c.strip()) or c.strip() in ("—", "优秀") for c in row)


def columns(header_rows, width):
    """(group, label) of each column, from one or two printed header lines."""
    top = (header_rows[0] + [""] * width)[:width]
    sub = (header_rows[1] + [""] * width)[:width] if len(header_rows) > 1 else [""] * width
    out, group = [], ""
    for j in range(width):
        if top[j].strip():
            group = strip_unit(top[j])
        if sub[j].strip():
            out.append((group, strip_unit(sub[j])))
        else:
            out.append(("", strip_unit(top[j])))
            group = ""
    return out


def expected_cells(code, rows):
    """(row label, column path, printed cell) for every cell of a printed table."""
    headers = [r for r in rows if not is_data(r)]
    data = [r for r in rows if is_data(r)]
    if code == "talent":
        # 10 values under 9 headers: the fourth value has no header (table note).
        headers = [[*h[:3], "（未标注）", *h[3:]] for h in headers]
        headers[1][3] = ""
    width = max(len(r) for r in headers + data)
    cols = columns(headers, width)
    has_row_labels = not SEED_CELL.match(data[0][0].strip()) and data[0][0].strip() != "—"
    out = []
    for row in data:
        label = row[0].strip() if has_row_labels else ""
        for j, raw in enumerate(row):
            text = raw.strip()
            if (has_row_labels and j == 0) or not text:
                continue
            group, column = cols[j]
            out.append((label, (group, column) if group else (column,), text))
    return out


def merged_down(code, cells):
    """Columns merged down the three rows, printed in the county row (table notes)."""
    if code not in ("knowledge", "qa_desk"):
        return set()
    return {path for row, path, text in cells if row == "县(市、区)" and text != "—"}


def moved(code, row, path, text, merged):
    """Where the fixtures store a value printed in a merged or shifted cell (table notes)."""
    if path in merged:
        # The value belongs to the whole table and is stored in the total row; the "—" above
        # and below it are the other lines of the merged cell.
        return ("总计", path, text) if text != "—" else None
    if code == "effectiveness" and path[0] in ("办理评价", "分析专报", "与部门建立协同治理机制"):
        if text == "—":
            return None  # the second line of a merged cell
        match = SEED_CELL.match(text)
        if match["prefix"] == "参评数":
            path = ("办理评价", "群众参评数")
        elif match["prefix"] == "参评率":
            path = ("办理评价", "参评率")
        return "合计", path, text  # merged down both rows: belongs to all appeals
    return row, path, text


def read(cell_text):
    match = RENDERED_CELL.match(cell_text.replace("\xa0", " "))
    assert match, f"unreadable cell {cell_text!r}"
    change = None if match["arrow"] is None else match["arrow"] + match["change"]
    return match["value"].replace(",", ""), change, match["unit"]


def printed(text):
    match = SEED_CELL.match(text)
    change = None if match["arrow"] is None else match["arrow"] + match["change"]
    return match["value"], change


@pytest.fixture
def tables(client):
    response = client.get(URL)
    assert response.status_code == 200
    return parse_tables(response.content.decode())


def test_every_printed_figure_and_change_is_in_its_row_and_column(tables):
    blocks = seed_blocks()
    checked = 0
    for code, rows in zip(FIGURE_BLOCKS, blocks, strict=False):
        table = tables[code]
        cells = expected_cells(code, rows)
        merged = merged_down(code, cells)
        for row, path, text in cells:
            place = moved(code, row, path, text, merged)
            if place is None:
                continue
            row, path, text = place
            if text == "—":
                # Not reported, or a cell the template does not have (merged elsewhere).
                cell = table.cell(row, *path).text if _has(table, row, path) else ""
                assert cell in ("—", ""), (code, row, path, cell)
                continue
            value, change, unit = read(table.cell(row, *path).text)
            assert (value, change) == printed(text), (code, row, path)
            if change:
                rate = "%" in text.split("(")[0] or path[-1].endswith("率")
                assert unit == (" 个百分点" if rate else "%"), (code, row, path, unit)
            checked += 1
    assert checked == 88  # every number printed in the tables of 一 to 三


def _has(table, row, path):
    return any(label == row and tuple(path) in cells for label, cells, _r in table.body())


def test_the_seats_per_100000_row_is_in_the_whole_city_row(tables):
    # Printed as a row of its own under the table; stored in the whole-city row (table note).
    line = next(r for r in seed_blocks()[-1] if r[0] == "全市每十万人座席数")
    value, change, _unit = read(tables["team"].cell("全市(包含县市区平台)", "每十万人座席数").text)
    assert (value, change) == printed(line[1].strip())


def test_the_platform_tables_hold_every_printed_value(tables):
    rows = seed_blocks()[-1]
    titles = rows[0]
    splits = [j for j, t in enumerate(titles) if t.strip()] + [len(titles)]
    names = {"服务团队": "team", "成员单位": "members", "平台安全": "security"}
    body = [r for r in rows[1:] if r[0] != "全市每十万人座席数"]
    checked = 0
    for start, end in itertools.pairwise(splits):
        code = names[titles[start].split(".", 1)[1].strip()]
        part = [([r[0]] if start else []) + r[start:end] for r in body]
        for row, path, text in expected_cells(code, part):
            cell = tables[code].cell(row, *path).text
            if text == "优秀":
                assert cell == "优秀"
            else:
                assert read(cell)[:2] == printed(text), (code, row, path)
            checked += 1
    assert checked == 18


def test_the_top5_tables_hold_every_department_category_count_and_share(tables):
    blocks = seed_blocks()
    departments = next(b for b in blocks if b[0][0].startswith("1."))
    for name, count in (r[:2] for r in departments[2:]):
        cell = tables["top5-departments"].cell(name, gettext("Appeals"))
        assert read(cell.text)[0] == count

    categories = next(b for b in blocks if b[0][0].startswith("2."))
    rows = [tables["top5-categories"].body()]
    seen = 0
    for names, values in zip(categories[2::2], categories[3::2], strict=True):
        label = names[0]  # each group headed as printed (总计, not 全部诉求)
        for name, text in zip(names[1:], values[1:], strict=True):
            count, share = re.match(r"(\d+) \((\d+(?:\.\d+)?)%\)", text).groups()
            found = [r for _label, cells, r in rows[0] if r[0].text == label and r[2].text == name]
            assert len(found) == 1, (label, name)
            assert found[0][3].text.replace(",", "") == count
            assert found[0][4].text == share
            seen += 1
    assert seen == 15


def test_the_data_sharing_register_holds_every_line_and_the_total(tables):
    block = next(b for b in seed_blocks() if b[1][0] == "序号")[1:]
    register = tables["sharing-register"]
    body = register.body()
    lines = [r for r in block[1:] if r[0] != "总计"]
    assert len([b for b in body if b[2][0].part == "tbody"]) == len(lines) == 22
    group = ""
    for (_label, _cells, row), printed_row in zip(body, lines, strict=False):
        group = printed_row[0] or group
        assert row[0].text == group  # ①, ② … as printed, filled down
        assert row[4].text == printed_row[4]  # the scope as printed
        assert row[5].text.replace(",", "") == printed_row[5]
    total = next(r for r in block if r[0] == "总计")[-1]
    assert body[-1][2][-1].text.replace(",", "") == total


def test_the_standards_section_lists_the_documents_and_their_count(tables):
    block = next(b for b in seed_blocks() if b[0][0] == "设区市")
    titles = [re.search(r"《(.+)》", r[1]).group(1) for r in block[1:] if "《" in r[1]]
    rendered = [r[2][1].text for r in tables["policy-documents"].body()]
    for title in titles:
        assert any(title in text for text in rendered), title
    assert read(tables["standards"].cell("淮安市", "合计数量").text)[0] == block[1][2]


def test_tables_are_real_tables_with_scoped_headers(client):
    html = client.get(URL).content.decode()
    assert '<th scope="colgroup" colspan="3">诉求来源' in html
    assert '<th scope="row">群众诉求</th>' in html
    # Changes carry their meaning in text, not only in colour and arrows.
    assert '<span class="visually-hidden">比上年下降 </span>' in html
    # Counts are grouped by thousands.
    assert "1,438,746" in html


def test_table_and_figure_notes_are_footnotes_under_the_table(tables, client):
    html = client.get(URL).content.decode()
    assert "印发表格有 10 个数、9 个表头" in html  # the talent table's note
    assert 'id="fn-talent-1"' in html and "印发表格第四个数，无对应表头" in html
    assert 'href="#fn-effectiveness-3"' in html  # 参评率's own note, the third of the table
