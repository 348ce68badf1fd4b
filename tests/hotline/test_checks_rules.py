"""Each kind of rule on a small made-up report: it catches a wrong figure and accepts a right one
at the edge of the rounding tolerance. Then year on year, and the cost in queries."""

import pytest
from django.utils import translation

from hotline.checks import Period, check_report
from hotline.models import AnnualReport, CheckOperand, CheckRule, Indicator

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """These tests read the engine's words; the language of the words is tested elsewhere."""
    with translation.override("en"):
        yield


Kind, Role = CheckRule.Kind, CheckOperand.Role
RATE, DURATION = Indicator.Kind.RATE, Indicator.Kind.DURATION


def found(report, rule_code=None, period=Period.CURRENT):
    """What a reviewer's screens show: last year's report compared with even as a draft."""
    return [
        d
        for d in check_report(report, drafts=True).discrepancies
        if d.period == period and (rule_code is None or d.rule_code == rule_code)
    ]


def flagged(report, rule_code, period=Period.CURRENT):
    return bool(found(report, rule_code, period))


def set_value(report, indicator, value):
    figure = report.figures.get(indicator=indicator)
    figure.value = value
    figure.save()


# Sums ------------------------------------------------------------------------------------------


def test_a_sum_of_counts_is_exact():
    report = f.report()
    table = f.table()
    total, a, b = (f.indicator(code, in_table=table) for code in ("t.total", "t.a", "t.b"))
    f.rule("t.sum", Kind.SUM, total, [(Role.PART, a, 1), (Role.PART, b, 2)])
    f.figure(report, a, 2)
    f.figure(report, b, 3)
    f.figure(report, total, 5)
    assert not flagged(report, "t.sum")
    set_value(report, total, 6)
    [discrepancy] = found(report, "t.sum")
    assert (discrepancy.published, discrepancy.computed) == ("6", "5")
    assert discrepancy.arithmetic == "2 + 3 = 5"
    assert discrepancy.off_by == "+1 件 (+20.00%)"
    assert discrepancy.indicator_code == "t.total" and discrepancy.operand_codes == ("t.a", "t.b")


def test_a_sum_of_printed_decimals_allows_their_rounding():
    report = f.report()
    table = f.table()
    total, a, b = (
        f.indicator(code, kind=DURATION, in_table=table) for code in ("d.total", "d.a", "d.b")
    )
    f.rule("d.sum", Kind.SUM, total, [(Role.PART, a, 1), (Role.PART, b, 2)])
    f.figure(report, a, "0.1", decimals=1)
    f.figure(report, b, "0.1", decimals=1)
    # Each 0.1 may be up to 0.1999 cut: 0.19 + 0.19 = 0.38, which prints 0.4.
    f.figure(report, total, "0.4", decimals=1)
    assert not flagged(report, "d.sum")
    set_value(report, total, "0.5")  # at least 0.45; the parts make less than 0.4
    assert flagged(report, "d.sum")


def test_a_part_not_reported_is_not_checked_and_never_counted_as_0():
    report = f.report()
    table = f.table()
    total, a, b = (f.indicator(code, in_table=table) for code in ("n.total", "n.a", "n.b"))
    f.rule("n.sum", Kind.SUM, total, [(Role.PART, a, 1), (Role.PART, b, 2)])
    f.figure(report, a, 5)
    f.figure(report, b)  # "—"
    f.figure(report, total, 5)
    result = check_report(report, drafts=False)
    assert not result.discrepancies
    [skipped] = [
        n for n in result.not_checked if n.rule_code == "n.sum" and n.period == Period.CURRENT
    ]
    assert skipped.reason == "n.b not reported"


# Shares ----------------------------------------------------------------------------------------


def share_report(printed):
    report = f.report()
    table = f.table()
    share = f.indicator("s.share", kind=RATE, in_table=table)
    part, whole = f.indicator("s.part", in_table=table), f.indicator("s.total", in_table=table)
    f.quotient_rule("s.share", Kind.SHARE, share, part, whole)
    f.figure(report, part, 901)
    f.figure(report, whole, 20000)  # 901 ÷ 20000 = 4.505% exactly
    f.figure(report, share, printed, decimals=2)
    return report


@pytest.mark.parametrize("printed", ["4.50", "4.51"])
def test_a_share_may_be_cut_or_rounded_to_its_decimals(printed):
    assert not flagged(share_report(printed), "s.share")


@pytest.mark.parametrize("printed", ["4.49", "4.52"])
def test_a_share_beyond_its_decimals_is_a_discrepancy(printed):
    [discrepancy] = found(share_report(printed), "s.share")
    assert discrepancy.arithmetic == "901 ÷ 20,000 = 4.51%"
    assert discrepancy.computed == "4.51%" and discrepancy.unit == "points"
    assert discrepancy.relative_difference is None  # a rate is off in points


# Rates -----------------------------------------------------------------------------------------


def rate_report(printed):
    report = f.report()
    table = f.table()
    rate = f.indicator("r.rate", kind=RATE, in_table=table)
    asked, answered = f.indicator("r.asked", in_table=table), f.indicator("r.ans", in_table=table)
    f.quotient_rule("r.rate", Kind.RATIO, rate, answered, asked)
    f.figure(report, answered, 603032)
    f.figure(report, asked, 1951197)  # 30.9058%
    f.figure(report, rate, printed, decimals=2)
    return report


@pytest.mark.parametrize("printed", ["30.90", "30.91"])
def test_a_rate_may_be_cut_or_rounded(printed):
    assert not flagged(rate_report(printed), "r.rate")


@pytest.mark.parametrize("printed", ["30.89", "30.92"])
def test_a_rate_beyond_its_decimals_is_a_discrepancy(printed):
    [discrepancy] = found(rate_report(printed), "r.rate")
    assert discrepancy.arithmetic == "603,032 ÷ 1,951,197 = 30.91%"


def test_a_rate_per_100000_residents_uses_the_population():
    report = f.report(population=4556230)
    table = f.table()
    seats = f.indicator("p.seats", kind=Indicator.Kind.RATIO, in_table=table)
    staff = f.indicator("p.staff", in_table=table)
    f.quotient_rule("p.seats", Kind.RATIO, seats, staff, "population", scale=100000)
    f.figure(report, staff, 252)
    f.figure(report, seats, "5.53", decimals=2)  # 252 ÷ 4556230 × 100000 = 5.5309
    assert not flagged(report, "p.seats")
    set_value(report, seats, "5.55")
    [discrepancy] = found(report, "p.seats")
    assert discrepancy.arithmetic == "252 ÷ 4,556,230 × 100,000 = 5.53"
    AnnualReport.private_objects.filter(pk=report.pk).update(population=None)
    report.refresh_from_db()
    result = check_report(report, drafts=False)
    skipped = [(n.period, n.reason) for n in result.not_checked if n.rule_code == "p.seats"]
    assert (Period.CURRENT, "the resident population is not stored") in skipped


# Weighted averages -----------------------------------------------------------------------------


def average_report(printed_total):
    report = f.report()
    table = f.table()
    share = {row: f.indicator(f"w.{row}.share", kind=RATE, in_table=table) for row in "iot"}
    calls = {row: f.indicator(f"w.{row}.calls", in_table=table) for row in "io"}
    f.weighted_average_rule(
        "w.share", share["t"], [(share["i"], calls["i"]), (share["o"], calls["o"])]
    )
    f.figure(report, calls["i"], 1421313)
    f.figure(report, calls["o"], 155517)
    f.figure(report, share["i"], "1.94", decimals=2)
    f.figure(report, share["o"], "3.49", decimals=2)
    f.figure(report, share["t"], printed_total, decimals=2)
    return report


# 1.94 and 3.49 weighted by the calls make 2.093; every reading of them gives [2.088, 2.103).
# 2.10 stands for [2.095, 2.11) and 2.08 for [2.075, 2.09): both meet it at an edge.
@pytest.mark.parametrize("printed", ["2.10", "2.08"])
def test_a_weighted_average_allows_the_decimals_of_its_values(printed):
    assert not flagged(average_report(printed), "w.share")


# 2.11 stands for [2.105, 2.12) and 2.07 for [2.065, 2.08): neither meets [2.088, 2.103).
@pytest.mark.parametrize("printed", ["2.11", "2.07"])
def test_a_weighted_average_beyond_its_decimals_is_a_discrepancy(printed):
    [discrepancy] = found(average_report(printed), "w.share")
    assert discrepancy.arithmetic == "(1.94 × 1,421,313 + 3.49 × 155,517) ÷ 1,576,830 = 2.09%"


# Record counts ---------------------------------------------------------------------------------


def test_a_total_of_records_equals_the_records_stored():
    report = f.report()
    records = f.indicator("rc.records")
    f.rule("rc.records", Kind.RECORD_COUNT, records, record_source="sharing_records")
    f.figure(report, records, 300)
    result = check_report(report, drafts=False)
    assert [n.reason for n in result.not_checked if n.rule_code == "rc.records"] == [
        "nothing stored: Records shared, summed over data-sharing requests"
    ]
    f.sharing_request(report, 1, 100)
    f.sharing_request(report, 2, 200)
    assert not flagged(report, "rc.records")
    f.sharing_request(report, 3, 1)
    [discrepancy] = found(report, "rc.records")
    assert (discrepancy.published, discrepancy.computed) == ("300", "301")


def test_episodes_and_documents_are_counted_when_they_are_stored():
    report = f.report()
    episodes, documents = f.indicator("rc.episodes"), f.indicator("rc.documents")
    f.rule("rc.episodes", Kind.RECORD_COUNT, episodes, record_source="episodes")
    f.rule("rc.documents", Kind.RECORD_COUNT, documents, record_source="policy_documents")
    f.figure(report, episodes, 2)
    f.figure(report, documents, 1)
    assert not check_report(report, drafts=False).discrepancies  # none stored: skipped, not failed
    f.episode(report, 1)
    f.episode(report, 2)
    f.policy_document(report, 1)
    f.policy_document(report, 2)
    assert not flagged(report, "rc.episodes")
    assert flagged(report, "rc.documents")


# Rankings --------------------------------------------------------------------------------------


def ranking_report(housing_share="4.50"):
    report = f.report()
    total = f.indicator("k.total")
    f.figure(report, total, 20000)
    f.rule(
        "k.top",
        Kind.RANKING,
        appeal_type="all",
        dimension="category",
        share_of=total,
        check_type_split=True,
    )
    f.category_count(report, "livelihood", 2000, "10.00")
    f.category_count(report, "housing", 901, housing_share)  # 4.505%
    return report


@pytest.mark.parametrize("printed", ["4.50", "4.51"])
def test_ranked_shares_may_be_cut_or_rounded(printed):
    assert not flagged(ranking_report(printed), "k.top")


def test_a_ranked_share_that_does_not_match_its_count_is_a_discrepancy():
    report = ranking_report("4.52")
    [discrepancy] = found(report, "k.top")
    assert discrepancy.check == "share" and discrepancy.label == "住房保障"
    assert discrepancy.arithmetic == "901 ÷ 20,000 = 4.51%"
    assert discrepancy.appeal_count_id == report.appeal_counts.get(category__code="housing").pk
    assert discrepancy.indicator_code is None


def test_a_share_that_ranks_the_rows_otherwise_is_a_discrepancy():
    report = ranking_report()
    # Without a total, only the order can be checked: fewer appeals, a larger share.
    CheckRule.objects.filter(code="k.top").update(share_of=None)
    f.category_count(report, "transport", 800, "4.60")
    [discrepancy] = found(report, "k.top")
    assert discrepancy.check == "ranking_order" and discrepancy.label == "交通出行"


def test_all_appeals_of_a_category_are_its_consultation_and_other_appeals():
    report = ranking_report()
    f.category_count(report, "livelihood", 1500, appeal_type="consultation")
    f.category_count(report, "livelihood", 500, appeal_type="non_consultation")
    f.category_count(report, "housing", 900, appeal_type="consultation")
    f.category_count(report, "housing", 2, appeal_type="non_consultation")
    [discrepancy] = found(report, "k.top")
    assert discrepancy.check == "type_split" and discrepancy.label == "住房保障"
    assert discrepancy.arithmetic == "900 + 2 = 902"
    assert discrepancy.off_by == "-1 cases (-0.11%)"


# Year on year: last year's report stored -------------------------------------------------------


def two_years():
    region = f.city()
    return f.report(2022, region=region), f.report(2023, region=region)


def test_the_public_is_never_compared_with_last_years_draft():
    last, this = two_years()
    count = f.indicator("y.count")
    f.figure(last, count, 3)
    f.figure(this, count, 4, change="50")
    staff = check_report(this, drafts=True)
    assert staff.prior_report == last and staff.as_dict()["prior_report_status"] == "draft"
    assert [d.check for d in staff.discrepancies] == ["change"]
    public = check_report(this, drafts=False)
    assert public.prior_report is None  # the change is checked by what it implies instead
    assert "3" not in [d.computed for d in public.discrepancies]


def test_a_relative_change_is_computed_from_last_year():
    last, this = two_years()
    count = f.indicator("y.count")
    f.figure(last, count, 3)
    f.figure(this, count, 4, change="33.33", change_decimals=2)  # 4 ÷ 3 − 1 = 33.333%
    assert not found(this, period=Period.YEAR_ON_YEAR)
    # The same change printed one hundredth higher is wrong.
    this.figures.filter(indicator=count).update(change="33.34")
    [discrepancy] = found(this, period=Period.YEAR_ON_YEAR)
    assert discrepancy.check == "change" and discrepancy.published == "+33.34%"
    assert discrepancy.arithmetic == "(4 ÷ 3 − 1) × 100 = 33.33%"


def test_a_rate_changes_in_points():
    last, this = two_years()
    rate = f.indicator("y.rate", kind=RATE)
    f.figure(last, rate, "74.16", decimals=2)
    f.figure(this, rate, "92.30", decimals=2, change="18.14", change_decimals=2)
    assert not found(this, period=Period.YEAR_ON_YEAR)
    # 92.30 − 74.16 may be anything in (18.125, 18.155): 18.17 is not.
    this.figures.filter(indicator=rate).update(change="18.17")
    [discrepancy] = found(this, period=Period.YEAR_ON_YEAR)
    assert discrepancy.arithmetic == "92.30 − 74.16 = 18.14 points"


def test_a_relative_change_from_zero_is_flagged():
    last, this = two_years()
    count = f.indicator("y.zero")
    f.figure(last, count, 0)
    f.figure(this, count, 1, change="100")
    [discrepancy] = found(this, period=Period.YEAR_ON_YEAR)
    assert discrepancy.computed == "undefined (last year 0)"


def test_last_year_not_reported_is_not_checked():
    last, this = two_years()
    count = f.indicator("y.missing")
    f.figure(last, count)
    f.figure(this, count, 4, change="10")
    result = check_report(this, drafts=True)
    assert not result.discrepancies
    assert [n.reason for n in result.not_checked if n.indicator_code == "y.missing"] == [
        "2022: not reported"
    ]


# Year on year: last year implied by the published changes --------------------------------------


def implied_report(total_change):
    report = f.report()
    table = f.table()
    total, a, b = (f.indicator(code, in_table=table) for code in ("i.total", "i.a", "i.b"))
    f.rule("i.sum", Kind.SUM, total, [(Role.PART, a, 1), (Role.PART, b, 2)])
    f.figure(report, a, 60, change="20.00", change_decimals=2)  # 50 last year
    f.figure(report, b, 40, change="100.00", change_decimals=2)  # 20 last year
    f.figure(report, total, 100, change=total_change, change_decimals=2)
    return report


def test_the_implied_parts_of_last_year_make_last_years_total():
    # 100 ÷ 1.4286 = 70.0 = 50 + 20.
    assert not found(implied_report("42.86"), "i.sum", Period.YEAR_ON_YEAR)


def test_implied_parts_that_do_not_make_last_years_total_are_a_discrepancy():
    # 100 ÷ 1.25 = 80, but 60 ÷ 1.2 + 40 ÷ 2 = 70.
    [discrepancy] = found(implied_report("25.00"), "i.sum", Period.YEAR_ON_YEAR)
    assert discrepancy.arithmetic == "50 + 20 = 70"
    assert (discrepancy.published, discrepancy.computed) == ("80", "70")
    assert "i.total · i.total: 100 ÷ (1 + 25.00%) = 80" in discrepancy.details


def test_a_change_that_implies_part_of_a_case_last_year_is_flagged():
    report = f.report()
    one, two = f.indicator("i.one"), f.indicator("i.two")
    f.figure(report, one, 1, change="100")  # 0.5 cases last year
    f.figure(report, two, 2, change="100")  # 1 case last year
    [discrepancy] = found(report, period=Period.YEAR_ON_YEAR)
    assert discrepancy.indicator_code == "i.one" and discrepancy.check == "implied_prior"
    assert discrepancy.arithmetic == "1 ÷ (1 + 100%) = 0.50 last year (2022): not a whole number"


def test_a_relative_change_of_nothing_is_flagged():
    report = f.report()
    none_left = f.indicator("i.zero")
    f.figure(report, none_left, 0, change="-50")  # 0 now and 0 last year: not −50%
    [discrepancy] = found(report, period=Period.YEAR_ON_YEAR)
    assert discrepancy.check == "change"


def test_a_change_in_points_that_implies_a_negative_rate_is_flagged():
    report = f.report()
    rate = f.indicator("i.rate", kind=RATE)
    f.figure(report, rate, "5.00", decimals=2, change="10.00", change_decimals=2)
    [discrepancy] = found(report, period=Period.YEAR_ON_YEAR)
    assert discrepancy.check == "implied_prior" and "outside 0–100" in discrepancy.arithmetic


# Queries ---------------------------------------------------------------------------------------

# 1 rules, 1 their operands, 1 last year's report, 1 the figures of both years, 1 the appeal
# counts, 1 every record total (subqueries).
QUERIES = 6
# The figures' indicators and the reference version they are kept by (hotline.reference): read
# afresh when a test has just written reference data (a report of a new city) in its own
# transaction, which this process's memory never takes versions from.
INDICATORS = 2


def test_a_check_costs_the_same_queries_whatever_the_report(django_assert_num_queries, report_2023):
    small = f.report(2030)
    with django_assert_num_queries(QUERIES + INDICATORS):
        check_report(small, drafts=False)
    from tests.reports.factories import make_report

    # A draft (staff's checks of a published report may be the public's, kept: see
    # test_checks_cached) with every figure of the 2023 report.
    big = make_report("nanjing", 2023, status=AnnualReport.Status.DRAFT)
    with django_assert_num_queries(QUERIES + INDICATORS):
        result = check_report(big, drafts=True)
    assert result.checks_made > 100
