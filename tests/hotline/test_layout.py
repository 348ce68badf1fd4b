"""The one table layout (hotline.layout), on catalogues made in memory: no database at all, so
any query would fail the test."""

from decimal import Decimal
from itertools import count

import pytest
from django.utils import translation

from hotline.layout import (
    Footnote,
    chinese_numeral,
    lay_out,
    lay_out_figures,
    lay_out_table,
    section_heading,
)
from hotline.models import Figure, Indicator, ReportTable, Section

_pk = count(1)


@pytest.fixture(autouse=True)
def _chinese():
    """Labels are asserted as printed, whatever language an earlier test left active."""
    with translation.override("zh-hans"):
        yield


def section(number=1, title="企业群众诉求办理", title_en="Appeals"):
    return Section(pk=next(_pk), code=f"s{number}", number=number, title=title, title_en=title_en)


def table(in_section, order=1, **fields):
    pk = next(_pk)
    fields = {"code": f"t{pk}", "title": f"表{pk}", **fields}
    return ReportTable(pk=pk, section=in_section, order=order, **fields)


def indicator(in_table, row_label, column_label, *, row=1, column=1, group="", unit="件", **more):
    return Indicator(
        pk=next(_pk),
        table=in_table,
        code=f"i{next(_pk)}",
        row_label=row_label,
        row_order=row,
        column_group=group,
        column_label=column_label,
        column_order=column,
        unit=unit,
        kind=more.pop("kind", Indicator.Kind.COUNT),
        **more,
    )


def figure(of, value=1, note=""):
    return Figure(pk=next(_pk), indicator=of, value=Decimal(value), note=note)


def appeals_table():
    """诉求类别 × (诉求总量, 诉求来源: 电话 · 互联网, 部门办理), two rows, given out of order."""
    t = table(section(), row_header="诉求类别", row_header_en="Appeal type")
    cells = {}
    for row, label in ((2, "企业诉求"), (1, "群众诉求")):
        cells[label, "部门办理"] = indicator(t, label, "部门办理", row=row, column=4)
        cells[label, "互联网"] = indicator(t, label, "互联网", row=row, column=3, group="诉求来源")
        cells[label, "电话"] = indicator(t, label, "电话", row=row, column=2, group="诉求来源")
        cells[label, "诉求总量"] = indicator(t, label, "诉求总量", row=row, column=1)
    return t, cells


def headers(rows):
    return [[(h.label, h.unit, h.colspan, h.rowspan, h.scope, h.start) for h in r] for r in rows]


def test_grouped_and_ungrouped_columns_are_headed_as_printed():
    t, cells = appeals_table()
    laid_out = lay_out_table(t, cells.values())
    assert [c.label for c in laid_out.columns] == ["诉求总量", "电话", "互联网", "部门办理"]
    assert [c.key for c in laid_out.columns][1] == ("诉求来源", "电话")
    assert [r.label for r in laid_out.rows] == ["群众诉求", "企业诉求"]
    # A group heads its columns in a second row; a column without one spans both rows.
    assert headers(laid_out.header_rows) == [
        [
            ("诉求类别", "", 1, 2, "col", 0),
            ("诉求总量", "件", 1, 2, "col", 0),
            ("诉求来源", "", 2, 1, "colgroup", 1),
            ("部门办理", "件", 1, 2, "col", 3),
        ],
        [("电话", "件", 1, 1, "col", 1), ("互联网", "件", 1, 1, "col", 2)],
    ]
    assert laid_out.colgroups == [1, 2, 1]
    assert laid_out.grouped and laid_out.has_row_header
    # Every indicator is in its row and column, with no figure yet.
    first = laid_out.rows[0]
    assert [c.indicator for c in first.cells] == [
        cells["群众诉求", label] for label in ("诉求总量", "电话", "互联网", "部门办理")
    ]
    assert all(c.figure is None and c.unit == "" for c in first.cells)


def test_a_table_without_groups_has_one_header_row_and_no_row_header_when_unlabelled():
    t = table(section())
    laid_out = lay_out_table(
        t, [indicator(t, "", "人数", column=2), indicator(t, "", "期数", unit="期")]
    )
    assert not laid_out.has_row_header and not laid_out.grouped
    assert headers(laid_out.header_rows) == [
        [("期数", "期", 1, 1, "col", 0), ("人数", "件", 1, 1, "col", 1)]
    ]
    assert laid_out.colgroups == [1, 1]
    assert [r.label for r in laid_out.rows] == [""]


def test_a_column_of_mixed_units_names_the_unit_in_each_cell():
    t = table(section(), row_header="行政层级")
    count_cell = indicator(t, "市本级", "合计", row=1, unit="家")
    rate_cell = indicator(t, "总计", "合计", row=2, unit="%")
    shared = [indicator(t, "市本级", "人数", column=2, unit="人")]
    laid_out = lay_out_table(t, [count_cell, rate_cell, *shared])
    mixed, plain = laid_out.columns
    assert (mixed.unit, plain.unit) == ("", "人")
    assert headers(laid_out.column_headers)[0][0][:2] == ("合计", "")
    city, total = laid_out.rows
    assert [c.unit for c in city.cells] == ["家", ""]  # the header names 人
    assert total.cells[0].unit == "%"
    assert total.cells[1].indicator is None and total.cells[1].unit == ""  # no such cell


def test_an_unlabelled_row_under_a_row_header_is_the_reports_own():
    t = table(section(4, "制度规范标准建设"), row_header="设区市", row_header_en="City")
    laid_out = lay_out_table(
        t, [indicator(t, "", "合计数量", unit="个")], default_row_label="淮安市"
    )
    assert [r.label for r in laid_out.rows] == ["淮安市"]
    assert laid_out.rows[0].key == ""  # what the workbook's marker names
    # Without a row header the same row stays unlabelled, and no row-header column is drawn.
    bare = table(section())
    unlabelled = lay_out_table(bare, [indicator(bare, "", "期数")], default_row_label="淮安市")
    assert [r.label for r in unlabelled.rows] == [""] and not unlabelled.has_row_header


def test_the_public_mode_shows_only_cells_and_tables_that_have_figures():
    s1, s2 = section(1), section(2, "特色热线公共服务", "Featured")
    t, cells = appeals_table()
    t.section = s1
    empty = table(s2)
    empty_cells = [indicator(empty, "", "期数"), indicator(empty, "", "人数", column=2)]
    figures = [
        figure(cells["群众诉求", "诉求总量"], 1438746),
        figure(cells["企业诉求", "电话"], 5),
    ]
    catalogue = [*cells.values(), *empty_cells]

    # Every indicator of the catalogue (figure grid, workbook): both tables, every cell.
    full = lay_out(catalogue, figures)
    assert [[tb.table for tb in s.tables] for s in full] == [[t], [empty]]
    shown = [c.indicator for s in full for tb in s.tables for r in tb.rows for c in r.cells]
    assert sorted(i.pk for i in shown) == sorted(i.pk for i in catalogue)
    assert [c.figure for c in full[0].tables[0].rows[0].cells][:2] == [figures[0], None]

    # Only cells with figures (public page): the empty table and its section are left out, and
    # so are the columns nobody has a figure for.
    public = lay_out_figures(figures)
    assert [s.section for s in public] == [s1]
    (laid_out,) = public[0].tables
    assert [c.label for c in laid_out.columns] == ["诉求总量", "电话"]
    assert headers(laid_out.column_headers)[0][1][:4] == ("诉求来源", "", 1, 1)
    people, firms = laid_out.rows
    assert [c.figure and c.figure.value for c in people.cells] == [1438746, None]
    assert [c.figure and c.figure.value for c in firms.cells] == [None, 5]
    assert people.cells[1].indicator is None  # a cell of the catalogue, but not shown


def test_sections_come_in_printed_order_with_their_headings():
    late, early = section(6, "平台基础保障能力", "Platform"), section(1)
    tables = [table(late, order=1), table(early, order=2), table(early, order=1)]
    indicators = [indicator(t, "", "合计") for t in tables]
    with translation.override("zh-hans"):
        laid_out = lay_out(indicators)
    assert [s.heading for s in laid_out] == ["一、企业群众诉求办理", "六、平台基础保障能力"]
    assert [t.table for t in laid_out[0].tables] == [tables[2], tables[1]]


def test_labels_follow_the_language():
    t, cells = appeals_table()
    cells["群众诉求", "电话"].column_label_en = "Phone"
    cells["群众诉求", "电话"].column_group_en = "Source"
    with translation.override("en"):
        laid_out = lay_out_table(t, [cells["群众诉求", "电话"]])
    assert laid_out.row_header == "Appeal type"
    assert (laid_out.columns[0].group, laid_out.columns[0].label) == ("Source", "Phone")
    assert laid_out.columns[0].key == ("诉求来源", "电话")
    assert laid_out.rows[0].label == "群众诉求"  # no English label stored: the Chinese


def test_one_note_on_several_cells_is_one_footnote_and_checks_add_theirs():
    t, cells = appeals_table()
    shared = [
        figure(cells["群众诉求", "电话"], note="按来源拆分"),
        figure(cells["企业诉求", "电话"], note="按来源拆分"),
    ]
    checked = figure(cells["企业诉求", "诉求总量"])
    check = Footnote("校验：应为 2", source="check")
    laid_out = lay_out_table(t, cells.values(), [*shared, checked], footnotes={checked.pk: [check]})
    assert laid_out.footnotes == [(1, Footnote("按来源拆分")), (2, check)]
    people, firms = laid_out.rows
    assert [c.marks for c in people.cells] == [[], [1], [], []]
    assert [c.marks for c in firms.cells] == [[2], [1], [], []]


def test_sections_are_numbered_as_printed():
    third = Section(number=3, title="政府服务效能", title_en="Effectiveness")
    with translation.override("zh-hans"):
        assert section_heading(third) == "三、政府服务效能"
    with translation.override("en"):
        assert section_heading(third) == "3. Effectiveness"
    numerals = [chinese_numeral(n) for n in (1, 6, 10, 11, 20, 23)]
    assert numerals == ["一", "六", "十", "十一", "二十", "二十三"]
