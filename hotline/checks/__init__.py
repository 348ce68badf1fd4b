"""Figure checks: every published figure that disagrees with its own parts or with last year.

    result = check_report(report)
    result.discrepancies        # every Discrepancy, in the order of the printed report
    result.by_figure["calls.total.avg_talk_s"]
    result.by_appeal_count[appeal_count.pk]
    result.not_checked          # rules skipped, and why ("—" is never taken as 0)

The rules are data (CheckRule, fixtures/checks.yaml); this package evaluates them.
"""

from fractions import Fraction

from django.utils.translation import gettext as _

from hotline.models import AnnualReport, CheckOperand, CheckRule, Indicator

from .data import ReportData, Value, figure_value
from .intervals import Interval
from .results import CheckResult, Discrepancy, NotChecked, Period
from .rules import (
    Findings,
    evaluate_arithmetic,
    evaluate_ranking,
    evaluate_record_count,
    structure_problem,
)
from .yoy import check_against_prior, check_implied

__all__ = ["CheckResult", "Discrepancy", "NotChecked", "Period", "check_report"]

Kind = CheckRule.Kind


def check_report(report: AnnualReport) -> CheckResult:
    """Check every active rule, and every published change, of one report."""
    data = ReportData.load(report)
    findings = Findings()

    def values(item: CheckOperand | Indicator) -> Value | str:
        if isinstance(item, CheckOperand) and item.source == CheckOperand.Source.POPULATION:
            if not report.population:
                return _("is not stored")
            population = report.population
            return Value(Interval.exact(population), Fraction(population), str(population))
        indicator = item if isinstance(item, Indicator) else item.indicator
        return figure_value(data.figures.get(indicator.code))

    valid_rules = []
    for rule in data.rules:
        operands = list(rule.operands.all())
        problem = structure_problem(rule, operands)
        if problem:
            target = rule.target.code if rule.target_id else None
            findings.skip(Period.CURRENT, rule.code, target, problem)
            continue
        valid_rules.append(rule)
        if rule.kind == Kind.RECORD_COUNT:
            evaluate_record_count(rule, data, findings)
        elif rule.kind == Kind.RANKING:
            evaluate_ranking(rule, data, findings)
        else:
            evaluate_arithmetic(rule, operands, values, Period.CURRENT, findings)

    data.rules = valid_rules
    if data.prior_report is not None:
        check_against_prior(data, findings)
    else:
        check_implied(data, findings)
    return CheckResult(
        report=report,
        prior_report=data.prior_report,
        discrepancies=findings.discrepancies,
        not_checked=findings.not_checked,
        checks_made=findings.checks_made,
    )
