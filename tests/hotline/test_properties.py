"""Random and hostile input (hypothesis): the parsers and the figure grid never fail badly.

HYPOTHESIS_PROFILE=thorough runs many more examples than the default.
"""

from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from hotline.admin.figure_grid import FigureCellForm
from hotline.models import Figure
from hotline.parsing import (
    format_change,
    format_decimal,
    is_not_reported,
    normalise,
    parse_change,
    parse_decimal,
    parse_integer,
)

from . import factories as f

# Text as a browser can send it: anything but lone surrogates, which UTF-8 cannot carry.
any_text = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=60)
hostile = st.one_of(
    any_text,
    st.sampled_from(
        [
            "=SUM(A1:A9)",
            "+1+1",
            "-2+3",
            "@cmd",
            '=HYPERLINK("http://x")',
            "\x00",
            "1\x00",
            "\t\r\n",
            "9" * 400,
            "1e308",
            "NaN",
            "Infinity",
            "-0",
            "１２３，４５６",
            "淮安ã€é«˜",  # UTF-8 read as Latin-1
            "锟斤拷",  # GBK read as UTF-8 and back
            "'; DROP TABLE hotline_figure; --",
            "<script>alert(1)</script>",
            "92.30%%",
            "↑↓5",
            "1,2,3",
            "0." + "0" * 50 + "1",
        ]
    ),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)


@given(hostile)
@example("9" * 400)  # parse_integer raised decimal.InvalidOperation (issue 13)
@example("1" + "0" * 400)
def test_the_parsers_raise_nothing_but_value_error(text):
    for parse in (parse_decimal, parse_change):
        try:
            result = parse(text)
        except ValueError as error:
            assert str(error)  # a message for the cell
        else:
            assert result is None or (isinstance(result[0], Decimal) and result[1] >= 0)
    try:
        number = parse_integer(text)
    except ValueError as error:
        assert str(error)
    else:
        assert number is None or isinstance(number, int)
    assert isinstance(normalise(text), str)
    is_not_reported(text)


printed_values = st.integers(min_value=0, max_value=4).flatmap(
    lambda places: st.tuples(
        st.decimals(
            min_value=0, max_value=10**13, places=places, allow_nan=False, allow_infinity=False
        ),
        st.just(places),
    )
)


@given(st.text(alphabet="0123456789", min_size=1, max_size=25))
@example("000123")
def test_plain_digits_read_as_the_general_parser_reads_them(text):
    # parse_integer reads plain digits in short; what it makes must not differ.
    value, _decimals = parse_decimal(text)
    assert parse_integer(text) == int(value)
    assert parse_integer("\u3000" + text) == int(value)  # the long way, a space before


@given(printed_values)
def test_a_value_formatted_for_the_grid_reads_back_the_same(value_and_places):
    value, places = value_and_places
    parsed, decimals = parse_decimal(format_decimal(value))
    assert parsed == value and decimals == places


@given(
    st.integers(min_value=0, max_value=4).flatmap(
        lambda places: st.tuples(
            st.decimals(
                min_value=-100,
                max_value=10**6,
                places=places,
                allow_nan=False,
                allow_infinity=False,
            ),
            st.just(places),
        )
    )
)
def test_a_change_formatted_for_the_grid_reads_back_the_same(change_and_places):
    change, places = change_and_places
    parsed, decimals = parse_change(format_change(change))
    assert parsed == change and decimals == places


# The figure grid


INDICATORS = [
    "people_total",
    "people_phone",
    "people_web",
    "firms_total",
    "firms_phone",
    "firms_web",
    "rate",
    "duration",
    "safety",
]


@pytest.fixture
def grid(db, admin_client):
    _section, _tables, indicators = f.make_appeals_table()
    report = f.make_report()
    f.make_figure(report, indicators["people_total"], value=5)
    f.make_figure(report, indicators["rate"], value=Decimal("90.5"), decimals=1)
    url = reverse("admin:hotline_annualreport_figures", args=[report.pk])
    drawn = {}
    for cell in admin_client.get(url).context["grid"].cells:
        for name in cell.form.fields:
            value = cell.form.initial.get(name, "")
            drawn[cell.form.add_prefix(name)] = drawn[cell.form.add_initial_prefix(name)] = value
    return report, url, indicators, drawn


def stored(report):
    return sorted(
        Figure.private_objects.filter(report=report).values_list(
            "indicator_id", "value", "decimals", "text", "change", "change_decimals", "note"
        )
    )


def as_typed(name, text):
    """A cell as the grid's form reads it (stripped, CRLF as LF): what "typed" means to it."""
    return FigureCellForm.base_fields[name].to_python(text)


@given(
    typed=st.dictionaries(
        st.tuples(st.sampled_from(INDICATORS), st.sampled_from(["value", "change", "note"])),
        hostile,
        min_size=1,
        max_size=6,
    )
)
# A value cell holding only "\r": the form strips it to "unchanged", which the old oracle
# counted as typed (issue 13).
@example(typed={("people_phone", "value"): "\r"})
@example(typed={("people_total", "value"): "\t\r\n"})
@pytest.mark.django_db
def test_hostile_cells_never_crash_the_grid_nor_save_half(admin_client, grid, typed):
    report, url, indicators, drawn = grid
    posted = dict(drawn)
    for (key, name), text in typed.items():
        posted[f"f{indicators[key].pk}-{name}"] = text
    before = stored(report)
    with transaction.atomic():
        response = admin_client.post(url, posted)
        assert response.status_code in (200, 302)
        after = stored(report)
        if response.status_code == 200:
            assert after == before  # refused: nothing at all was written
        else:
            touched = {
                indicators[key].pk
                for (key, name), text in typed.items()
                if as_typed(name, text)
                != as_typed(name, drawn.get(f"f{indicators[key].pk}-{name}", ""))
            }
            assert touched <= {row[0] for row in after}  # saved: every typed cell
        transaction.set_rollback(True)
