"""What a reviewer reads of a finding, field by field, as the admin, the command and the API show
it; what is not checked and why; and that one odd rule or row never stops the checks after it."""

from decimal import Decimal

import pytest
from django.utils import translation

from hotline.checks import Period, check_report
from hotline.models import CheckOperand, CheckRule, Indicator

from . import factories as f

pytestmark = pytest.mark.django_db

Kind, Role = CheckRule.Kind, CheckOperand.Role
RATE = Indicator.Kind.RATE
CURRENT, YOY = Period.CURRENT, Period.YEAR_ON_YEAR


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def only_these_rules():
    """The catalogue's own rules are left out: each test counts the checks of its rules."""
    CheckRule.objects.update(active=False)


def labelled_table():
    table = f.make_table(title="诉求", title_en="Appeals")
    return table


def labelled(code, table, *, kind=Indicator.Kind.COUNT, row="Total", column="All", group=""):
    return f.indicator(
        code,
        kind=kind,
        in_table=table,
        row_label_en=row,
        column_group_en=group,
        column_label_en=column,
        unit="件",
        unit_en="cases",
    )


def only(report, period=CURRENT, rule_code=None):
    found = [
        d
        for d in check_report(report, drafts=True).discrepancies
        if d.period == period and (rule_code is None or d.rule_code == rule_code)
    ]
    assert len(found) == 1, found
    return found[0]


def skipped(report, rule_code=None, period=CURRENT):
    return [
        (n.indicator_code, n.reason)
        for n in check_report(report, drafts=True).not_checked
        if n.period == period and (rule_code is None or n.rule_code == rule_code)
    ]


# Every field of a discrepancy -------------------------------------------------------------------


def test_a_sum_that_does_not_add_up_as_the_api_shows_it():
    report = f.report()
    table = labelled_table()
    total = labelled("t.total", table, group="By source")
    phone = labelled("t.phone", table, column="Phone", group="By source")
    web = labelled("t.web", table, column="Web", group="By source")
    f.rule("t.sum", Kind.SUM, total, [(Role.PART, phone, 1), (Role.PART, web, 2)])
    f.figure(report, phone, 2)
    f.figure(report, web, 3)
    f.figure(report, total, 6)
    result = check_report(report, drafts=True)
    [discrepancy] = result.discrepancies
    assert discrepancy.as_dict() == {
        "period": "current",
        "check": "sum",
        "rule_code": "t.sum",
        "indicator_code": "t.total",
        "appeal_count_id": None,
        "group": "Appeals",
        "label": "Total · By source · All",
        "published": "6",
        "computed": "5",
        "computed_low": Decimal("5.0000"),
        "computed_high": Decimal("5.0000"),
        "arithmetic": "2 + 3 = 5",
        "difference": Decimal("1.00"),
        "relative_difference": Decimal("20.00"),
        "unit": "cases",
        "details": [],
        "operand_codes": ["t.phone", "t.web"],
        "off_by": "+1 cases (+20.00%)",
        "implied_year": None,
        "prior_is_zero": False,
    }
    assert discrepancy.finding == "The parts add up to 5; the report prints 6, 1 cases apart."
    assert discrepancy.working == (
        "The parts add up to 5; the report prints 6, 1 cases apart. Working: 2 + 3 = 5"
    )
    # Shown beside the total, and beside each of its parts.
    assert result.involving("t.web") == result.involving("t.total") == [discrepancy]
    assert result.involving("t.other") == []
    assert result.by_figure == {"t.total": [discrepancy]}
    assert result.by_group == {"Appeals": [discrepancy]}
    assert result.by_appeal_count == {}
    assert not result.ok


def test_a_rate_is_off_in_points_between_bounds_of_its_rounding():
    report = f.report()
    table = labelled_table()
    rate = labelled("r.rate", table, kind=RATE, row="Answered", column="Rate")
    asked, answered = labelled("r.asked", table), labelled("r.answered", table)
    f.quotient_rule("r.rate", Kind.RATIO, rate, answered, asked)
    f.figure(report, answered, 19)
    f.figure(report, asked, 40)
    f.figure(report, rate, "50.0", decimals=1)
    d = only(report)
    assert (d.published, d.computed, d.unit) == ("50.0%", "47.50%", "points")
    assert (d.computed_low, d.computed_high) == (Decimal("47.5000"), Decimal("47.5000"))
    assert d.arithmetic == "19 ÷ 40 = 47.50%"
    assert (d.difference, d.relative_difference) == (Decimal("2.50"), None)
    assert d.off_by == "+2.50 points"
    assert d.label == "Answered · Rate"


def test_a_rate_per_person_shows_its_scale_and_the_population():
    report = f.report(population=200)
    table = labelled_table()
    per = labelled("p.per", table, kind=Indicator.Kind.RATIO)
    staff = labelled("p.staff", table)
    f.quotient_rule("p.per", Kind.RATIO, per, staff, "population", scale=1000)
    f.figure(report, staff, 3)
    f.figure(report, per, 16)
    d = only(report)
    assert d.arithmetic == "3 ÷ 200 × 1,000 = 15"
    assert d.operand_codes == ("population", "p.staff")  # in the order the rule keeps them
    assert (d.difference, d.relative_difference) == (Decimal("1.00"), Decimal("6.67"))


def test_a_ratio_of_scale_1_shows_no_scale():
    report = f.report()
    table = labelled_table()
    per = labelled("q.per", table, kind=Indicator.Kind.RATIO)
    a, b = labelled("q.a", table), labelled("q.b", table)
    f.quotient_rule("q.per", Kind.RATIO, per, a, b, scale=1)
    f.figure(report, a, 3)
    f.figure(report, b, 4)
    f.figure(report, per, "0.70", decimals=2)
    assert only(report).arithmetic == "3 ÷ 4 = 0.75"


def test_a_weighted_average_that_is_a_duration_has_no_percent_sign():
    report = f.report()
    table = labelled_table()
    avg = {row: labelled(f"w.{row}.avg", table, kind=Indicator.Kind.DURATION) for row in "iot"}
    calls = {row: labelled(f"w.{row}.calls", table) for row in "io"}
    f.weighted_average_rule("w.avg", avg["t"], [(avg["i"], calls["i"]), (avg["o"], calls["o"])])
    f.figure(report, calls["i"], 1)
    f.figure(report, calls["o"], 3)
    f.figure(report, avg["i"], 10)
    f.figure(report, avg["o"], 20)
    f.figure(report, avg["t"], 30)
    d = only(report)
    assert d.arithmetic == "(10 × 1 + 20 × 3) ÷ 4 = 17.50"
    assert (d.published, d.computed) == ("30", "17.50")


def test_a_record_count_shows_what_was_counted():
    report = f.report()
    records = labelled("rc.records", labelled_table())
    f.rule("rc.records", Kind.RECORD_COUNT, records, record_source="sharing_records")
    f.figure(report, records, 300)
    assert skipped(report, "rc.records") == [
        ("rc.records", "nothing stored: Records shared, summed over data-sharing requests")
    ]
    f.sharing_request(report, 1, 301)
    d = only(report)
    assert d.arithmetic == "Records shared, summed over data-sharing requests = 301"
    assert (d.label, d.check, d.operand_codes) == ("Total · All", "record_count", ())
    assert (d.published, d.computed, d.difference) == ("300", "301", Decimal("-1.00"))
    assert (d.computed_low, d.computed_high) == (Decimal("301.0000"), Decimal("301.0000"))


def test_a_relative_change_is_shown_in_percent_both_ways():
    region = f.city()
    last, this = f.report(2022, region=region), f.report(2023, region=region)
    count = labelled("y.count", labelled_table())
    f.figure(last, count, 3)
    f.figure(this, count, 4, change="33.34", change_decimals=2)  # 4 ÷ 3 − 1 = 33.333…%
    d = only(this, YOY)
    assert (d.check, d.rule_code, d.indicator_code) == ("change", "", "y.count")
    assert d.label == "Total · All · change"
    assert (d.published, d.computed, d.unit) == ("+33.34%", "+33.33%", "%")
    assert (str(d.computed_low), str(d.computed_high)) == ("33.3333", "33.3333")
    assert (d.difference, d.relative_difference) == (Decimal("0.01"), None)
    assert d.off_by == "+0.01 %"


@pytest.mark.parametrize(
    ("printed", "published", "computed"),
    [
        ("0.00", "0.00%", "+50%"),  # no change has no sign
        ("0.50", "+0.50%", "+50%"),  # a small rise has its plus
    ],
)
def test_a_change_is_signed_only_when_it_is_a_rise(printed, published, computed):
    region = f.city()
    last, this = f.report(2022, region=region), f.report(2023, region=region)
    count = labelled("y.count", labelled_table())
    f.figure(last, count, 2)
    f.figure(this, count, 3, change=printed, change_decimals=2)
    d = only(this, YOY)
    assert (d.published, d.computed) == (published, computed)


def test_a_change_in_points_is_shown_in_points_both_ways():
    region = f.city()
    last, this = f.report(2022, region=region), f.report(2023, region=region)
    rate = labelled("y.rate", labelled_table(), kind=RATE)
    f.figure(last, rate, "92.30", decimals=2)
    f.figure(this, rate, "74.16", decimals=2, change="-18.17", change_decimals=2)
    d = only(this, YOY)
    assert (d.published, d.computed, d.unit) == ("-18.17 points", "-18.14 points", "points")
    assert d.arithmetic == "74.16 − 92.30 = -18.14 points"
    # 74.155 to 74.17 less 92.295 to 92.31, each end attained or not as the printed figures.
    assert (d.computed_low, d.computed_high) == (Decimal("-18.1550"), Decimal("-18.1250"))
    assert d.off_by == "-0.03 points"


def test_a_figure_last_year_did_not_report_does_not_stop_the_others():
    region = f.city()
    last, this = f.report(2022, region=region), f.report(2023, region=region)
    table = labelled_table()
    # In this order in the printed table.
    missing = f.indicator("y.a", in_table=table, row_order=1)
    wrong = f.indicator("y.z", in_table=table, row_order=2)
    f.figure(last, missing)
    f.figure(this, missing, 4, change="10")
    f.figure(last, wrong, 3)
    f.figure(this, wrong, 4, change="10")
    result = check_report(this, drafts=True)
    assert [d.indicator_code for d in result.discrepancies] == ["y.z"]
    assert [n.as_dict() for n in result.not_checked] == [
        {
            "period": "year_on_year",
            "rule_code": "",
            "indicator_code": "y.a",
            "reason": "2022: not reported",
        }
    ]


def test_each_change_is_compared_whatever_the_changes_before_it():
    region = f.city()
    last, this = f.report(2022, region=region), f.report(2023, region=region)
    table = labelled_table()
    right, from_0, maybe_0, wrong = (
        f.indicator(code, in_table=table, row_order=order, kind=kind)
        for order, (code, kind) in enumerate(
            [
                ("y.right", Indicator.Kind.COUNT),
                ("y.from0", Indicator.Kind.COUNT),
                ("y.maybe0", Indicator.Kind.DURATION),
                ("y.wrong", Indicator.Kind.COUNT),
            ],
            start=1,
        )
    )
    f.figure(last, right, 2)
    f.figure(this, right, 3, change="50")
    f.figure(last, from_0, 0)
    f.figure(this, from_0, 3, change="50")
    f.figure(last, maybe_0, "0.0", decimals=1)
    f.figure(this, maybe_0, "3.0", decimals=1, change="50")
    f.figure(last, wrong, 2)
    f.figure(this, wrong, 3, change="60")
    result = check_report(this, drafts=True)
    assert [d.indicator_code for d in result.discrepancies] == ["y.from0", "y.wrong"]
    assert [n.indicator_code for n in result.not_checked] == ["y.maybe0"]
    assert result.checks_made == 3  # right, from 0 (found wrong) and wrong


def test_a_change_with_no_value_or_no_change_is_not_compared():
    region = f.city()
    last, this = f.report(2022, region=region), f.report(2023, region=region)
    no_change, no_value = labelled("y.a", labelled_table()), labelled("y.b", labelled_table())
    f.figure(last, no_change, 3)
    f.figure(this, no_change, 4)
    f.figure(last, no_value, 3)
    f.figure(this, no_value, change="10")
    result = check_report(this, drafts=True)
    assert result.prior_report == last
    assert not [d for d in result.discrepancies if d.indicator_code in {"y.a", "y.b"}]
    assert not [n for n in result.not_checked if n.indicator_code in {"y.a", "y.b"}]


def test_last_year_0_or_maybe_0_cannot_give_a_relative_change():
    region = f.city()
    last, this = f.report(2022, region=region), f.report(2023, region=region)
    table = labelled_table()
    zero = labelled("y.zero", table)
    small = labelled("y.small", table, kind=Indicator.Kind.DURATION)
    f.figure(last, zero, 0)
    f.figure(this, zero, 5, change="100")
    f.figure(last, small, "0.0", decimals=1)  # may be anything below 0.1
    f.figure(this, small, "1.0", decimals=1, change="900")
    d = only(this, YOY)
    assert (d.indicator_code, d.published, d.computed) == (
        "y.zero",
        "+100%",
        "undefined (last year 0)",
    )
    assert d.arithmetic == "2022: 0 → 5; a relative change from 0 cannot be computed"
    assert (d.unit, d.relative_difference) == ("%", None)
    assert (d.check, d.rule_code, d.label) == ("change", "", "Total · All · change")
    assert (d.computed_low, d.computed_high, d.difference) == (0, 0, Decimal("100.00"))
    assert d.off_by == "+100 %"
    assert skipped(this, "", YOY) == [("y.small", "last year's value may be 0")]


# Year on year without last year: what the changes imply ----------------------------------------


def test_a_change_in_points_implies_last_years_rate():
    report = f.report()
    table = labelled_table()
    rate = {row: labelled(f"i.{row}", table, kind=RATE) for row in "ab"}
    f.figure(report, rate["a"], "5.00", decimals=2, change="10.00", change_decimals=2)
    f.figure(report, rate["b"], "95.00", decimals=2, change="-10.00", change_decimals=2)
    result = check_report(report, drafts=True)
    [low] = [d for d in result.discrepancies if d.indicator_code == "i.a"]
    [high] = [d for d in result.discrepancies if d.indicator_code == "i.b"]
    assert low.arithmetic == "5.00 − (+10.00 points) = -5 last year (2022): outside 0–100"
    assert (low.published, low.computed, low.unit) == ("+10.00 points", "-5%", "points from 0–100")
    assert low.difference == Decimal("-5.00")  # 5 points below 0
    assert high.arithmetic == "95.00 − (-10.00 points) = 105 last year (2022): outside 0–100"
    assert high.difference == Decimal("5.00")  # 5 points above 100


def test_a_fall_of_100_percent_leaves_last_year_unknown():
    report = f.report()
    table = labelled_table()
    gone, total, other = (
        labelled("i.gone", table),
        labelled("i.total", table),
        labelled("i.o", table),
    )
    f.rule("i.sum", Kind.SUM, total, [(Role.PART, gone, 1), (Role.PART, other, 2)])
    f.figure(report, gone, 0, change="-100")
    f.figure(report, other, 10, change="0")
    f.figure(report, total, 10, change="0")
    result = check_report(report, drafts=True)
    assert not [d for d in result.discrepancies if d.period == YOY]
    assert skipped(report, "i.sum", YOY) == [
        ("i.total", "i.gone fell by 100%, so last year's value is unknown")
    ]


def test_a_count_of_0_that_did_not_change_is_right():
    report = f.report()
    table = labelled_table()
    none, total, other = (
        labelled("i.none", table),
        labelled("i.total", table),
        labelled("i.o", table),
    )
    f.rule("i.sum", Kind.SUM, total, [(Role.PART, none, 1), (Role.PART, other, 2)])
    f.figure(report, none, 0, change="0.00", change_decimals=2)
    f.figure(report, other, 10, change="25")  # 8 last year
    f.figure(report, total, 10, change="25")
    result = check_report(report, drafts=True)
    assert not [d for d in result.discrepancies if d.period == YOY]
    # this year's sum, and the three changes (the 0's among them, right as 0 → 0)
    assert result.checks_made == 4
    assert skipped(report, "i.sum", YOY) == [
        ("i.total", "i.none is 0, so last year's value is unknown")
    ]


def test_a_change_that_implies_part_of_a_case_shows_the_nearest_whole_number():
    report = f.report()
    one = labelled("i.one", labelled_table())
    f.figure(report, one, 3, change="100")  # 1.5 cases last year
    d = only(report, YOY)
    assert d.check == "implied_prior" and d.published == "+100%"
    assert d.computed == "1.50"
    assert d.arithmetic == "3 ÷ (1 + 100%) = 1.50 last year (2022): not a whole number"
    # 3 ÷ (1 + 99.5%) to 3 ÷ (1 + 101%), for every reading of a printed 100.
    assert (str(d.computed_low), str(d.computed_high)) == ("1.4925", "1.5038")
    assert (d.difference, d.unit) == (Decimal("-0.50"), "from the nearest whole number")
    assert d.off_by == "-0.50 from the nearest whole number"
    assert (d.relative_difference, d.label) == (None, "Total · All · change")


def test_implied_values_show_how_they_were_worked_out():
    report = f.report()
    table = labelled_table()
    total, a, b = labelled("i.total", table), labelled("i.a", table), labelled("i.b", table)
    f.rule("i.sum", Kind.SUM, total, [(Role.PART, a, 1), (Role.PART, b, 2)])
    # A rule that is no arithmetic, before it in code order, is passed over, not a stop.
    f.rule("a.count", Kind.RECORD_COUNT, a, record_source="episodes")
    f.figure(report, a, 60, change="20.00", change_decimals=2)
    f.figure(report, b, 40, change="-20.00", change_decimals=2)
    f.figure(report, total, 100, change="25.00", change_decimals=2)
    d = only(report, YOY, "i.sum")
    assert d.label == "Total · All · 2022 implied by the published changes"
    assert d.details == (
        "Total · All: 100 ÷ (1 + 25.00%) = 80",
        "Total · All: 60 ÷ (1 + 20.00%) = 50",
        "Total · All: 40 ÷ (1 − 20.00%) = 50",
    )
    assert d.arithmetic == "50 + 50 = 100"
    # 2022 is not printed: the values worked back are never called printed.
    assert d.implied_year == 2022
    assert d.finding == (
        "Worked back from the printed changes to 2022 (the report prints no 2022 values): "
        "the parts add up to 100, while this figure works back to 80, 20 cases apart."
    )


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ("0.00", "Total · All: 10 ÷ (1 + 0.00%) = 10"),
        ("0.50", "Total · All: 10.05 ÷ (1 + 0.50%) = 10"),
        ("-0.50", "Total · All: 9.95 ÷ (1 − 0.50%) = 10"),
    ],
)
def test_a_small_change_shows_its_direction_in_the_working(change, detail):
    report = f.report()
    table = labelled_table()
    total, part = (
        labelled("i.t", table, kind=Indicator.Kind.DURATION),
        labelled("i.p", table, kind=Indicator.Kind.DURATION),
    )
    f.rule("i.sum", Kind.SUM, total, [(Role.PART, part, 1)])
    value = {"0.00": "10", "0.50": "10.05", "-0.50": "9.95"}[change]
    decimals = 0 if value == "10" else 2
    f.figure(report, part, value, decimals=decimals, change=change, change_decimals=2)
    f.figure(report, total, "20", change="0")  # 20 last year: not the part's 10
    d = only(report, YOY, "i.sum")
    assert detail in d.details


def test_a_rate_that_changes_relatively_implies_a_rate_within_0_to_100():
    report = f.report()
    table = labelled_table()
    rates = {}
    for code in ("r.fine", "r.over"):
        rates[code] = labelled(code, table, kind=RATE)
    Indicator.objects.filter(code__in=rates).update(change_kind=Indicator.ChangeKind.RELATIVE)
    f.figure(report, rates["r.fine"], "95.00", decimals=2, change="10.00", change_decimals=2)
    f.figure(report, rates["r.over"], "99.00", decimals=2, change="-50.00", change_decimals=2)
    result = check_report(report, drafts=True)
    [d] = result.discrepancies
    assert (d.indicator_code, d.check) == ("r.over", "implied_prior")
    assert d.arithmetic == "99.00 ÷ (1 − 50.00%) = 198 last year (2022): outside 0–100"
    assert d.difference == Decimal("98.00")  # 98 points above 100


# What is not checked, and why ---------------------------------------------------------------------


def test_a_share_of_0_is_0_and_a_denominator_of_0_is_not_checked():
    report = f.report()
    table = labelled_table()
    share, part, whole = (
        labelled("s.share", table, kind=RATE),
        labelled("s.p", table),
        labelled("s.w", table),
    )
    f.quotient_rule("s.share", Kind.SHARE, share, part, whole)
    f.figure(report, part, 0)
    f.figure(report, whole, 20)
    f.figure(report, share, "0.00", decimals=2)
    assert not check_report(report, drafts=True).discrepancies
    whole_figure = report.figures.get(indicator=whole)
    whole_figure.value = 0
    whole_figure.save()
    assert skipped(report, "s.share") == [("s.share", "the denominator may be 0")]


def test_a_weighted_average_of_weights_0_is_not_checked():
    report = f.report()
    table = labelled_table()
    avg = {row: labelled(f"w.{row}", table, kind=RATE) for row in "iot"}
    calls = {row: labelled(f"c.{row}", table) for row in "io"}
    f.weighted_average_rule("w.avg", avg["t"], [(avg["i"], calls["i"]), (avg["o"], calls["o"])])
    for row in "iot":
        f.figure(report, avg[row], "50.0", decimals=1)
    f.figure(report, calls["i"], 0)
    f.figure(report, calls["o"], 0)
    assert skipped(report, "w.avg") == [("w.t", "the weights add up to 0")]


def test_a_text_figure_is_not_a_number_to_check():
    report = f.report()
    table = labelled_table()
    total, a = labelled("x.total", table), labelled("x.a", table)
    f.rule("x.sum", Kind.SUM, total, [(Role.PART, a, 1)])
    f.figure(report, a, 5)
    f.make_figure(report, total, text="优秀")
    assert skipped(report, "x.sum") == [("x.total", "x.total is a text")]


SUM_NEEDS = "a sum needs one or more parts and nothing else"
PAIRS = "a weighted average needs values and weights in pairs of the same order"


@pytest.mark.parametrize(
    ("kind", "roles", "why"),
    [
        (Kind.SUM, [(Role.PART, 1), (Role.DENOMINATOR, 1)], SUM_NEEDS),
        (Kind.SUM, [], SUM_NEEDS),
        (
            Kind.SHARE,
            [(Role.PART, 1), (Role.PART, 2)],
            "a share needs one part and one denominator",
        ),
        (Kind.RATIO, [(Role.NUMERATOR, 1)], "a rate needs one numerator and one denominator"),
        (Kind.WEIGHTED_AVERAGE, [(Role.VALUE, 1), (Role.WEIGHT, 1), (Role.VALUE, 2)], PAIRS),
        (Kind.WEIGHTED_AVERAGE, [(Role.VALUE, 1), (Role.WEIGHT, 2)], PAIRS),
        (Kind.WEIGHTED_AVERAGE, [(Role.VALUE, 1), (Role.WEIGHT, 1), (Role.PART, 2)], PAIRS),
        (Kind.WEIGHTED_AVERAGE, [], PAIRS),
    ],
)
def test_a_malformed_rule_is_listed_and_every_other_rule_still_checked(kind, roles, why):
    report = f.report()
    table = labelled_table()
    target = labelled("m.target", table)
    scale = {"scale": 100} if kind in {Kind.SHARE, Kind.RATIO} else {}
    operands = [(role, labelled(f"m.{n}", table), order) for n, (role, order) in enumerate(roles)]
    f.rule("m.bad", kind, target, operands, **scale)
    total, a = labelled("m.total", table), labelled("m.a", table)
    f.rule("m.good", Kind.SUM, total, [(Role.PART, a, 1)])
    f.figure(report, a, 1)
    f.figure(report, total, 2)
    result = check_report(report, drafts=True)
    assert [
        (n.rule_code, n.indicator_code, n.reason)
        for n in result.not_checked
        if n.rule_code == "m.bad"
    ] == [("m.bad", "m.target", why)]
    assert [d.rule_code for d in result.discrepancies] == ["m.good"]


def test_a_count_of_records_with_operands_is_malformed():
    report = f.report()
    table = labelled_table()
    records = labelled("rc.records", table)
    f.rule(
        "rc.records",
        Kind.RECORD_COUNT,
        records,
        [(Role.PART, labelled("rc.part", table), 1)],
        record_source="episodes",
    )
    assert skipped(report, "rc.records") == [("rc.records", "this kind of rule has no operands")]


# One odd row never stops the rows after it ------------------------------------------------------


def ranked(report, rows, *, share_of=None, split=False):
    f.rule(
        "k.top",
        Kind.RANKING,
        appeal_type="all",
        dimension="category",
        share_of=share_of,
        check_type_split=split,
    )
    for code, count, share in rows:
        f.category_count(report, code, count, share)


def test_a_row_without_a_share_does_not_stop_the_shares_after_it():
    report = f.report()
    total = labelled("k.total", labelled_table())
    f.figure(report, total, 20000)
    ranked(
        report,
        [("livelihood", 2000, None), ("housing", 901, "4.52"), ("transport", 800, "4.00")],
        share_of=total,
    )
    result = check_report(report, drafts=True)
    d = only(report, rule_code="k.top")
    assert (d.check, d.label, d.published, d.computed) == ("share", "住房保障", "4.52%", "4.51%")
    assert d.group == "TOP5: All appeals by appeal category"
    assert d.arithmetic == "901 ÷ 20,000 = 4.51%"
    assert (d.difference, d.relative_difference, d.unit) == (Decimal("0.02"), None, "points")
    assert d.operand_codes == ("k.total",)
    assert result.by_appeal_count == {report.appeal_counts.get(category__code="housing").pk: [d]}
    assert result.by_figure == {}
    # 2 shares and 1 order (housing above transport; livelihood has no share).
    assert result.checks_made == 3


def test_tied_counts_do_not_stop_the_order_checks_after_them():
    report = f.report()
    ranked(
        report,
        [("livelihood", 900, "10.00"), ("housing", 900, "10.50"), ("transport", 800, "11.00")],
    )
    result = check_report(report, drafts=True)
    d = only(report, rule_code="k.top")
    assert (d.check, d.label) == ("ranking_order", "交通出行")
    assert d.arithmetic == (
        "交通出行 (800) has fewer appeals than 住房保障 (900) but a larger share: 11.00% > 10.50%"
    )
    assert (d.published, d.computed) == ("11.00%", "10.50%")
    # 10.50 stands for 10.495 to 10.51 (not attained), shown to 4 decimals.
    assert (str(d.computed_low), str(d.computed_high)) == ("10.4950", "10.5100")
    assert result.checks_made == 1  # the tie is not an order


def test_shares_that_agree_with_the_order_within_their_rounding_are_not_flagged():
    report = f.report()
    # 10.00 may be 10.00 to 10.01 (cut), 10.01 may be 10.005 to 10.02: they meet.
    ranked(report, [("livelihood", 900, "10.00"), ("housing", 800, "10.01")])
    assert not check_report(report, drafts=True).discrepancies


def test_a_category_missing_from_a_type_split_does_not_stop_the_others():
    report = f.report()
    ranked(report, [("livelihood", 2000, None), ("housing", 902, None)], split=True)
    f.category_count(report, "housing", 900, appeal_type="consultation")
    f.category_count(report, "housing", 1, appeal_type="non_consultation")
    f.category_count(report, "livelihood", 1500, appeal_type="consultation")
    result = check_report(report, drafts=True)
    d = only(report, rule_code="k.top")
    assert (d.check, d.label, d.arithmetic) == ("type_split", "住房保障", "900 + 1 = 901")
    assert (d.published, d.computed, d.unit) == ("902", "901", "cases")
    assert (d.difference, d.relative_difference) == (Decimal("1.00"), Decimal("0.11"))
    assert skipped(report, "k.top") == [
        (None, "民生保障 is not ranked among Non-consultation appeals")
    ]
    assert result.checks_made == 1


def test_a_ranking_without_its_total_or_rows_is_not_checked():
    report = f.report()
    total = labelled("k.total", labelled_table())
    ranked(report, [("livelihood", 2000, "10.00")], share_of=total)
    assert skipped(report, "k.top") == [(None, "k.total not reported")]
    f.figure(report, total, 0)
    assert skipped(report, "k.top") == [(None, "k.total 0")]
    empty = f.report()
    assert skipped(empty, "k.top") == [(None, "no ranked rows are stored")]


# The result as a whole -------------------------------------------------------------------------


def test_findings_are_listed_in_the_order_of_the_printed_report():
    region = f.city()
    last, this = f.report(2022, region=region), f.report(2023, region=region)
    first = f.make_table(section=f.make_section(number=91), title="一", title_en="First")
    second = f.make_table(section=f.make_section(number=92), title="二", title_en="Second")
    rows = {}
    for table, prefix in ((second, "b"), (first, "a")):
        total, part = labelled(f"{prefix}.total", table), labelled(f"{prefix}.part", table)
        f.rule(f"{prefix}.sum", Kind.SUM, total, [(Role.PART, part, 1)])
        f.figure(last, part, 1)
        f.figure(last, total, 1)
        f.figure(this, part, 1)
        f.figure(this, total, 2, change="50")  # 2 ÷ 1 − 1 = 100%
        rows[prefix] = total
    result = check_report(this, drafts=True)
    f.rule("k.top", Kind.RANKING, appeal_type="all", dimension="category")
    f.category_count(this, "livelihood", 900, "10.00")
    f.category_count(this, "housing", 800, "11.00")
    result = check_report(this, drafts=True)
    # The tables' figures in the order of the printed report, then the rankings.
    assert [(d.indicator_code, d.period) for d in result.discrepancies] == [
        ("a.total", CURRENT),
        ("a.total", YOY),
        ("b.total", CURRENT),
        ("b.total", YOY),
        (None, CURRENT),
    ]
    assert list(result.by_group) == ["First", "Second", "TOP5: All appeals by appeal category"]
    assert result.as_dict()["prior_report"] == str(last)
    assert result.as_dict()["checks_made"] == result.checks_made == 5


def test_a_result_as_the_api_gives_it():
    report = f.report()
    table = labelled_table()
    total, part = labelled("z.total", table), labelled("z.part", table)
    f.rule("z.sum", Kind.SUM, total, [(Role.PART, part, 1)])
    f.figure(report, part)
    f.figure(report, total, 1)
    assert check_report(report, drafts=True).as_dict() == {
        "report": str(report),
        "prior_report": None,
        "prior_report_status": None,
        "checks_made": 0,
        "discrepancies": [],
        "not_checked": [
            {
                "period": "current",
                "rule_code": "z.sum",
                "indicator_code": "z.total",
                "reason": "z.part not reported",
            },
            {
                "period": "year_on_year",
                "rule_code": "z.sum",
                "indicator_code": "z.total",
                "reason": "z.total has no published change",
            },
        ],
    }
    assert check_report(report, drafts=True).ok
    assert (Period.label(CURRENT), Period.label(YOY)) == ("current year", "year on year")


def test_a_difference_from_0_has_no_relative_size_and_a_unitless_figure_no_unit():
    report = f.report()
    table = labelled_table()
    total, part = labelled("u.total", table), labelled("u.part", table)
    Indicator.objects.filter(code__in=["u.total", "u.part"]).update(unit="", unit_en="")
    f.rule("u.sum", Kind.SUM, total, [(Role.PART, part, 1)])
    f.figure(report, part, 0)
    f.figure(report, total, 3)
    d = only(report)
    assert (d.difference, d.relative_difference, d.unit) == (Decimal("3.00"), None, "")
    assert d.off_by == "+3"


def test_a_record_count_with_records_but_no_figure_is_not_checked():
    report = f.report()
    records = labelled("rc.records", labelled_table())
    f.rule("rc.records", Kind.RECORD_COUNT, records, record_source="episodes")
    f.episode(report, 1)
    f.figure(report, records)
    assert skipped(report, "rc.records") == [("rc.records", "rc.records not reported")]


def test_a_ranking_by_department_counts_only_department_rows_of_its_type():
    report = f.report()
    f.rule("k.dept", Kind.RANKING, appeal_type="consultation", dimension="department")
    city_department = f.make_department(report.region)
    f.make_appeal_count(
        report,
        city_department,
        appeal_type="consultation",
        count=500,
        published_share=Decimal("40.00"),
        share_decimals=2,
    )
    f.make_appeal_count(
        report,
        f.make_department(report.region),
        appeal_type="consultation",
        count=400,
        published_share=Decimal("50.00"),
        share_decimals=2,
    )
    # Rows of other types and of categories are other rankings.
    f.make_appeal_count(report, city_department, appeal_type="all", count=10)
    f.category_count(report, "housing", 450, "99.00", appeal_type="consultation")
    result = check_report(report, drafts=True)
    [d] = result.discrepancies
    assert (d.check, d.group) == ("ranking_order", "TOP5: Consultation by department")
    assert result.checks_made == 1


def test_implied_rules_skip_the_population_and_figures_not_in_the_report():
    report = f.report(population=1000)
    table = labelled_table()
    per, staff = labelled("p.per", table, kind=Indicator.Kind.RATIO), labelled("p.staff", table)
    f.quotient_rule("p.per", Kind.RATIO, per, staff, "population", scale=1000)
    f.figure(report, staff, 2, change="100")
    f.figure(report, per, 2, change="100")
    total, missing = labelled("n.total", table), labelled("n.missing", table)
    f.rule("n.sum", Kind.SUM, total, [(Role.PART, missing, 1)])
    f.figure(report, total, 2, change="100")
    assert skipped(report, period=YOY) == [
        ("n.total", "n.missing not reported"),
        ("p.per", "the resident population of last year is not known"),
    ]


def test_every_category_whose_types_do_not_add_up_is_listed_in_rank_order():
    report = f.report()
    ranked(
        report,
        [("livelihood", 2000, None), ("housing", 902, None), ("transport", 800, None)],
        split=True,
    )
    for code, consultation, other in (("livelihood", 1500, 499), ("housing", 900, 1)):
        f.category_count(report, code, consultation, appeal_type="consultation")
        f.category_count(report, code, other, appeal_type="non_consultation")
    f.category_count(report, "transport", 800, appeal_type="non_consultation")
    result = check_report(report, drafts=True)
    assert [(d.label, d.arithmetic) for d in result.discrepancies] == [
        ("民生保障", "1,500 + 499 = 1,999"),
        ("住房保障", "900 + 1 = 901"),
    ]
    assert skipped(report, "k.top") == [(None, "交通出行 is not ranked among Consultation appeals")]


def test_a_rankings_findings_are_listed_row_by_row():
    report = f.report()
    total = labelled("k.total", labelled_table())
    f.figure(report, total, 10000)
    # 900 is 9.00% and 800 is 8.00%; the smaller count also shows the larger share.
    ranked(report, [("livelihood", 900, "10.00"), ("housing", 800, "11.00")], share_of=total)
    result = check_report(report, drafts=True)
    assert [(d.check, d.label) for d in result.discrepancies] == [
        ("share", "民生保障"),
        ("ranking_order", "住房保障"),
        ("share", "住房保障"),
    ]
    assert result.checks_made == 3


def test_shares_printed_with_different_decimals_are_ordered_by_every_reading():
    report = f.report()
    # 10.04 is below 10.05 however it was rounded or cut; 10.1 is at least 10.05.
    ranked(
        report, [("livelihood", 900, "10.04"), ("housing", 800, None), ("transport", 10, "0.05")]
    )
    f.category_count(report, "economy", 700, "10.1", decimals=1)
    result = check_report(report, drafts=True)
    assert [(d.check, d.label) for d in result.discrepancies] == [("ranking_order", "经济综合")]


def test_a_ranked_count_above_its_total_is_found_however_its_share_was_printed():
    report = f.report()
    total = labelled("k.total", labelled_table())
    f.figure(report, total, 20000)
    # 20001 of 20000 is 100.005%: a share is at most 100, so 100.00 cannot be its reading.
    ranked(report, [("livelihood", 20001, "100.00")], share_of=total)
    [d] = check_report(report, drafts=True).discrepancies
    assert (d.check, d.computed) == ("share", "100.01%")


def test_a_rule_on_an_impossible_value_last_year_is_not_checked_again():
    report = f.report()
    table = labelled_table()
    total, part = labelled("i.t", table, kind=RATE), labelled("i.a", table, kind=RATE)
    f.rule("i.sum", Kind.SUM, total, [(Role.PART, part, 1)])
    f.figure(report, part, "5.00", decimals=2, change="10.00", change_decimals=2)  # −5 in 2022
    f.figure(report, total, "5.00", decimals=2, change="0.00", change_decimals=2)
    result = check_report(report, drafts=True)
    assert [d.indicator_code for d in result.discrepancies] == ["i.a"]
    assert skipped(report, "i.sum", YOY) == [("i.t", "i.a implies an impossible value last year")]


def test_a_rate_of_one_case_is_checked_like_any_other():
    report = f.report()
    table = labelled_table()
    rate, asked, answered = (
        labelled("o.rate", table, kind=RATE),
        labelled("o.asked", table),
        labelled("o.answered", table),
    )
    f.quotient_rule("o.rate", Kind.RATIO, rate, answered, asked)
    f.figure(report, answered, 1)
    f.figure(report, asked, 1)
    f.figure(report, rate, "50.00", decimals=2)
    assert only(report).arithmetic == "1 ÷ 1 = 100%"


def test_a_mean_weighted_by_proportions_that_add_up_to_1_is_checked():
    report = f.report()
    table = labelled_table()
    ratio = Indicator.Kind.RATIO
    avg = {row: labelled(f"w.{row}", table, kind=Indicator.Kind.DURATION) for row in "iot"}
    weight = {row: labelled(f"p.{row}", table, kind=ratio) for row in "io"}
    f.weighted_average_rule("w.avg", avg["t"], [(avg["i"], weight["i"]), (avg["o"], weight["o"])])
    f.figure(report, weight["i"], "0.4", decimals=1)
    f.figure(report, weight["o"], "0.6", decimals=1)
    f.figure(report, avg["i"], 10)
    f.figure(report, avg["o"], 20)
    f.figure(report, avg["t"], 30)
    d = only(report)
    assert d.arithmetic == "(10 × 0.4 + 20 × 0.6) ÷ 1 = 16"


def test_a_rankings_shares_and_type_splits_are_listed_together_row_by_row():
    report = f.report()
    total = labelled("k.total", labelled_table())
    f.figure(report, total, 10000)
    ranked(
        report,
        [("livelihood", 1000, "10.00"), ("housing", 800, "9.00")],  # 800 is 8.00%
        share_of=total,
        split=True,
    )
    for code, consultation, other in (("livelihood", 600, 300), ("housing", 500, 300)):
        f.category_count(report, code, consultation, appeal_type="consultation")
        f.category_count(report, code, other, appeal_type="non_consultation")
    result = check_report(report, drafts=True)
    assert [(d.check, d.label) for d in result.discrepancies] == [
        ("type_split", "民生保障"),  # 600 + 300 is not 1000
        ("share", "住房保障"),
    ]
