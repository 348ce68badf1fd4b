"""A printed number stands for an interval; the checks compute on intervals."""

from decimal import Decimal
from fractions import Fraction as F

import pytest

from hotline.checks.intervals import Interval, quotient, show, total, weighted_mean


def test_a_printed_number_may_have_been_rounded_or_cut():
    printed = Interval.printed(Decimal("4.50"), 2)
    assert F("4.495") in printed  # rounded up to 4.50
    assert F("4.505") in printed  # cut to 4.50 (rounding would print 4.51)
    assert F("4.5099") in printed
    assert F("4.51") not in printed  # prints 4.51 either way
    assert F("4.494") not in printed


def test_a_negative_change_is_cut_toward_zero():
    printed = Interval.printed(Decimal("-8.77"), 2)
    assert F("-8.7799") in printed and F("-8.765") in printed
    assert F("-8.78") not in printed and F("-8.764") not in printed


def test_a_printed_zero_may_be_a_small_number_either_side():
    printed = Interval.printed(0, 0)
    assert F("0.99") in printed and F("-0.99") in printed and 1 not in printed


def test_intervals_meet_only_where_both_ends_are_attained():
    cut = Interval(F(1), F(2), True, False)  # [1, 2)
    assert not cut.overlaps(Interval.exact(2))
    assert cut.overlaps(Interval(F(2) - F(1, 10**9), F(3)))
    assert Interval(F(0), F(1)).overlaps(Interval(F(1), F(2)))


def test_a_rate_is_clamped_to_its_domain():
    hundred = Interval.printed(100, 0).clamp(0, 100)
    assert (hundred.lo, hundred.hi, hundred.hi_closed) == (F("99.5"), 100, True)
    assert Interval(F(-2), F(-1)).clamp(0) is None


def test_whole_numbers_within():
    assert Interval(F("0.4975"), F("0.50125"), False, True).integer_hull() is None
    hull = Interval(F("4390.3"), F("4409.7")).integer_hull()
    assert (hull.lo, hull.hi) == (4391, 4409)
    assert Interval(F(2), F(3), False, False).integer_hull() is None


def test_sums_quotients_and_weighted_means():
    assert total([Interval.exact(2), Interval(F(1), F(2), True, False)]) == Interval(
        F(3), F(4), True, False
    )
    share = quotient(Interval.exact(1), Interval(F(2), F(4)))
    assert (share.lo, share.hi) == (F(1, 4), F(1, 2))
    assert quotient(Interval.exact(1), Interval(F(0), F(1))) is None
    mean = weighted_mean(
        [Interval.printed(Decimal("1.94"), 2), Interval.printed(Decimal("3.49"), 2)],
        [Interval.exact(1421313), Interval.exact(155517)],
    )
    # Every reading of 1.94% and 3.49% weighted by the calls: [2.0879, 2.1029).
    assert F("2.0878") < mean.lo < F("2.0880") and F("2.1028") < mean.hi < F("2.1030")
    assert not mean.hi_closed


def test_a_mean_with_uncertain_weights_stays_between_its_values():
    mean = weighted_mean(
        [Interval.exact(10), Interval.exact(20)], [Interval(F(1), F(3)), Interval(F(1), F(3))]
    )
    assert (mean.lo, mean.hi) == (F(10 * 3 + 20, 4), F(10 + 20 * 3, 4))


def test_numbers_are_shown_as_the_report_prints_them():
    assert show(F(455559)) == "455,559"
    assert show(F(128080, 754502) * 100) == "16.98"
    assert show(F(1, 2)) == "0.50"


# Which ends are attained. A closed end is a value the true figure may take; an open end is one
# it may come as close to as it likes but never reach. A figure sitting exactly on an open end
# is a discrepancy, so every operation says which of its ends it attains.


def I(lo, hi, lo_closed=True, hi_closed=True):  # noqa: E743
    return Interval(F(lo), F(hi), lo_closed, hi_closed)


@pytest.mark.parametrize(
    ("value", "decimals", "interval"),
    [
        # 0.50: 0.495 rounds up to it (attained); 0.51 never prints as 0.50.
        (Decimal("0.50"), 2, I("0.495", "0.51", True, False)),
        (1, 0, I("0.5", "2", True, False)),
        (Decimal("-8.77"), 2, I("-8.78", "-8.765", False, True)),
        # 0 may be a small number either side, but neither ±1 in the last place.
        (0, 2, I("-0.01", "0.01", False, False)),
    ],
)
def test_a_printed_number_attains_its_rounded_end_and_not_its_cut_end(value, decimals, interval):
    assert Interval.printed(value, decimals) == interval


def test_an_interval_computes_exactly_whatever_it_was_made_from():
    tenth = Interval(Decimal("0.1"), Decimal("0.1"))
    assert isinstance(tenth.lo, F) and isinstance(tenth.hi, F)
    # 0.1 + 1/3 exactly: no float, no Decimal rounding.
    assert tenth + Interval.exact(F(1, 3)) == Interval.exact(F(13, 30))


def test_an_empty_interval_is_refused():
    with pytest.raises(ValueError, match="empty interval 2 > 1"):
        Interval(F(2), F(1))


def test_sums_attain_an_end_only_where_every_part_does():
    # [1, 2] + (1, 2] = (2, 4]: the low end needs the second part's unattained 1.
    assert I(1, 2) + I(1, 2, False, True) == I(2, 4, False, True)
    assert I(1, 2) + I(1, 2, True, False) == I(2, 4, True, False)


def test_differences_pair_each_end_with_the_other_intervals_opposite_end():
    # [5, 6) − (1, 2] = [3, 5): 5 − 2 is attained, 6 − 1 is not (6 is not).
    assert I(5, 6, True, False) - I(1, 2, False, True) == I(3, 5, True, False)
    # (5, 6] − [1, 2) = (3, 5]
    assert I(5, 6, False, True) - I(1, 2, True, False) == I(3, 5, False, True)
    # [5, 6] − (1, 2] = [3, 5): 6 − 1 needs the unattained 1.
    assert I(5, 6) - I(1, 2, False, True) == I(3, 5, True, False)
    # (5, 6] − [1, 2] = (3, 5]
    assert I(5, 6, False, True) - I(1, 2) == I(3, 5, False, True)


def test_scaling_and_shifting_keep_which_ends_are_attained():
    assert I(1, 2, True, False).scaled(100) == I(100, 200, True, False)
    assert I(1, 2, False, True).scaled(F(1, 100)) == I(F(1, 100), F(2, 100), False, True)
    assert I(1, 2, True, False).scaled(0) == I(0, 0, True, False)
    assert I(1, 2, False, True).shifted(-1) == I(0, 1, False, True)
    assert I(1, 2, True, False).shifted(Decimal("0.5")) == I("1.5", "2.5", True, False)
    with pytest.raises(ValueError, match=r"^scale by a non-negative factor$"):
        I(1, 2).scaled(-1)


@pytest.mark.parametrize(
    ("a", "b", "meet"),
    [
        # Equal low ends: the meeting starts there only if both attain it.
        (I(1, 2), I(1, 3, False, True), I(1, 2, False, True)),
        (I(1, 3, False, True), I(1, 2), I(1, 2, False, True)),
        # Equal high ends, likewise.
        (I(0, 2, True, False), I(1, 2), I(1, 2, True, False)),
        (I(1, 2), I(0, 2, True, False), I(1, 2, True, False)),
        (I(0, 5), I(1, 2, False, True), I(1, 2, False, True)),
        (I(0, 5), I(1, 2, True, False), I(1, 2, True, False)),
        # Touching at an end that one of them does not attain: no meeting.
        (I(1, 2, True, False), I(2, 3), None),
        (I(1, 2), I(3, 4), None),
    ],
)
def test_where_two_intervals_meet(a, b, meet):
    assert a.intersect(b) == meet
    assert a.overlaps(b) is (meet is not None)


def test_clamping_to_a_domain():
    assert I(-1, 200).clamp(upper=100) == I(-1, 100)
    assert I(-1, 200).clamp(lower=0) == I(0, 200)
    # A value that may be 0 and no more is 0 in a non-negative domain.
    assert I(-1, 0).clamp(0) == Interval.exact(0)
    assert I(-1, 1).clamp(0, 0) == Interval.exact(0)
    assert I(-1, 0, True, False).clamp(0) is None


@pytest.mark.parametrize(
    ("interval", "whole"),
    [
        (I(4, "5.5"), I(4, 5)),  # an attained whole end counts
        (I(4, "5.5", False, True), I(5, 5)),  # an unattained one does not
        (I("4.5", 6, False, True), I(5, 6)),
        (I("3.5", 6, True, False), I(4, 5)),
        (I("3.5", "5.5", True, False), I(4, 5)),
        (I("4.5", "5.5"), I(5, 5)),  # exactly one whole number
        (I("4.2", "4.8"), None),
    ],
)
def test_the_whole_numbers_an_interval_holds(interval, whole):
    assert interval.integer_hull() == whole


def test_a_quotient_attains_an_end_only_through_attained_corners():
    # 1 ÷ [2, 4] = [1/4, 1/2], both attained.
    assert quotient(Interval.exact(1), I(2, 4)) == I(F(1, 4), F(1, 2))
    # 4 ÷ [1, 2) = (2, 4]: 4 ÷ 2 is never reached.
    assert quotient(Interval.exact(4), I(1, 2, True, False)) == I(2, 4, False, True)
    # [1/2, 1) ÷ 1 = [1/2, 1)
    assert quotient(I(F(1, 2), 1, True, False), Interval.exact(1)) == I(F(1, 2), 1, True, False)
    # [1, 2] ÷ [1, 2] = [1/2, 2]; 1 is reached twice inside, which changes no end.
    assert quotient(I(1, 2), I(1, 2)) == I(F(1, 2), 2)


def test_a_quotient_with_a_numerator_of_0():
    # 0 ÷ (2, 4] is 0, attained (0 ÷ 4), although 0 ÷ 2 is not a corner that is reached.
    assert quotient(I(0, 1), I(2, 4, False, True)) == I(0, F(1, 2), True, False)
    assert quotient(Interval.exact(0), I(1, 2)) == Interval.exact(0)


def test_a_quotient_of_negative_numbers_is_refused():
    with pytest.raises(ValueError, match=r"^quotient of non-negative intervals only$"):
        quotient(I(-1, 1), Interval.exact(2))
    with pytest.raises(ValueError, match=r"^quotient of non-negative intervals only$"):
        quotient(Interval.exact(1), I(-1, 2))


def test_a_mean_of_exact_values_and_weights_is_exact():
    mean = weighted_mean([Interval.exact(10), Interval.exact(20)], [I(1, 1), I(3, 3)])
    assert mean == Interval.exact(F(70, 4))


def test_a_mean_attains_the_ends_its_values_attain():
    values = [I(10, 11, True, False), I(20, 21, False, True)]
    mean = weighted_mean(values, [Interval.exact(1), Interval.exact(1)])
    assert mean == I(15, 16, False, False)  # each end needs an unattained value
    values = [I(10, 11, False, True), I(20, 21, True, False)]
    assert weighted_mean(values, [Interval.exact(1), Interval.exact(1)]) == I(15, 16, False, False)
    values = [I(10, 11), I(20, 21)]
    assert weighted_mean(values, [Interval.exact(1), Interval.exact(1)]) == I(15, 16)


def test_a_mean_of_equal_values_is_that_value_whatever_the_weights():
    mean = weighted_mean([Interval.exact(5), Interval.exact(5)], [I(1, 2, False, True), I(1, 2)])
    assert mean == Interval.exact(5)


def test_a_mean_whose_weights_may_all_be_0_has_no_value():
    weights = [I(0, 5), I(0, 3)]
    assert weighted_mean([Interval.exact(10), Interval.exact(20)], weights) is None
    # One weight of 0 is fine: the mean is the other value.
    one = weighted_mean([Interval.exact(10), Interval.exact(20)], [I(1, 1), I(0, 0)])
    assert one == Interval.exact(10)


def test_a_mean_needs_a_weight_for_each_value():
    with pytest.raises(ValueError):
        weighted_mean([Interval.exact(10), Interval.exact(20)], [Interval.exact(1)])


def test_computed_numbers_are_shown_rounded_half_up_as_the_report_rounds():
    # 四舍五入: 0.125 shows as 0.13, not 0.12 (banker's rounding).
    assert show(F(1, 8)) == "0.13"
    assert show(F(-1, 8)) == "-0.13"
    assert show(F(2, 3), 4) == "0.6667"
