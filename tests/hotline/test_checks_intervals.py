"""A printed number stands for an interval; the checks compute on intervals."""

from decimal import Decimal
from fractions import Fraction as F

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
    assert show(F(455559)) == "455559"
    assert show(F(128080, 754502) * 100) == "16.98"
    assert show(F(1, 2)) == "0.50"
