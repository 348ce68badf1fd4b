"""Interval arithmetic over printed numbers.

A number printed with d decimals stands for every true value that prints that way: rounded
(±half a unit of the last decimal) or cut toward zero (up to one unit more in magnitude). Both
are accepted, so 4.50 stands for [4.495, 4.51). Counts are exact. Computations carry the
intervals through exactly (fractions, open or closed ends); two figures disagree only when their
intervals do not meet.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from math import ceil, floor

from hotline.numbers import format_number

Number = Fraction | Decimal | int


@dataclass(frozen=True)
class Interval:
    lo: Fraction
    hi: Fraction
    lo_closed: bool = True
    hi_closed: bool = True

    def __post_init__(self):
        # Most ends are fractions already, and Fraction() of one makes a copy: a check of a
        # report makes some 1,000 intervals, and the copies were a fifth of it.
        if type(self.lo) is not Fraction:
            object.__setattr__(self, "lo", Fraction(self.lo))
        if type(self.hi) is not Fraction:
            object.__setattr__(self, "hi", Fraction(self.hi))
        if self.lo > self.hi:
            raise ValueError(f"empty interval {self.lo} > {self.hi}")

    @classmethod
    def exact(cls, value: Number) -> Interval:
        return cls(value, value)

    @classmethod
    def printed(cls, value: Number, decimals: int) -> Interval:
        """Every true value that prints as `value` with `decimals`, rounded or cut toward zero."""
        v, unit = Fraction(value), Fraction(1, 10**decimals)
        if v > 0:
            return cls(v - unit / 2, v + unit, True, False)
        if v < 0:
            return cls(v - unit, v + unit / 2, False, True)
        return cls(-unit, unit, False, False)

    @property
    def is_exact(self) -> bool:
        return self.lo == self.hi

    def __contains__(self, x: Number) -> bool:
        x = Fraction(x)
        above = x > self.lo or (x == self.lo and self.lo_closed)
        below = x < self.hi or (x == self.hi and self.hi_closed)
        return above and below

    def overlaps(self, other: Interval) -> bool:
        return self.intersect(other) is not None

    def intersect(self, other: Interval) -> Interval | None:
        lo, lo_closed = max(
            (self.lo, self.lo_closed), (other.lo, other.lo_closed), key=lambda e: (e[0], not e[1])
        )
        hi, hi_closed = min(
            (self.hi, self.hi_closed), (other.hi, other.hi_closed), key=lambda e: (e[0], e[1])
        )
        if lo > hi or (lo == hi and not (lo_closed and hi_closed)):
            return None
        return Interval(lo, hi, lo_closed, hi_closed)

    def clamp(self, lower: Number | None = None, upper: Number | None = None) -> Interval | None:
        """The part of the interval a figure's domain allows (a rate is within 0–100)."""
        lo = self.lo if lower is None else Fraction(lower)
        hi = self.hi if upper is None else Fraction(upper)
        return None if lo > hi else self.intersect(Interval(lo, hi))

    def integer_hull(self) -> Interval | None:
        """The whole numbers within, as an interval; None when there is none."""
        lo = ceil(self.lo) if self.lo_closed else floor(self.lo) + 1
        hi = floor(self.hi) if self.hi_closed else ceil(self.hi) - 1
        return Interval(lo, hi) if lo <= hi else None

    def __add__(self, other: Interval) -> Interval:
        return Interval(
            self.lo + other.lo,
            self.hi + other.hi,
            self.lo_closed and other.lo_closed,
            self.hi_closed and other.hi_closed,
        )

    def __sub__(self, other: Interval) -> Interval:
        return Interval(
            self.lo - other.hi,
            self.hi - other.lo,
            self.lo_closed and other.hi_closed,
            self.hi_closed and other.lo_closed,
        )

    def scaled(self, factor: Number) -> Interval:
        factor = Fraction(factor)
        if factor < 0:
            raise ValueError("scale by a non-negative factor")
        return Interval(self.lo * factor, self.hi * factor, self.lo_closed, self.hi_closed)

    def shifted(self, offset: Number) -> Interval:
        offset = Fraction(offset)
        return Interval(self.lo + offset, self.hi + offset, self.lo_closed, self.hi_closed)


def _ends(interval: Interval) -> list[tuple[Fraction, bool]]:
    if interval.is_exact:
        return [(interval.lo, interval.lo_closed and interval.hi_closed)]
    return [(interval.lo, interval.lo_closed), (interval.hi, interval.hi_closed)]


def at_vertices(function: Callable[..., Fraction], args: Sequence[Interval]) -> Interval:
    """The range of `function` over a box, for functions whose extremes lie at its corners.

    That holds for sums, products and quotients of positive intervals, and for weighted means
    (linear-fractional in the weights, increasing in the values). An extreme is attained (a
    closed end) when a corner giving it is made of attained ends only.
    """
    lo = hi = None
    for corner in itertools.product(*(_ends(a) for a in args)):
        value = Fraction(function(*(point for point, _ in corner)))
        closed = all(attained for _, attained in corner)
        if lo is None or value < lo[0] or (value == lo[0] and closed):
            lo = (value, closed) if lo is None or value < lo[0] else (value, lo[1] or closed)
        if hi is None or value > hi[0] or (value == hi[0] and closed):
            hi = (value, closed) if hi is None or value > hi[0] else (value, hi[1] or closed)
    return Interval(lo[0], hi[0], lo[1], hi[1])


def total(intervals: Sequence[Interval]) -> Interval:
    result = Interval.exact(0)
    for interval in intervals:
        result = result + interval
    return result


def quotient(numerator: Interval, denominator: Interval) -> Interval | None:
    """numerator ÷ denominator for non-negative intervals; None when the denominator may be 0."""
    if denominator.lo < 0 or numerator.lo < 0:
        raise ValueError("quotient of non-negative intervals only")
    if denominator.lo == 0:
        return None
    return at_vertices(lambda n, d: n / d, [numerator, denominator])


def weighted_mean(values: Sequence[Interval], weights: Sequence[Interval]) -> Interval | None:
    """Σ value × weight ÷ Σ weight; None when the weights may all be 0."""
    if sum(w.lo for w in weights) <= 0:
        return None

    def mean(*points):
        vs, ws = points[: len(values)], points[len(values) :]
        return sum(v * w for v, w in zip(vs, ws, strict=True)) / sum(ws)

    # Increasing in every value: only the weights' corners need visiting for each end.
    low_values = [Interval(v.lo, v.lo, v.lo_closed, v.lo_closed) for v in values]
    high_values = [Interval(v.hi, v.hi, v.hi_closed, v.hi_closed) for v in values]
    low = at_vertices(mean, [*low_values, *weights])
    high = at_vertices(mean, [*high_values, *weights])
    return Interval(low.lo, high.hi, low.lo_closed, high.hi_closed)


def to_decimal(value: Fraction, decimals: int) -> Decimal:
    with localcontext() as context:
        context.prec = 50
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        return exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def show(value: Fraction, decimals: int = 2) -> str:
    """A computed number as the report would print it: whole numbers bare, others with decimals,
    grouped by three (1,581,379.00)."""
    if value.denominator == 1:
        return format_number(value.numerator)
    return format_number(to_decimal(value, decimals), decimals)
