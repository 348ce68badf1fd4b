"""Evaluating the rules of the catalogue on one set of values (this year's, or last year's implied).

A rule compares a published interval with the interval computed from its operands; it raises a
discrepancy only when they do not meet. A rule with a part not reported is not checked: "—" is
never taken as 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import pairwise

from django.utils.translation import gettext as _

from hotline.models import AppealCount, CheckOperand, CheckRule, Indicator
from hotline.models.catalogue import translated
from hotline.numbers import format_number

from .data import Value, figure_value, indicator_label, indicator_sort_key
from .intervals import Interval, quotient, show, to_decimal, total, weighted_mean
from .results import Discrepancy, NotChecked, Period

Kind, Role = CheckRule.Kind, CheckOperand.Role
# Rules that hold for last year's figures as much as this year's.
ARITHMETIC_KINDS = {Kind.SUM, Kind.SHARE, Kind.RATIO, Kind.WEIGHTED_AVERAGE}
PERIOD_ORDER = {Period.CURRENT: 0, Period.YEAR_ON_YEAR: 1}
# Figures in the order of the printed tables, then the rankings.
FIGURES, RANKINGS = 0, 1


@dataclass
class Findings:
    discrepancies: list[Discrepancy] = field(default_factory=list)
    not_checked: list[NotChecked] = field(default_factory=list)
    checks_made: int = 0

    def skip(self, period, rule_code, indicator_code, reason):
        self.not_checked.append(NotChecked(period, rule_code, indicator_code, str(reason)))


def figure_unit(indicator: Indicator) -> str:
    return _("points") if indicator.kind == Indicator.Kind.RATE else translated(indicator, "unit")


def percent(indicator: Indicator) -> str:
    return "%" if indicator.kind == Indicator.Kind.RATE else ""


def difference(published: Fraction, computed: Fraction, *, relative: bool, decimals: int = 2):
    absolute = to_decimal(published - computed, decimals)
    if not relative or computed == 0:
        return absolute, None
    return absolute, to_decimal((published - computed) / computed * 100, 2)


def figure_discrepancy(
    *,
    period: str,
    check: str,
    rule_code: str,
    indicator: Indicator,
    published: Value,
    computed: Interval,
    computed_point: Fraction,
    arithmetic: str,
    details: tuple[str, ...] = (),
    operand_codes: tuple[str, ...] = (),
    label_suffix: str = "",
    implied_year: int | None = None,
) -> Discrepancy:
    sign = percent(indicator)
    absolute, relative = difference(
        published.point, computed_point, relative=indicator.kind != Indicator.Kind.RATE
    )
    return Discrepancy(
        period=period,
        check=check,
        rule_code=rule_code,
        indicator_code=indicator.code,
        appeal_count_id=None,
        group=translated(indicator.table, "title"),
        label=indicator_label(indicator) + label_suffix,
        published=published.text + sign,
        computed=show(computed_point) + sign,
        computed_low=to_decimal(computed.lo, 4),
        computed_high=to_decimal(computed.hi, 4),
        arithmetic=arithmetic,
        difference=absolute,
        relative_difference=relative,
        unit=figure_unit(indicator),
        details=details,
        operand_codes=operand_codes,
        implied_year=implied_year,
        sort_key=(FIGURES, *indicator_sort_key(indicator), PERIOD_ORDER[period], check, rule_code),
    )


def structure_problem(rule: CheckRule, operands: list[CheckOperand]) -> str | None:
    """Why a rule cannot be evaluated as it is kept, or None."""
    roles = [op.role for op in operands]
    if rule.kind == Kind.SUM and (not roles or set(roles) != {Role.PART}):
        return _("a sum needs one or more parts and nothing else")
    if rule.kind == Kind.SHARE and sorted(roles) != [Role.DENOMINATOR, Role.PART]:
        return _("a share needs one part and one denominator")
    if rule.kind == Kind.RATIO and sorted(roles) != [Role.DENOMINATOR, Role.NUMERATOR]:
        return _("a rate needs one numerator and one denominator")
    if rule.kind == Kind.WEIGHTED_AVERAGE:
        values = sorted(op.order for op in operands if op.role == Role.VALUE)
        weights = sorted(op.order for op in operands if op.role == Role.WEIGHT)
        if not values or values != weights or len(values) != len(operands) / 2:
            return _("a weighted average needs values and weights in pairs of the same order")
    if rule.kind in {Kind.RECORD_COUNT, Kind.RANKING} and operands:
        return _("this kind of rule has no operands")
    return None


def operand_code(operand: CheckOperand) -> str:
    return operand.indicator.code if operand.indicator_id else "population"


def operand_name(operand: CheckOperand) -> str:
    return operand.indicator.code if operand.indicator_id else _("the resident population")


ValueSource = Callable[[CheckOperand | Indicator], "Value | str"]


def evaluate_arithmetic(
    rule: CheckRule,
    operands: list[CheckOperand],
    values: ValueSource,
    period: str,
    findings: Findings,
    label_suffix: str = "",
    implied_year: int | None = None,
) -> None:
    """Check one sum, share, rate or weighted average on the values given (`implied_year`: the
    year they were worked back to from the printed changes, when they are not printed)."""
    target = values(rule.target)
    if isinstance(target, str):
        findings.skip(period, rule.code, rule.target.code, f"{rule.target.code} {target}")
        return
    given = {}
    for operand in operands:
        value = values(operand)
        if isinstance(value, str):
            findings.skip(period, rule.code, rule.target.code, f"{operand_name(operand)} {value}")
            return
        given[operand] = value

    def by_role(role):
        return [given[op] for op in sorted(operands, key=lambda o: o.order) if op.role == role]

    if rule.kind == Kind.SUM:
        parts = by_role(Role.PART)
        computed = total([p.interval for p in parts])
        point = sum((p.point for p in parts), Fraction(0))
        arithmetic = " + ".join(p.text for p in parts) + f" = {show(point)}"
    elif rule.kind in {Kind.SHARE, Kind.RATIO}:
        [numerator] = by_role(Role.PART if rule.kind == Kind.SHARE else Role.NUMERATOR)
        [denominator] = by_role(Role.DENOMINATOR)
        ratio = quotient(numerator.interval, denominator.interval)
        if ratio is None or denominator.point == 0:
            findings.skip(period, rule.code, rule.target.code, _("the denominator may be 0"))
            return
        computed = ratio.scaled(rule.scale)
        point = numerator.point / denominator.point * rule.scale
        arithmetic = f"{numerator.text} ÷ {denominator.text}"
        if rule.scale == 100:
            arithmetic += f" = {show(point)}%"
        else:
            arithmetic += (
                f" × {format_number(rule.scale)}" if rule.scale != 1 else ""
            ) + f" = {show(point)}"
    else:
        averaged, weights = by_role(Role.VALUE), by_role(Role.WEIGHT)
        computed = weighted_mean([v.interval for v in averaged], [w.interval for w in weights])
        weight_sum = sum((w.point for w in weights), Fraction(0))
        if computed is None or weight_sum == 0:
            findings.skip(period, rule.code, rule.target.code, _("the weights add up to 0"))
            return
        point = (
            sum((v.point * w.point for v, w in zip(averaged, weights, strict=True))) / weight_sum
        )
        products = " + ".join(
            f"{v.text} × {w.text}" for v, w in zip(averaged, weights, strict=True)
        )
        arithmetic = f"({products}) ÷ {show(weight_sum)} = {show(point)}"
        if rule.target.kind == Indicator.Kind.RATE:
            arithmetic += "%"

    findings.checks_made += 1
    if target.interval.overlaps(computed):
        return
    derivations = [v.derivation for v in [target, *given.values()] if v.derivation]
    findings.discrepancies.append(
        figure_discrepancy(
            period=period,
            check=rule.kind,
            rule_code=rule.code,
            indicator=rule.target,
            published=target,
            computed=computed,
            computed_point=point,
            arithmetic=arithmetic,
            details=tuple(derivations),
            operand_codes=tuple(operand_code(op) for op in operands),
            label_suffix=label_suffix,
            implied_year=implied_year,
        )
    )


def evaluate_record_count(rule: CheckRule, data, findings: Findings) -> None:
    source = CheckRule.RecordSource(rule.record_source)
    records = data.records.get(rule.record_source)
    target = figure_value(data.figures.get(rule.target.code))
    if not records:
        reason = _("nothing stored: %(source)s") % {"source": source.label}
        findings.skip(Period.CURRENT, rule.code, rule.target.code, reason)
        return
    if isinstance(target, str):
        findings.skip(Period.CURRENT, rule.code, rule.target.code, f"{rule.target.code} {target}")
        return
    findings.checks_made += 1
    computed = Interval.exact(records)
    if target.interval.overlaps(computed):
        return
    findings.discrepancies.append(
        figure_discrepancy(
            period=Period.CURRENT,
            check=rule.kind,
            rule_code=rule.code,
            indicator=rule.target,
            published=target,
            computed=computed,
            computed_point=Fraction(records),
            arithmetic=f"{source.label} = {format_number(records)}",
        )
    )


def ranking_title(rule: CheckRule) -> str:
    return _("TOP5: %(type)s by %(dimension)s") % {
        "type": AppealCount.AppealType(rule.appeal_type).label,
        "dimension": CheckRule.Dimension(rule.dimension).label.lower(),
    }


def row_discrepancy(
    rule: CheckRule,
    index: int,
    row: AppealCount,
    *,
    check: str,
    published: Fraction,
    published_text: str,
    computed: Interval,
    computed_point: Fraction,
    arithmetic: str,
    is_share: bool,
) -> Discrepancy:
    absolute, relative = difference(published, computed_point, relative=not is_share)
    sign = "%" if is_share else ""
    return Discrepancy(
        period=Period.CURRENT,
        check=check,
        rule_code=rule.code,
        indicator_code=None,
        appeal_count_id=row.pk,
        group=ranking_title(rule),
        label=str(row.subject),
        published=published_text + sign,
        computed=show(computed_point) + sign,
        computed_low=to_decimal(computed.lo, 4),
        computed_high=to_decimal(computed.hi, 4),
        arithmetic=arithmetic,
        difference=absolute,
        relative_difference=relative,
        unit=_("points") if is_share else _("cases"),
        operand_codes=(rule.share_of.code,) if is_share and rule.share_of_id else (),
        sort_key=(RANKINGS, rule.code, index, check),
    )


def share_interval(row: AppealCount) -> Interval:
    return Interval.printed(row.published_share, row.share_decimals).clamp(0, 100)


def evaluate_ranking(rule: CheckRule, data, findings: Findings) -> None:
    dimension = f"{rule.dimension}_id"
    rows = [
        row
        for row in data.appeal_counts
        if row.appeal_type == rule.appeal_type and getattr(row, dimension) is not None
    ]
    if not rows:
        findings.skip(Period.CURRENT, rule.code, None, _("no ranked rows are stored"))
        return
    shared = [row for row in rows if row.published_share is not None]
    if shared and rule.share_of_id:
        base = figure_value(data.figures.get(rule.share_of.code))
        if isinstance(base, str) or base.point == 0:
            reason = f"{rule.share_of.code} {base if isinstance(base, str) else 0}"
            findings.skip(Period.CURRENT, rule.code, None, reason)
        else:
            for index, row in enumerate(rows):
                if row.published_share is None:
                    continue
                findings.checks_made += 1
                computed = quotient(Interval.exact(row.count), base.interval).scaled(100)
                if share_interval(row).overlaps(computed):
                    continue
                point = Fraction(row.count) / base.point * 100
                findings.discrepancies.append(
                    row_discrepancy(
                        rule,
                        index,
                        row,
                        check=Kind.SHARE,
                        published=Fraction(row.published_share),
                        published_text=str(row.printed_share),
                        computed=computed,
                        computed_point=point,
                        arithmetic=f"{format_number(row.count)} ÷ {base.text} = {show(point)}%",
                        is_share=True,
                    )
                )
    # The rows are ranked by count; a printed share must not rank them otherwise.
    for index, (upper, lower) in enumerate(pairwise(shared), start=1):
        if upper.count == lower.count:
            continue
        findings.checks_made += 1
        if share_interval(lower).lo < share_interval(upper).hi:
            continue
        findings.discrepancies.append(
            row_discrepancy(
                rule,
                index,
                lower,
                check="ranking_order",
                published=Fraction(lower.published_share),
                published_text=str(lower.printed_share),
                computed=share_interval(upper),
                computed_point=Fraction(upper.published_share),
                arithmetic=_(
                    "%(lower)s (%(lower_count)s) has fewer appeals than %(upper)s "
                    "(%(upper_count)s) but a larger share: %(lower_share)s%% > %(upper_share)s%%"
                )
                % {
                    "lower": lower.subject,
                    "lower_count": format_number(lower.count),
                    "upper": upper.subject,
                    "upper_count": format_number(upper.count),
                    "lower_share": lower.printed_share,
                    "upper_share": upper.printed_share,
                },
                is_share=True,
            )
        )
    if rule.check_type_split:
        evaluate_type_split(rule, rows, data, findings)


def evaluate_type_split(rule: CheckRule, rows, data, findings: Findings) -> None:
    """all = consultation + non-consultation, for a category ranked in all three."""
    Type = AppealCount.AppealType
    by_type = {
        (row.appeal_type, row.category_id): row
        for row in data.appeal_counts
        if row.category_id is not None
    }
    for index, row in enumerate(rows):
        consultation = by_type.get((Type.CONSULTATION, row.category_id))
        other = by_type.get((Type.NON_CONSULTATION, row.category_id))
        if consultation is None or other is None:
            missing = Type.CONSULTATION if consultation is None else Type.NON_CONSULTATION
            reason = _("%(category)s is not ranked among %(type)s appeals") % {
                "category": row.subject,
                "type": missing.label,
            }
            findings.skip(Period.CURRENT, rule.code, None, reason)
            continue
        findings.checks_made += 1
        parts = consultation.count + other.count
        if parts == row.count:
            continue
        findings.discrepancies.append(
            row_discrepancy(
                rule,
                index,
                row,
                check="type_split",
                published=Fraction(row.count),
                published_text=format_number(row.count),
                computed=Interval.exact(parts),
                computed_point=Fraction(parts),
                arithmetic=" + ".join(format_number(n) for n in (consultation.count, other.count))
                + f" = {format_number(parts)}",
                is_share=False,
            )
        )
