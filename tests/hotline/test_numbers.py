"""format_number's quick ways write what Django's numberformat writes (hotline.numbers.grouped)."""

from decimal import Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from hotline.numbers import format_number, grouped


@given(st.integers(min_value=-(10**20), max_value=10**20), st.sampled_from([None, 0, 1, 2]))
@example(1438746, None)
@example(-1000, None)
@example(0, None)
def test_an_integer_is_written_as_django_writes_it(value, decimals):
    assert format_number(value, decimals) == grouped(value, decimals)


@given(
    st.integers(min_value=-(10**15), max_value=10**15),
    st.integers(min_value=-3, max_value=4),
    st.sampled_from([None, 0, 1, 2, 3]),
)
@example(9230, 2, None)  # 92.30
@example(0, 1, None)  # 0.0
@example(-1, 1, 1)  # -0.1
@example(1, -3, None)  # 1E+3
def test_a_decimal_is_written_as_django_writes_it(digits, scale, decimals):
    value = Decimal(digits).scaleb(-scale)
    assert format_number(value, decimals) == grouped(value, decimals)


def test_negative_zero_is_written_as_django_writes_it():
    for value in (Decimal("-0.0"), Decimal("-0"), Decimal("0.00")):
        assert format_number(value) == grouped(value, None)
