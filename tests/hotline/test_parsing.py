from decimal import Decimal

import pytest
from django.utils import translation

from hotline.parsing import (
    format_change,
    format_decimal,
    is_not_reported,
    normalise,
    parse_change,
    parse_decimal,
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


@pytest.mark.parametrize(
    "text",
    ["abc", "优秀", "1.2.3", "12%%", "%", "1e5", "1_000", "92.30%↑", "1,2", "12,34,567", "1,4387"],
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
    ],
)
def test_it_parses_changes_as_printed(text, change, decimals):
    parsed = parse_change(text)
    assert parsed == (Decimal(change), decimals)
    assert str(parsed[0]) == change


@pytest.mark.parametrize("text", ["", None, "  ", "—", "-", "(—)"])
def test_an_empty_change_is_none(text):
    assert parse_change(text) is None


@pytest.mark.parametrize("text", ["↓", "abc", "下降", "↓-8.77", "↑+5", "上升-5", "8.77.1", "--5"])
def test_it_refuses_what_is_not_a_change(text):
    with pytest.raises(ValueError):
        parse_change(text)


def test_a_double_direction_says_so():
    with translation.override("en"), pytest.raises(ValueError, match="direction twice"):
        parse_change("↓-8.77")


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
