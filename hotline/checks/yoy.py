"""Year on year: the published changes against last year.

With last year's report of the same city stored, each change is computed from it and compared.
Without it, each change implies last year's value (value ÷ (1 + change) for a relative change,
value − change for points); the implied values must be possible (a count is a whole number, a
rate within 0–100) and must still obey the catalogue's sums, shares, rates and averages.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from django.utils.translation import gettext as _

from hotline.models import Figure, Indicator
from hotline.numbers import format_number

from .data import Value, domain, figure_value, indicator_label
from .intervals import Interval, quotient, show, to_decimal
from .results import Period
from .rules import ARITHMETIC_KINDS, Findings, evaluate_arithmetic, figure_discrepancy

ChangeKind = Indicator.ChangeKind
YOY = Period.YEAR_ON_YEAR


def change_suffix() -> str:
    return " · " + _("change")


def shown_change(value, text: str, kind: str) -> str:
    """A change as the report prints it: signed, in % or in points (+33.34%, -18.17 points)."""
    unit = "%" if kind == ChangeKind.RELATIVE else " " + _("points")
    return f"{'+' if value > 0 else ''}{text}{unit}"


def change_text(figure: Figure) -> str:
    change = figure.printed_change
    return shown_change(change, format_number(change), figure.indicator.change_kind)


def published_change(figure: Figure) -> Value:
    interval = Interval.printed(figure.change, figure.change_decimals)
    return Value(interval, Fraction(figure.change), change_text(figure))


def check_against_prior(data, findings: Findings) -> None:
    """Each published change against the one computed from last year's stored report."""
    year = data.prior_report.year
    for code, figure in data.figures.items():
        if figure.change is None or figure.value is None:
            continue
        current = figure_value(figure)
        prior = figure_value(data.prior_figures.get(code))
        if isinstance(prior, str):
            findings.skip(
                YOY, "", code, _("%(year)s: %(reason)s") % {"year": year, "reason": prior}
            )
            continue
        indicator = figure.indicator
        change = published_change(figure)
        if indicator.change_kind == ChangeKind.POINTS:
            computed = current.interval - prior.interval
            point = current.point - prior.point
            arithmetic = f"{current.text} − {prior.text} = {show(point)} " + _("points")
        else:
            if prior.interval.is_exact and prior.point == 0:
                findings.checks_made += 1
                findings.discrepancies.append(
                    zero_prior(figure, change, arithmetic=f"{year}: 0 → {current.text}")
                )
                continue
            ratio = quotient(current.interval, prior.interval)
            if ratio is None:
                findings.skip(YOY, "", code, _("last year's value may be 0"))
                continue
            computed = ratio.shifted(-1).scaled(100)
            point = (current.point / prior.point - 1) * 100
            arithmetic = f"({current.text} ÷ {prior.text} − 1) × 100 = {show(point)}%"
        findings.checks_made += 1
        if change.interval.overlaps(computed):
            continue
        findings.discrepancies.append(
            change_discrepancy(figure, change, computed, point, arithmetic)
        )


def change_discrepancy(figure, change: Value, computed: Interval, point: Fraction, arithmetic):
    discrepancy = figure_discrepancy(
        period=YOY,
        check="change",
        rule_code="",
        indicator=figure.indicator,
        published=change,
        computed=computed,
        computed_point=point,
        arithmetic=arithmetic,
        label_suffix=change_suffix(),
    )
    # A change is compared in its own unit, percent or points, both ways; never relative to
    # itself.
    kind = figure.indicator.change_kind
    return replace(
        discrepancy,
        published=change.text,
        computed=shown_change(point, show(point), kind),
        relative_difference=None,
        unit="%" if kind == ChangeKind.RELATIVE else _("points"),
    )


def zero_prior(figure, change: Value, *, arithmetic: str):
    return replace(
        figure_discrepancy(
            period=YOY,
            check="change",
            rule_code="",
            indicator=figure.indicator,
            published=change,
            computed=Interval.exact(0),
            computed_point=Fraction(0),
            arithmetic=arithmetic + _("; a relative change from 0 cannot be computed"),
            label_suffix=change_suffix(),
        ),
        published=change.text,
        computed=_("undefined (last year 0)"),
        prior_is_zero=True,
        relative_difference=None,
        unit="%",
    )


def implied_priors(data, findings: Findings) -> dict[str, Value | str]:
    """Last year's value of every figure with a published change, as the change implies it."""
    year = data.report.year - 1
    implied: dict[str, Value | str] = {}
    for code, figure in data.figures.items():
        current = figure_value(figure)
        if isinstance(current, str):
            implied[code] = current
            continue
        if figure.change is None:
            implied[code] = _("has no published change")
            continue
        indicator = figure.indicator
        change = published_change(figure)
        lower, upper = domain(indicator)
        if indicator.change_kind == ChangeKind.POINTS:
            prior = (current.interval - change.interval).clamp(lower, upper)
            point = current.point - change.point
            body = f"{current.text} − ({change.text}) = {show(point)}"
        else:
            factor = change.interval.shifted(100).scaled(Fraction(1, 100)).clamp(0)
            sign = "+" if change.point >= 0 else "−"
            derivation_base = (
                f"{current.text} ÷ (1 {sign} {format_number(abs(figure.printed_change))}%)"
            )
            if factor is None or factor.lo == 0:
                implied[code] = _("fell by 100%, so last year's value is unknown")
                continue
            if current.interval.is_exact and current.point == 0:
                findings.checks_made += 1
                if 0 not in change.interval:
                    findings.discrepancies.append(
                        zero_prior(
                            figure,
                            change,
                            arithmetic=f"{derivation_base} = 0",
                        )
                    )
                implied[code] = _("is 0, so last year's value is unknown")
                continue
            prior = quotient(current.interval, factor).clamp(lower, upper)
            point = current.point / (1 + change.point / 100)
            body = f"{derivation_base} = {show(point)}"
        findings.checks_made += 1
        if prior is None:
            findings.discrepancies.append(
                impossible_prior(
                    figure,
                    change,
                    point,
                    body,
                    year,
                    why=_("outside 0–100"),
                    nearest=min(max(point, Fraction(lower)), Fraction(upper or point)),
                    unit=_("points from 0–100"),
                )
            )
            implied[code] = _("implies an impossible value last year")
            continue
        if indicator.kind == Indicator.Kind.COUNT:
            whole = prior.integer_hull()
            if whole is None:
                findings.discrepancies.append(
                    impossible_prior(
                        figure,
                        change,
                        point,
                        body,
                        year,
                        why=_("not a whole number"),
                        nearest=Fraction(round(point)),
                        unit=_("from the nearest whole number"),
                        interval=prior,
                    )
                )
            else:
                prior = whole
        # Named as the page names the figure: the reader of a footnote knows no codes.
        implied[code] = Value(prior, point, show(point), f"{indicator_label(indicator)}: {body}")
    return implied


def impossible_prior(figure, change, point, body, year, *, why, nearest, unit, interval=None):
    return replace(
        figure_discrepancy(
            period=YOY,
            check="implied_prior",
            rule_code="",
            indicator=figure.indicator,
            published=change,
            computed=interval or Interval.exact(point),
            computed_point=point,
            arithmetic=_("%(derivation)s last year (%(year)s): %(why)s")
            % {"derivation": body, "year": year, "why": why},
            label_suffix=change_suffix(),
            implied_year=year,
        ),
        published=change.text,
        difference=to_decimal(point - nearest, 2),
        relative_difference=None,
        unit=unit,
    )


def check_implied(data, findings: Findings) -> None:
    """The catalogue's arithmetic rules, re-run on last year's values implied by the changes."""
    implied = implied_priors(data, findings)
    year = data.report.year - 1

    def values(item):
        indicator = item if isinstance(item, Indicator) else item.indicator
        if indicator is None:  # the population: last year's is not stored
            return _("of last year is not known")
        return implied.get(indicator.code, _("not reported"))

    suffix = " · " + _("%(year)s implied by the published changes") % {"year": year}
    for rule in data.rules:
        if rule.kind not in ARITHMETIC_KINDS:
            continue
        evaluate_arithmetic(
            rule, list(rule.operands.all()), values, YOY, findings, suffix, implied_year=year
        )
