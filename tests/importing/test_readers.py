"""Files as rows, before any record is looked up: the kind of file from its first bytes, the
headers, the rows as numbered in the spreadsheet, and the files that cannot be read at all.
No database."""

import io
import json
import re
import zipfile

import openpyxl
import pytest
from django.utils import translation

from hotline.importing.readers import Refused, iter_json_array, open_table

BOM = b"\xef\xbb\xbf"


def read(data: bytes):
    table = open_table(io.BytesIO(data))
    return table, [(row.number, row.cells) for row in table.rows]


def xlsx(*sheets, hidden=()):
    """A workbook of sheets given as lists of rows; (value, number_format) for a formatted cell."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for index, rows in enumerate(sheets):
        sheet = book.create_sheet(f"Sheet{index + 1}")
        if index in hidden:
            sheet.sheet_state = "hidden"
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if isinstance(value, tuple):
                    value, number_format = value
                    sheet.cell(r, c, value).number_format = number_format
                elif value is not None:
                    sheet.cell(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# CSV ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_csv_reads_in_every_encoding_and_line_end(encoding, newline):
    text = newline.join(["城市,年度,备注", '淮安市,2024,"第一批，含来电"', ""])
    table, rows = read(text.encode(encoding))
    assert table.kind == "csv" and not table.is_workbook
    assert table.headers == ["城市", "年度", "备注"]
    assert rows == [(2, ["淮安市", "2024", "第一批，含来电"])]


def test_a_quoted_cell_keeps_its_commas_tabs_and_line_breaks():
    data = '城市,范围\r\n淮安市,"噪声污染\t物业管理,\r\n小区"\r\n'.encode()
    _table, rows = read(data)
    assert rows == [(2, ["淮安市", "噪声污染\t物业管理,\r\n小区"])]


def test_a_tab_separated_file_reads_as_excel_unicode_text():
    data = "城市\t年度\t备注\r\n淮安市\t2024\t1,2\r\n".encode("utf-16-le").decode("utf-16-le")
    _table, rows = read(data.encode())
    assert rows == [(2, ["淮安市", "2024", "1,2"])]


def test_a_header_with_a_comma_makes_the_file_comma_separated():
    _table, rows = read("城市,备注\t说明\r\n淮安市,a\tb\r\n".encode())
    assert rows == [(2, ["淮安市", "a\tb"])]


def test_rows_are_numbered_as_the_spreadsheet_shows_them():
    data = "城市,年度\n淮安市,2023\n,\n\n淮安市,2024\n".encode()
    _table, rows = read(data)
    # Blank rows are skipped but counted: the second record is on row 5.
    assert rows == [(2, ["淮安市", "2023"]), (5, ["淮安市", "2024"])]


def test_short_rows_are_filled_and_headers_trimmed():
    data = " 城市 ,年度,,\n淮安市\n  ".encode()
    table, rows = read(data)
    assert table.headers == ["城市", "年度"]  # empty headers at the end are no columns
    assert rows == [(2, ["淮安市", ""])]


def test_csv_cells_read_as_typed():
    data = "文号,备注\n'=A1, 淮政发 \n".encode()
    _table, rows = read(data)
    assert rows == [(2, ["=A1", "淮政发"])]


def test_a_byte_order_mark_is_no_part_of_the_first_header():
    # A file saved twice with a BOM: the second one is text.
    table, _rows = read(BOM + BOM + "城市,年度\n".encode())
    assert table.headers == ["城市", "年度"]
    table, _rows = read(BOM + BOM + "XH,年度\n".encode())
    assert table.headers == ["XH", "年度"]  # only the mark goes


def progress_while_reading(table, every=2_000):
    seen = [table.progress()]
    for number, _row in enumerate(table.rows, start=1):
        if number % every == 0:
            seen.append(table.progress())
    return seen


def rises_to_1(seen):
    return seen[0] < 0.5 and seen == sorted(seen) and len(set(seen)) > 5 and seen[-1] == 1.0


LONG_CSV = ("城市,年度\n" + "淮安市,2024\n" * 20_000).encode()
LONG_JSON = json.dumps([{"城市": "淮安市", "年度": 2024}] * 20_000, ensure_ascii=False).encode()


def test_progress_goes_from_0_to_1_as_the_rows_are_read(tmp_path):
    path = tmp_path / "long.csv"
    path.write_bytes(LONG_CSV)
    with open(path, "rb") as stream:
        assert rises_to_1(progress_while_reading(open_table(stream)))
    # An upload kept in memory, which has no file number: measured by seeking to its end.
    assert rises_to_1(progress_while_reading(open_table(io.BytesIO(LONG_CSV))))
    assert rises_to_1(progress_while_reading(open_table(io.BytesIO(LONG_JSON))))


class CountingStream(io.BytesIO):
    """An upload that remembers the largest read asked of it."""

    largest = 0

    def read(self, size=-1):
        data = super().read(size)
        self.largest = max(self.largest, len(data))
        return data


@pytest.mark.parametrize("data", [LONG_CSV * 4, LONG_JSON * 1], ids=["csv", "json"])
def test_a_large_file_is_never_read_whole(data):
    stream = CountingStream(data)
    rows = sum(1 for _row in open_table(stream).rows)
    assert rows >= 20_000
    assert stream.largest <= 1 << 16 < len(data)


def test_an_empty_file_has_no_header_row():
    for data in (b"", b"\n\n", BOM):
        with translation.override("en"), pytest.raises(Refused) as error:
            open_table(io.BytesIO(data))
        assert error.value.messages == ["The file is empty: it has no header row."]


def test_a_file_in_no_encoding_we_read_is_refused():
    with translation.override("zh-hans"), pytest.raises(Refused) as error:
        open_table(io.BytesIO(b"a,b\n\xff\xff\xff\n"))
    [message] = error.value.messages
    assert (
        "UTF-8" in message
        and "GBK" in message
        and message != message.encode().decode("ascii", "ignore")
    )


# JSON --------------------------------------------------------------------------------------------


def test_a_json_list_reads_one_record_a_row():
    data = json.dumps(
        [
            {"城市": "淮安市", "年度": 2024, "方式": ["光盘", "U盘"]},
            {"城市": "淮安市", "年度": 2023},
        ],
        ensure_ascii=False,
    ).encode()
    table, rows = read(BOM + b" \r\n" + data)
    assert table.kind == "json"
    assert table.headers == ["城市", "年度", "方式"]
    assert rows == [(1, ["淮安市", "2024", "光盘、U盘"]), (2, ["淮安市", "2023", ""])]


def test_a_json_document_of_rows_reads_its_first_list():
    data = json.dumps({"meta": "导出", "rows": [{"城市": "淮安市"}]}, ensure_ascii=False)
    _table, rows = read(data.encode())
    assert rows == [(1, ["淮安市"])]


def test_an_empty_json_list_is_no_records_not_an_error():
    table, rows = read(b" [ ] ")
    assert (table.kind, table.headers, rows) == ("json", [], [])


def test_a_json_record_with_a_key_the_first_has_not_is_refused():
    data = json.dumps(
        [{"城市": "淮安市"}, {"城市": "淮安市", "年份": 2024, "x": 1}], ensure_ascii=False
    )
    table = open_table(io.BytesIO(data.encode()))
    with translation.override("en"), pytest.raises(Refused) as error:
        list(table.rows)
    assert error.value.messages == [
        "Record 2 of the JSON file has keys the first record has not: 年份、x."
    ]


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (
            b'[{"a": 1}, {"a": 2}',
            "Record 3 of the JSON file cannot be read: the list of records is not closed with ]",
        ),
        (
            b'[{"a": 1}, {"a": 2',
            # No "line 1 column 8": the parser's position counts from its chunk, not the file.
            "Record 2 of the JSON file cannot be read: Expecting ',' delimiter",
        ),
        (
            b'[{"a": 1} X {"a": 2}]',
            "Record 2 of the JSON file cannot be read: Expecting value",
        ),
        # A form feed is no JSON whitespace.
        (b"\x0c[]", "The file cannot be read as JSON: a JSON file holds a list of records"),
        (b'{"a": 1}', "The file cannot be read as JSON: a JSON file holds a list of records"),
        (b"[1, 2", "A JSON file holds a list of records, each an object of columns."),
        (
            b'[{"a": 1}, {"a": 2}',
            "Record 3 of the JSON file cannot be read: the list of records is not closed with ]",
        ),
    ],
)
def test_a_broken_json_file_says_why_and_after_which_record(data, why):
    with translation.override("en"), pytest.raises(Refused) as error:
        list(open_table(io.BytesIO(data)).rows)
    assert error.value.messages == [why]


def test_a_file_broken_after_its_first_rows_says_so_in_chinese():
    data = "城市,年度\n".encode("gbk") + "淮安市,2023\n".encode("gbk") * 5_000 + b"\xff\xff\n"
    table = open_table(io.BytesIO(b"[" + b'{"a": 1},' * 3 + b'{"a": '))
    with translation.override("zh-hans"), pytest.raises(Refused) as error:
        list(table.rows)
    assert error.value.messages == ["JSON 文件第 4 条记录无法读取：Expecting value"]
    with translation.override("zh-hans"), pytest.raises(Refused) as error:
        list(open_table(io.BytesIO(b"\x0c[]")).rows)
    assert error.value.messages == ["无法按 JSON 读取文件：JSON 文件应为记录列表"]
    table = open_table(io.BytesIO(data))
    with translation.override("en"), pytest.raises(Refused) as error:
        list(table.rows)
    [message] = error.value.messages
    assert message.startswith("The file after row ") and message.endswith(
        "The file is neither UTF-8 nor GBK/GB18030 text; save it again as CSV UTF-8."
    )


def test_a_json_list_of_anything_but_objects_is_refused():
    for data in (b"[1, 2]", b'{"rows": [1]}'):
        with translation.override("en"), pytest.raises(Refused) as error:
            list(open_table(io.BytesIO(data)).rows)
        assert error.value.messages == [
            "A JSON file holds a list of records, each an object of columns."
        ]


class CountingText(io.StringIO):
    largest = 0

    def read(self, size=-1):
        data = super().read(size)
        self.largest = max(self.largest, len(data))
        return data


def test_json_is_parsed_a_chunk_at_a_time():
    records = [{"城市": "淮安市", "备注": f"第 {n} 条, ]}}"} for n in range(50)]
    text = " [\n" + ",\n  ".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n] "
    for chunk in (1, 7, 64):
        stream = CountingText(text)
        assert list(iter_json_array(stream, chunk=chunk)) == records
        assert stream.largest == chunk


# XLSX --------------------------------------------------------------------------------------------


def test_an_xlsx_reads_its_first_visible_sheet_as_the_cells_show():
    hidden = [["说明"], ["这一页是说明"]]
    data = [
        ["城市", "年度", "比率", "备注", None],
        ["淮安市", 2024, (0.923, "0.00%"), "'=A1"],
        [None, None, None, None],
        ["淮安市", 2023, (92.3, "0.00"), None, "表外"],
    ]
    table, rows = read(xlsx(hidden, data, hidden=(0,)))
    assert table.kind == "xlsx"
    assert table.headers == ["城市", "年度", "比率", "备注"]
    assert rows == [
        (2, ["淮安市", "2024", "92.30%", "=A1"]),
        (4, ["淮安市", "2023", "92.30", ""]),  # the cell beyond the headers is no column
    ]
    first = next(open_table(io.BytesIO(xlsx(hidden, data, hidden=(0,)))).rows)
    assert first.sheet == "Sheet2"


def test_an_xlsx_reports_its_progress_by_rows():
    table = open_table(io.BytesIO(xlsx([["城市"], ["淮安市"], ["淮安市"], ["淮安市"]])))
    assert table.progress() == 0.25  # the header of 4 rows
    rows = iter(table.rows)
    next(rows)
    assert table.progress() == 0.5
    list(rows)
    assert table.progress() == 1.0


def test_a_workbook_of_another_version_is_refused():
    book = openpyxl.Workbook()
    book.create_sheet("_hotline").append(["format", "someone-else-1"])
    out = io.BytesIO()
    book.save(out)
    with translation.override("en"), pytest.raises(Refused, match="not written by this system"):
        open_table(io.BytesIO(out.getvalue()))


def test_a_broken_workbook_is_refused_with_its_kind():
    with translation.override("en"), pytest.raises(Refused) as error:
        open_table(io.BytesIO(b"PK\x03\x04 not really a zip"))
    [message] = error.value.messages
    assert message.startswith("The file cannot be read as XLSX: ")


def test_a_formula_reads_as_the_value_the_spreadsheet_saved_never_as_its_text():
    # openpyxl saves no computed value: the cell is empty to a reader, as to a viewer that
    # does not calculate.
    _table, rows = read(xlsx([["城市", "合计"], ["淮安市", "=1+1"]]))
    assert rows == [(2, ["淮安市", ""])]


def test_an_empty_workbook_has_no_header_row():
    with translation.override("en"), pytest.raises(Refused) as error:
        open_table(io.BytesIO(xlsx([])))
    assert error.value.messages == ["The file is empty: it has no header row."]


def with_dimension(data: bytes, ref: str | None) -> bytes:
    """The workbook with the size its sheet claims changed (ref) or left out (None), as some
    tools write it."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                new = b"" if ref is None else f'<dimension ref="{ref}"/>'.encode()
                content = re.sub(rb"<dimension [^>]*/>", new, content)
            target.writestr(item, content)
    return out.getvalue()


def test_a_workbook_that_understates_its_size_is_read_whole():
    data = with_dimension(xlsx([["城市", "年度"], ["淮安市", 2023], ["淮安市", 2024]]), "A1:A1")
    table = open_table(io.BytesIO(data))
    assert table.headers == ["城市", "年度"]
    seen = []
    for row in table.rows:
        seen.append(table.progress())
        assert row.cells[0] == "淮安市"
    assert seen == [1.0, 1.0]  # past the claimed end, never beyond 1


def test_a_workbook_that_does_not_say_its_size_shows_no_progress_until_the_end():
    data = with_dimension(xlsx([["城市"], ["淮安市"], ["淮安市"]]), None)
    table = open_table(io.BytesIO(data))
    assert [table.progress() for _row in table.rows] == [0.0, 0.0]


def test_an_empty_header_cell_is_an_empty_header_not_the_word_none():
    table, rows = read(xlsx([["城市", None, "年度", None], ["淮安市", None, 2024, "表外"]]))
    assert table.headers == ["城市", "", "年度"]
    assert rows == [(2, ["淮安市", "", "2024"])]
