"""A spreadsheet cell as staff see it: the number as its format shows it, a date, or the text
they typed. No database: cells are read before any record is looked up."""

import datetime
from decimal import Decimal

import pytest

from hotline.importing.cells import cell_text, list_text, split_list


@pytest.mark.parametrize(
    ("value", "number_format", "shown"),
    [
        (92.3, "0.00", "92.30"),
        (0.923, "0.00%", "92.30%"),
        (92.3, "0", "92"),  # a whole-number format shows no decimals
        # Rounded as the cell shows it: half away from zero, never to the even neighbour.
        (92.5, "0", "93"),
        (-2.5, "0", "-3"),
        (0.125, "0.00", "0.13"),
        (92.345, "0.00", "92.35"),  # the double is 92.34499…; Excel shows 92.35
        (0.9234, "0%", "92%"),
        (1438746.5, "#,##0.00", "1438746.50"),
        (1438746, "#,##0", "1438746"),
        (92.3, "0.0#", "92.30"),
        (92.3, "0.0?", "92.30"),
        # Accounting: the first section (positive numbers) decides; quoted text and
        # [colour] or [locale] codes are not digits.
        (1234.5, '_(* #,##0.00_);_(* (#,##0.00);_(* "-"??_);_(@_)', "1234.50"),
        (12.0, '0.00"件"', "12.00"),
        (12.0, "[Red]0.0;[Blue]-0.0", "12.0"),
        (12.0, "0;[Red]-0.0", "12"),  # the first section, for positive numbers, decides
        (0.5, "0.0;-0.0%", "0.5"),
        (12.0, '"0.000"0', "12"),  # the digits in quotes are text, not decimals
        (0.5, '0.0"%"', "0.5"),  # a quoted % is a sign printed, not a percentage
        (92.3, "[$-804]General", "92.3"),  # General, as Chinese Excel writes it
        (92.3, "General", "92.3"),
        (92.0, "General", "92"),
        (92.3, None, "92.3"),
        (92.3, "@", "92.3"),
        (5, None, "5"),
        (Decimal("5.20"), None, "5.20"),
        (1e-07, "General", "0.0000001"),  # never 1E-7
        (1.5e-05, "0.00%", "0.00%"),
        (1e16, None, "10000000000000000"),
        (0.1 + 0.2, None, "0.30000000000000004"),  # the float as stored, not guessed at
        (True, None, "1"),
        (False, "0.00", "0"),
    ],
)
def test_a_number_reads_as_the_cell_shows_it(value, number_format, shown):
    assert cell_text(value, number_format) == shown


def test_a_date_stays_a_date_and_midnight_is_no_time():
    assert cell_text(datetime.date(2023, 1, 5)) == datetime.date(2023, 1, 5)
    midnight = cell_text(datetime.datetime(2023, 1, 5))
    assert midnight == datetime.date(2023, 1, 5) and type(midnight) is datetime.date
    noon = datetime.datetime(2023, 1, 5, 12, 30)
    assert cell_text(noon) == noon
    assert cell_text(datetime.datetime(2023, 1, 5, 0, 0, 1)) == datetime.datetime(
        2023, 1, 5, 0, 0, 1
    )


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("  淮安市 \n", "淮安市"),
        (None, ""),
        ("", ""),
        # The apostrophe that kept a text from running as a formula goes; any other stays.
        ("'=SUM(A1:A9)", "=SUM(A1:A9)"),
        ("'+86 517", "+86 517"),
        ("'-5", "-5"),
        ("'@home", "@home"),
        ("'淮安", "'淮安"),
        ("'12", "'12"),
        ("'XX", "'XX"),
        ("'", "'"),
        ("It's", "It's"),
    ],
)
def test_text_reads_as_typed(typed, read):
    assert cell_text(typed) == read


def test_a_list_in_a_json_cell_reads_as_the_names_it_holds():
    assert cell_text(["市公安局", None, "市人大"]) == "市公安局、市人大"
    assert cell_text(("光盘",)) == "光盘"


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("市公安局、市人大", ["市公安局", "市人大"]),
        ("市公安局,市人大，市委组织部", ["市公安局", "市人大", "市委组织部"]),
        ("市公安局; 市人大；市委组织部", ["市公安局", "市人大", "市委组织部"]),
        ("市公安局\r\n市人大\n", ["市公安局", "市人大"]),
        ("、、市公安局、 、", ["市公安局"]),
        ("", []),
        (None, []),
    ],
)
def test_names_in_one_cell(cell, names):
    assert split_list(cell) == names
    assert split_list(list_text(names)) == names
