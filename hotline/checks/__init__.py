"""Figure checks: every published figure that disagrees with its own parts or with last year.

    result = check_report(report, drafts=False)
    result.discrepancies        # every Discrepancy, in the order of the printed report
    result.by_figure["calls.total.avg_talk_s"]
    result.by_appeal_count[appeal_count.pk]
    result.not_checked          # rules skipped, and why ("—" is never taken as 0)

The rules are data (CheckRule, fixtures/checks.yaml); this package evaluates them.
"""

from fractions import Fraction

from django.core.cache import cache
from django.utils.translation import gettext as _

from hotline.caching import KEPT_SECONDS, kept_for_report, report_keys
from hotline.models import AnnualReport, CheckOperand, CheckRule, Indicator
from hotline.numbers import format_number

from .data import ReportData, Value, figure_value, last_year_among, last_years
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

__all__ = ["CheckResult", "Discrepancy", "NotChecked", "Period", "check_report", "check_reports"]

Kind = CheckRule.Kind


def check_report(report: AnnualReport, *, drafts: bool, among=None) -> CheckResult:
    """Check every active rule, and every published change, of one report.

    `drafts` says whether last year's report may be a draft: never for what the public sees
    (hotline.roles.sees_drafts decides), so that a draft's figures cannot leak through a
    check; staff screens compare with it and say so (`CheckResult.prior_report.status`).

    What the public sees is a function of published data and the rules, so its result is
    computed once per version of them and kept (hotline.caching.kept_for_report). So is what
    staff see of a published report whose last year is published too, or absent: it reads
    nothing else, and staff signed in read every page uncached. Anything that reads a draft is
    computed afresh, since a draft's edits move no version.

    `among`: the city's reports as one who sees drafts sees them, when read already (a
    report's page), in which to find last year's rather than by a query.
    """
    if not report.is_published or (drafts and _last_year_is_a_draft(report, among)):
        return _check_report(report, drafts=drafts)
    return kept_for_report("checks", report, lambda: _check_report(report, drafts=False))


def check_reports(reports: list[AnnualReport]) -> dict[int, CheckResult]:
    """The public results of several published reports (a province's cities), by report pk:
    each the one check_report keeps, those not yet kept computed together, so that the queries
    are as many for thirteen reports as for one."""
    keys = dict(zip((r.pk for r in reports), report_keys("checks", reports), strict=True))
    found = cache.get_many(list(keys.values()))
    results = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [r for r in reports if r.pk not in results]
    for data in ReportData.load_many(missing, drafts=False):
        result = results[data.report.pk] = _evaluate(data)
        cache.set(keys[data.report.pk], result, KEPT_SECONDS)
    return results


def _last_year_is_a_draft(report: AnnualReport, among=None) -> bool:
    if among is None:
        prior = last_years([report], drafts=True)[report.pk]
    else:
        prior = last_year_among(report, among)
    return prior is not None and not prior.is_published


def _check_report(report: AnnualReport, *, drafts: bool) -> CheckResult:
    return _evaluate(ReportData.load(report, drafts=drafts))


def _evaluate(data: ReportData) -> CheckResult:
    report = data.report
    findings = Findings()

    def values(item: CheckOperand | Indicator) -> Value | str:
        if isinstance(item, CheckOperand) and item.source == CheckOperand.Source.POPULATION:
            if not report.population:
                return _("is not stored")
            population = report.population
            return Value(
                Interval.exact(population), Fraction(population), format_number(population)
            )
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
