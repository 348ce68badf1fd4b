"""The published 2023 Huai'an report has real discrepancies: the checks find exactly those."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.utils import translation

from hotline.checks import Period, check_report
from hotline.checks.rules import structure_problem
from hotline.models import AnnualReport, CheckOperand, CheckRule, Indicator, ReportEvent
from hotline.services.reports import report_publish, report_reopen

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """These tests read the engine's words; the language of the words is tested elsewhere."""
    with translation.override("en"):
        yield


CURRENT, YOY = Period.CURRENT, Period.YEAR_ON_YEAR

# Worked out by hand from fixtures/seed/huaian-12345-2023-annual-report.txt. 2022 is not stored,
# so each published change implies a 2022 value: v ÷ (1 + change) for counts and durations.
EXPECTED = {
    # 话务: the total talk time 292 = 203 + 89 is the sum of the two averages; weighted by the
    # calls handled it is (203 × 1421313 + 89 × 155517) ÷ 1576830 = 191.76 (191.26–192.76
    # for every reading of 203 and 89), far from 292.
    (CURRENT, "weighted_average", "calls.total.avg_talk_s", "292", "191.76"),
    # TOP5 非咨询类: 住房保障 128080 ÷ 754502 = 16.98%, printed 16.01% (16.005–16.02).
    (CURRENT, "share", "top5.categories.non_consultation", "16.01%", "16.98%"),
    # TOP5 总计: 民生保障 455426, but 302015 (咨询类) + 153544 (非咨询类) = 455559.
    (CURRENT, "type_split", "top5.categories.all", "455,426", "455,559"),
    # 企业诉求 · 承办转办: 1 case ↑100% implies 1 ÷ 2 = 0.5 cases in 2022 (0.4975–0.50125 for
    # ↑99.5–101%): no whole number, a change from a prior of zero.
    (YOY, "implied_prior", "", "+100%", "0.50"),
    # 群众诉求 2022: phone 1404566 ÷ 0.9047 = 1552521.28, internet 19209 ÷ 0.7855 = 24454.49,
    # transferred 14971 ÷ 3.40 = 4403.24; together 1581379.00 (1581280–1581558 for every
    # reading of the printed changes), but the total 1438746 ÷ 0.9123 = 1577053.60
    # (1576968–1577226): about 4300 short. By handling, 800468 + 13251 + 763377 = 1577096 does
    # make the total, so the sources are what disagree (the ↑240% transferred in, likely).
    (YOY, "sum", "appeals.public.by_source", "1,577,053.60", "1,581,379.00"),
    # 总计 2022, the same: 1416512 ÷ 0.9053 + 19215 ÷ 0.7324 + 14972 ÷ 3.40 = 1595327.14
    # (1595227–1595509), but 1450699 ÷ 0.9119 = 1590853.16 (1590766–1591027).
    (YOY, "sum", "appeals.total.by_source", "1,590,853.16", "1,595,327.14"),
    # 政风热线 2022: answered on air 232 ÷ 1.2147 = 190.99 + supervised 237 ÷ 2.6629 = 89.00 =
    # 279.99 (whole cases: 191 + 89 = 280), but the appeals received 469 ÷ 0.9269 = 505.99 (506).
    (YOY, "sum", "livestream.broadcast_appeals", "505.99", "279.99"),
    # 话务 2022: the total talk time 292 ÷ 0.7624 = 383.00, the rows 203 ÷ 0.8788 = 231.00 and
    # 89 ÷ 0.579 = 153.71 over 1517686 and 60133 calls: weighted 228.05. 2022 made the same
    # mistake (231.00 + 153.71 = 384.71, within the 382.3–384.4 that 383.00 stands for).
    (YOY, "weighted_average", "calls.total.avg_talk_s", "383.00", "228.05"),
}


def summary(d):
    return (d.period, d.check, d.rule_code, d.published, d.computed)


def test_the_2023_report_has_exactly_its_real_discrepancies(report_2023):
    result = check_report(report_2023, drafts=False)
    assert result.prior_report is None
    assert {summary(d) for d in result.discrepancies} == EXPECTED
    assert len(result.discrepancies) == len(EXPECTED)
    transfer = result.by_figure["appeals.enterprise.source_transfer"]
    assert [d.check for d in transfer] == ["implied_prior"]


def test_the_2023_report_makes_exactly_its_checks(report_2023):
    result = check_report(report_2023, drafts=False)
    # 44 sums, rates and weighted averages (2023's, and 2022's implied by the changes)
    # + 2 counts of records + 27 ranked shares and orders + 4 type splits
    # + 54 values of 2022 implied by a published change.
    assert result.checks_made == 131
    periods = [n.period for n in result.not_checked]
    assert (periods.count(CURRENT), periods.count(YOY)) == (14, 13)


def test_figures_that_are_right_only_as_printed_are_not_flagged(report_2023):
    result = check_report(report_2023, drafts=False)
    flagged = set(result.by_figure)
    # 2.10 is within every reading of 1.94 and 3.49 weighted by the calls (2.088–2.103).
    # 30.90 is 603032 ÷ 1951197 = 30.906% cut; 100% is 145 ÷ 145.
    for code in [
        "calls.total.share_over_10min",
        "effectiveness.total.evaluation_rate",
        "qa_desk.total.conversion_rate",
        "data_sharing.total.records",
        "standards.total",
        "appeals.public.answered_by_agent",
        "calls.total.calls_handled",
    ]:
        assert code not in flagged, code
    # Shares cut rather than rounded: 31365 ÷ 696197 = 4.5052% printed 4.50, 72635 ÷ 754502 =
    # 9.6269% printed 9.62, 177955 ÷ 1450699 = 12.2668% printed 12.26.
    ranked = {d.label for d in result.discrepancies if d.appeal_count_id}
    assert ranked == {"住房保障", "民生保障"}


def test_parts_not_reported_are_listed_as_not_checked(report_2023):
    skipped = {(n.period, n.rule_code) for n in check_report(report_2023, drafts=False).not_checked}
    assert (CURRENT, "knowledge.total.units") in skipped  # counties printed "—"
    assert (CURRENT, "livestream.episodes.stored") in skipped  # no episodes stored
    assert (CURRENT, "team.citywide.seats_per_100k") in skipped  # no population
    assert (YOY, "calls.total.share_over_10min") in skipped  # the total printed no change


def test_with_the_population_the_seats_per_100000_are_checked(report_2023):
    with f.as_drafts(report_2023):
        AnnualReport.private_objects.filter(pk=report_2023.pk).update(population=4556230)
    report_2023.refresh_from_db()
    assert "team.citywide.seats_per_100k" not in check_report(report_2023, drafts=False).by_figure
    with f.as_drafts(report_2023):
        AnnualReport.private_objects.filter(pk=report_2023.pk).update(population=3000000)
    report_2023.refresh_from_db()
    [discrepancy] = check_report(report_2023, drafts=False).by_figure[
        "team.citywide.seats_per_100k"
    ]
    assert discrepancy.arithmetic == "252 ÷ 3,000,000 × 100,000 = 8.40"


# The command -----------------------------------------------------------------------------------


def run(*args):
    out = StringIO()
    try:
        call_command("check_figures", *args, stdout=out, no_color=True)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


def test_the_command_prints_each_discrepancy_with_its_arithmetic_and_exits_1():
    status, output = run("huaian", "2023")
    assert status == 1
    for line in [
        "Calls",
        "(203 × 1,421,313 + 89 × 155,517) ÷ 1,576,830 = 191.76",
        "The rows' average weighted by their counts is 191.76; the report prints 292, 100.24 s "
        "apart.",
        "128,080 ÷ 754,502 = 16.98%",
        "302,015 + 153,544 = 455,559",
        "1 ÷ (1 + 100%) = 0.50 last year (2022): not a whole number",
        "Public appeals · Source · Transferred in: 14,971 ÷ (1 + 240%) = 4,403.24",
        "190.99 + 89.00 = 279.99",
        "8 discrepancies (3 current year, 5 year on year)",
    ]:
        assert line in output, line
    # Grouped by table, in the order of the printed report.
    assert output.index("Appeals handled") < output.index("Calls") < output.index("Live broadcast")


def test_the_command_speaks_chinese_by_default():
    with translation.override("zh-hans"):
        status, output = run("huaian", "2023")
    assert status == 1
    assert output.index("诉求办理") < output.index("话务") < output.index("政风热线")
    assert "各行按数量加权的平均值为 191.76，与印发的 292 相差 100.24 秒。" in output
    # 2022 is worked back, never printed: never called 印发.
    assert "而本项倒推为 1,577,053.60，相差 4,325.40 件" in output
    assert "印发 1577053.60" not in output and "印发 1,577,053.60" not in output
    assert "8 处不一致（本年 3，同比 5）" in output


def test_the_command_exits_0_for_a_report_without_discrepancies():
    status, output = run(f.report(2023).region.slug, "2023")
    assert status == 0
    assert "0 discrepancies" in output


def test_the_command_exits_2_for_an_unknown_city_or_year():
    for args in [("huaian", "1999"), ("atlantis", "2023")]:
        with pytest.raises(CommandError) as error:
            call_command("check_figures", *args)
        assert error.value.returncode == 2


def test_verbose_output_lists_what_was_not_checked():
    _, output = run("huaian", "2023", "--verbosity", "2")
    assert "knowledge.total.units: knowledge.county.units not reported" in output


# Publishing ------------------------------------------------------------------------------------


def test_a_report_with_discrepancies_is_published_only_with_a_reason(report_2023, reviewer_user):
    report_reopen(report=report_2023, by=reviewer_user, reason="核对数字")
    with pytest.raises(ValidationError) as error:
        report_publish(report=report_2023, by=reviewer_user)
    assert "8 figure checks find discrepancies" in str(error.value)
    report_2023.refresh_from_db()
    assert report_2023.status == AnnualReport.Status.DRAFT
    report_publish(report=report_2023, by=reviewer_user, reason="  按印发原文发布，差异已加脚注  ")
    report_2023.refresh_from_db()
    assert report_2023.status == AnnualReport.Status.PUBLISHED
    # by=None: the publication recorded when the fixtures were loaded
    event = ReportEvent.objects.get(report=report_2023, action="publish", by__isnull=False)
    assert event.reason == "按印发原文发布，差异已加脚注"


def test_a_step_out_of_order_is_refused_before_the_figures_are_checked(report_2023, reviewer_user):
    with pytest.raises(ValidationError) as error:
        report_publish(report=report_2023, by=reviewer_user)
    assert "cannot be" in str(error.value)


# The rules themselves --------------------------------------------------------------------------


def test_every_rule_of_the_fixtures_is_valid_and_can_be_evaluated():
    rules = CheckRule.objects.prefetch_related("operands")
    assert rules.count() >= 40
    kinds = set(rules.values_list("kind", flat=True))
    assert kinds == {"sum", "ratio", "weighted_average", "record_count", "ranking"}
    for rule in rules:
        rule.full_clean()
        operands = list(rule.operands.all())
        for operand in operands:
            operand.full_clean()
        assert structure_problem(rule, operands) is None, rule.code


def test_every_sum_of_the_appeals_table_is_a_rule():
    sums = CheckRule.objects.filter(kind="sum", target__table__code="appeals")
    assert sums.count() == 3 * 2 + 7 + 1  # two per row, one per column, one by type


def test_make_setup_loads_the_rules_into_a_database_set_up_before_them():
    CheckOperand.objects.all().delete()
    CheckRule.objects.all().delete()
    out = StringIO()
    call_command("load_fixtures", stdout=out, verbosity=0)
    assert "Loaded the figure-check rules." in out.getvalue()
    assert CheckRule.objects.filter(code="calls.total.avg_talk_s").exists()
    call_command("load_fixtures", stdout=out, verbosity=0)
    assert "nothing changed" in out.getvalue()


def bad_rule(**fields):
    indicator = Indicator.objects.get(code="appeals.public.total")
    return {"code": "bad", "kind": "sum", "target": indicator, **fields}


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "ranking", "appeal_type": "all", "dimension": "category"},  # with a target
        {"scale": 100},  # a sum has no scale
        {"scale": 0, "kind": "ratio"},
        {"kind": "record_count"},  # counts nothing
        {"record_source": "episodes"},  # a sum that counts records
        {"appeal_type": "all"},  # a sum that ranks
        {
            "kind": "ranking",
            "target": None,
            "appeal_type": "consultation",
            "dimension": "category",
            "check_type_split": True,
        },
    ],
)
def test_a_rule_that_can_never_be_right_is_refused_by_the_database(fields):
    with transaction.atomic(), pytest.raises(IntegrityError):
        CheckRule.objects.create(**bad_rule(**fields))


def test_an_operand_is_a_figure_or_the_population_as_a_denominator():
    rule = CheckRule.objects.get(code="team.citywide.seats_per_100k")
    indicator = Indicator.objects.get(code="team.citywide.staff")
    for fields in [
        {"role": "part", "source": "population"},
        {"role": "denominator", "source": "figure"},  # no indicator
        {"role": "numerator", "source": "population", "indicator": indicator},
    ]:
        with transaction.atomic(), pytest.raises(IntegrityError):
            CheckOperand.objects.create(rule=rule, order=9, **fields)
