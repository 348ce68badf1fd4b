"""What a check reads (hotline.checks.data.ReportData), from queries compiled once: the same
rules, operands, figures, ranked counts and record totals as the ORM reads, for any report."""

import pytest
from django.db.models import Prefetch

from hotline.checks import check_report
from hotline.checks.data import RECORD_SOURCES, ReportData
from hotline.models import (
    AnnualReport,
    AppealCount,
    CheckOperand,
    CheckRule,
    Figure,
)

from .factories import episode, make_report, sharing_request

pytestmark = pytest.mark.django_db


def _rules_through_the_orm():
    operands = CheckOperand.objects.select_related("indicator__table__section")
    rules = CheckRule.objects.active().prefetch_related(Prefetch("operands", queryset=operands))
    return [
        (
            rule.code,
            rule.target.code if rule.target else None,
            rule.share_of.code if rule.share_of else None,
            [
                (o.role, o.order, o.source, o.indicator.code if o.indicator else None)
                for o in rule.operands.all()
            ],
        )
        for rule in rules.select_related("target", "share_of")
    ]


def _read(report) -> tuple:
    data = ReportData.load(report, drafts=True)
    rules = [
        (
            rule.code,
            rule.target.code if rule.target else None,
            rule.share_of.code if rule.share_of else None,
            [
                (o.role, o.order, o.source, o.indicator.code if o.indicator else None)
                for o in rule.operands.all()
            ],
        )
        for rule in data.rules
    ]
    figures = {
        code: (f.pk, f.value, f.decimals, f.change, f.indicator.table.section.code)
        for code, f in data.figures.items()
    }
    counts = [(c.pk, c.department_id, c.category_id) for c in data.appeal_counts]
    return rules, figures, counts, data.records


def _orm(report) -> tuple:
    figures = {
        f.indicator.code: (f.pk, f.value, f.decimals, f.change, f.indicator.table.section.code)
        for f in Figure.private_objects.filter(report=report).select_related(
            "indicator__table__section"
        )
    }
    counts = [
        (c.pk, c.department_id, c.category_id)
        for c in AppealCount.private_objects.filter(report=report).ranked()
    ]
    records = {}
    for source, (model, expression) in RECORD_SOURCES.items():
        rows = model._default_manager.filter(report=report)
        # None where nothing is stored (a count of nothing is not a published 0).
        records[str(source)] = rows.aggregate(total=expression)["total"] if rows else None
    return _rules_through_the_orm(), figures, counts, records


def test_each_report_reads_what_the_orm_reads(report_2023):
    made_up = make_report(year=2022)
    sharing_request(made_up, 1, 40)
    sharing_request(made_up, 2, 2)
    episode(made_up, 1, received=7)
    empty = make_report(year=2021)
    for report in (report_2023, made_up, empty, report_2023):  # compiled, then reused
        assert _read(report) == _orm(report)
    rules, figures, counts, _totals = _read(report_2023)
    assert rules and figures and counts
    assert _read(made_up)[3]["sharing_records"] == 42
    assert _read(made_up)[3]["episodes"] == 1
    assert set(_read(empty)[3].values()) == {None}  # nothing stored is not zero


def test_a_rule_switched_off_is_no_longer_read(report_2023):
    rule = CheckRule.objects.active().first()
    rule.active = False
    rule.save()
    assert rule.code not in [code for code, *_rest in _read(report_2023)[0]]
    assert _read(report_2023) == _orm(report_2023)


def test_a_check_once_compiled_builds_only_last_years_query(report_2023, compiled):
    """Building the rules', figures', counts' and totals' queries through the ORM was most of
    a check that may read a draft, which staff pages run on every render."""
    first = check_report(report_2023, drafts=True)
    compiled["read"].clear()
    again = check_report(report_2023, drafts=True)
    assert compiled["read"] == [AnnualReport]  # which report is last year's: drafts or not
    assert again.as_dict() == first.as_dict()
