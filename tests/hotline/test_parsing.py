import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from hotline.parsing import (
    format_change,
    format_date,
    format_decimal,
    format_period,
    is_not_reported,
    normalise,
    parse_change,
    parse_date,
    parse_decimal,
    parse_integer,
    parse_period,
)


@pytest.mark.parametrize(
    ("text", "value", "decimals"),
    [
        ("1438746", "1438746", 0),
        ("1,438,746", "1438746", 0),
        ("1 438 746", "1438746", 0),
        ("1,438,746.50", "1438746.50", 2),
        ("92.30%", "92.30", 2),
        ("92.3", "92.3", 1),
        ("92.30 %", "92.30", 2),
        ("０", "0", 0),
        ("0.00", "0.00", 2),
        ("１，４３８，７４６", "1438746", 0),  # full-width digits and comma
        ("９２．３０％", "92.30", 2),  # full-width point and percent
        ("\u3000 13.93 ", "13.93", 2),  # ideographic space
        (".5", "0.5", 1),
        ("+5", "5", 0),
        ("-5", "-5", 0),
        ("−5", "-5", 0),  # minus sign pasted from Word
        ("－5", "-5", 0),  # full-width hyphen
        ("-0", "0", 0),
        ("- 5", "-5", 0),  # a sign and a space, as a PDF's columns paste
        ("+ 240", "240", 0),
        (5, "5", 0),
        (Decimal("5.20"), "5.20", 2),
    ],
)
def test_it_parses_values_as_typed(text, value, decimals):
    assert parse_decimal(text) == (Decimal(value), decimals)


def test_it_keeps_the_printed_decimals():
    value, decimals = parse_decimal("92.30%")
    assert str(value) == "92.30"
    assert decimals == 2


@pytest.mark.parametrize("text", ["", "  ", None, "—", "——", "-", "－", "–", "/"])
def test_it_reads_dashes_as_not_reported(text):
    assert parse_decimal(text) is None
    assert is_not_reported(text)


@pytest.mark.parametrize("text", ["0", "5", "0.00", "优秀", "--5", "— —", 0])
def test_a_figure_with_anything_but_a_dash_is_reported(text):
    assert not is_not_reported(text)


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "优秀",
        "1.2.3",
        "12%%",
        "%",
        "1e5",
        "1_000",
        "92.30%↑",
        "1,2",
        "12,34,567",
        "1,4387",
        "X12",  # a template's placeholder half overwritten
        "约12",
    ],
)
def test_it_refuses_what_is_not_a_number(text):
    with pytest.raises(ValueError, match="“"):
        parse_decimal(text)


def test_misplaced_separators_get_their_own_message():
    with translation.override("en"), pytest.raises(ValueError, match="thousands separators"):
        parse_decimal("12,34,567")


def test_the_message_names_the_text_as_typed():
    with translation.override("en"), pytest.raises(ValueError) as error:
        parse_decimal("１２ab")
    assert "“１２ab” is not a number" in str(error.value)
    assert "92.30%" in str(error.value)


@pytest.mark.parametrize(
    ("text", "change", "decimals"),
    [
        ("↓8.77%", "-8.77", 2),
        ("-8.77", "-8.77", 2),
        ("-8.77%", "-8.77", 2),
        ("下降8.77%", "-8.77", 2),
        ("下降 8.77 %", "-8.77", 2),
        ("减少8.77%", "-8.77", 2),
        ("同比下降8.77%", "-8.77", 2),
        ("(↓8.77%)", "-8.77", 2),
        ("（↓8.77%）", "-8.77", 2),
        ("8.77%↓", "-8.77", 2),
        ("↑240%", "240", 0),
        ("+240", "240", 0),
        ("240", "240", 0),
        ("上升240%", "240", 0),
        ("增长240%", "240", 0),
        ("↑1,234.5%", "1234.5", 1),
        ("＋２４０％", "240", 0),
        ("上升0.89个百分点", "0.89", 2),
        ("-0.45pp", "-0.45", 2),
        ("↓0.00%", "0.00", 2),
        ("持平", "0", 0),
        ("−3", "-3", 0),
        ("(-8.77)", "-8.77", 2),
        ("8.77↓", "-8.77", 2),
        ("8.77 ↓", "-8.77", 2),
        ("同比 下降8.77%", "-8.77", 2),
        ("- 8.77", "-8.77", 2),  # a sign and a space, as a PDF's columns paste
        ("+ 240", "240", 0),
    ],
)
def test_it_parses_changes_as_printed(text, change, decimals):
    parsed = parse_change(text)
    assert parsed == (Decimal(change), decimals)
    assert str(parsed[0]) == change


@pytest.mark.parametrize("text", ["", None, "  ", "—", "-", "(—)"])
def test_an_empty_change_is_none(text):
    assert parse_change(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "↓",
        "abc",
        "下降",
        "↓-8.77",
        "↑+5",
        "上升-5",
        "8.77.1",
        "--5",
        "X5",  # a template's placeholder half overwritten
        "(↓8.77%",  # unbalanced brackets: part of the cell is missing
        "↓8.77%)",
    ],
)
def test_it_refuses_what_is_not_a_change(text):
    with pytest.raises(ValueError):
        parse_change(text)


def test_a_double_direction_says_so():
    with translation.override("en"), pytest.raises(ValueError, match="direction twice"):
        parse_change("↓-8.77")


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (parse_decimal, "12ab", "“12ab”不是数字。请写作 1438746、1,438,746 或 92.30%。"),
        (parse_decimal, "12,34,567", "“12,34,567”：千位分隔符位置不对。"),
        (parse_change, "↓-8.77", "“↓-8.77”重复给出了升降方向；请写作 ↓8.77% 或 -8.77。"),
        (parse_change, "abc", "“abc”不是同比变化。请写作 ↓8.77%、-8.77、下降8.77% 或 +240。"),
        (parse_integer, "12.5", "“12.5”不是整数。"),
        (parse_date, "1/1", "“1/1”不是日期。请写作 2023-01-01、2023.1.1 或 2023年1月1日。"),
        (parse_date, "2023.2.30", "“2023.2.30”不是日历上存在的日期。"),
        (parse_period, "全量", "“全量”不是期间。请写作 2020.1.1—2023.12.31。"),
    ],
)
def test_staff_read_each_error_in_chinese_with_the_text_they_typed(parse, text, message):
    with translation.override("zh-hans"), pytest.raises(ValueError) as error:
        parse(text)
    assert str(error.value) == message


def test_messages_are_translated_when_asked():
    with translation.override("zh-hans"):
        expected = translation.gettext(
            "“%(text)s” is not a change. Write it like ↓8.77%%, -8.77, 下降8.77%% or +240."
        ) % {"text": "x"}
        with pytest.raises(ValueError) as error:
            parse_change("x")
    assert str(error.value) == expected


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (Decimal("1438746"), "1438746"),
        (Decimal("92.30"), "92.30"),
        (Decimal("1E+2"), "100"),
    ],
)
def test_it_formats_values_to_type_back(value, text):
    assert format_decimal(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (Decimal("-8.77"), "-8.77"),
        (Decimal("240"), "+240"),
        (Decimal("0.00"), "0.00"),
        (Decimal("-0.00"), "0.00"),
        (Decimal("0E+2"), "0"),  # never in scientific notation, as for values
        (Decimal("-1E+2"), "-100"),
    ],
)
def test_it_formats_changes_with_their_sign(value, text):
    assert format_change(value) == text


@pytest.mark.parametrize("text", ["-8.77", "+240", "0.00", "-0.5"])
def test_formatted_changes_read_back(text):
    value, _decimals = parse_change(text)
    assert format_change(value) == text


def test_normalise_makes_full_width_half_width():
    assert normalise("１２３，４５６．７％") == "123,456.7%"


@pytest.mark.parametrize(
    "text",
    ["2023-01-01", "2023.1.1", "2023/1/1", "2023年1月1日", "2023 年 1 月 1 日", "２０２３．１．１"],
)
def test_it_parses_dates_as_typed(text):
    assert parse_date(text) == datetime.date(2023, 1, 1)


def test_a_date_a_spreadsheet_read_stays_that_date():
    assert parse_date(datetime.datetime(2023, 1, 1)) == datetime.date(2023, 1, 1)
    assert parse_date("2023-01-01 00:00:00") == datetime.date(2023, 1, 1)
    assert parse_date("—") is None


@pytest.mark.parametrize(("text", "why"), [("2023.2.30", "calendar"), ("1/1/2023", "not a date")])
def test_it_refuses_what_is_not_a_date(text, why):
    with translation.override("en"), pytest.raises(ValueError, match=why):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2020.1.1—2023.12.31", (2020, 1, 1), (2023, 12, 31)),
        ("2020.1.1——2023.12.31", (2020, 1, 1), (2023, 12, 31)),
        ("2020-01-01-2023-12-31", (2020, 1, 1), (2023, 12, 31)),
        ("2020年1月1日至2023年12月31日", (2020, 1, 1), (2023, 12, 31)),
        ("(2020.1.1—2023.12.31)", (2020, 1, 1), (2023, 12, 31)),
        ("（2020.1.1–2023.12.31）", (2020, 1, 1), (2023, 12, 31)),
        ("2020.1.1 ~ 2023.12.31", (2020, 1, 1), (2023, 12, 31)),
        ("2020.1.1—", (2020, 1, 1), None),
        ("—2023.12.31", None, (2023, 12, 31)),
    ],
)
def test_it_parses_periods_as_printed(text, start, end):
    as_date = lambda parts: parts and datetime.date(*parts)  # noqa: E731
    assert parse_period(text) == (as_date(start), as_date(end))


@pytest.mark.parametrize("text", ["", "—", None])
def test_an_empty_period_is_none(text):
    assert parse_period(text) == (None, None)


@pytest.mark.parametrize(
    "text",
    [
        "2020.1.1",
        "全量",
        "2020.1.1—2023.13.1",
        "(2020.1.1—2023.12.31",  # unbalanced brackets: part of the cell is missing
        "2020.1.1—2023.12.31)",
    ],
)
def test_it_refuses_what_is_not_a_period(text):
    with pytest.raises(ValueError):
        parse_period(text)


def test_periods_format_as_printed_and_read_back():
    period = (datetime.date(2020, 1, 1), datetime.date(2023, 12, 31))
    assert format_period(*period) == "2020.1.1—2023.12.31"
    assert parse_period(format_period(*period)) == period
    assert format_period(None, None) == ""
    assert format_date(datetime.date(2023, 1, 5)) == "2023-01-05"
    assert format_date(None) == ""


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        (datetime.date(2023, 1, 1), None, "2023.1.1—"),  # still running
        (None, datetime.date(2023, 12, 31), "—2023.12.31"),  # from whenever the data begins
    ],
)
def test_a_period_with_one_open_end_formats_as_printed_and_reads_back(start, end, text):
    assert format_period(start, end) == text
    assert parse_period(text) == (start, end)


@pytest.mark.parametrize(
    ("text", "value"), [("1,438,746", 1438746), ("１２３", 123), ("12.0", 12), ("—", None)]
)
def test_it_parses_whole_numbers(text, value):
    assert parse_integer(text) == value


@pytest.mark.parametrize("text", ["12a", "12.5", "1,2"])
def test_it_refuses_what_is_not_a_whole_number(text):
    with translation.override("en"), pytest.raises(ValueError, match="is not a whole number"):
        parse_integer(text)
