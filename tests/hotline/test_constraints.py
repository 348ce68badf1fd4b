"""The database itself refuses what can never be right, on SQLite and PostgreSQL alike; the same
rules reach the admin as form errors in Chinese before the database is."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from hotline.models import (
    AnnualReport,
    AppealCategory,
    AppealCount,
    DataSharingRequest,
    Department,
    Figure,
    Indicator,
    LivestreamEpisode,
    Region,
)
from tests.hotline.factories import as_drafts

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    return AnnualReport.private_objects.create(region=Region.objects.get(slug="huaian"), year=2024)


def figure(report, code, **fields):
    return Figure(report=report, indicator=Indicator.objects.get(code=code), **fields)


def sharing(report, **fields):
    fields = {"group_number": 1, "line": 1, "scope": "全量", "records": 1, **fields}
    return DataSharingRequest(report=report, region=report.region, **fields)


def episode(report, **fields):
    fields = {
        "number": 1,
        "aired_on": datetime.date(2024, 3, 1),
        "appeals_received": 1,
        "answered_on_air": 1,
        "supervised_after": 0,
        **fields,
    }
    return LivestreamEpisode(report=report, **fields)


def category_count(report, **fields):
    category = AppealCategory.objects.get(code="housing")
    return AppealCount(report=report, category=category, **{"count": 1, **fields})


CASES = {
    "report_one_per_city_year": (
        lambda r: AnnualReport(region=r.region, year=2023),
        "该城市本年度已有年度报告。",
    ),
    "figure_value_not_negative": (
        lambda r: figure(r, "appeals.public.total", value=-1),
        "数值不能为负数。",
    ),
    "figure_rate_within_0_100": (
        lambda r: figure(r, "calls.inbound.answer_rate_30s", value="100.01", decimals=2),
        "比率须在 0 至 100 之间。",
    ),
    "figure_change_not_below_minus_100": (
        lambda r: figure(r, "appeals.public.total", value=1, change="-100.5"),
        "降幅不能超过 100%。",
    ),
    "figure_rate_change_within_100_points": (
        lambda r: figure(r, "calls.inbound.answer_rate_30s", value=50, change=101),
        "比率的变化不能超过 100 个百分点。",
    ),
    "figure_value_or_text": (
        lambda r: figure(r, "appeals.public.total", value=1, text="优秀"),
        "数据为数值或文字，不能两者都有。",
    ),
    "appealcount_not_negative": (lambda r: category_count(r, count=-5), "数量不能为负数。"),
    "appealcount_share_within_0_100": (
        lambda r: category_count(r, published_share=120),
        "占比须在 0 至 100 之间。",
    ),
    "appealcount_department_xor_category": (
        lambda r: AppealCount(report=r, count=1),
        "请填写部门或诉求类型之一（只填一个）。",
    ),
    "sharing_records_not_negative": (lambda r: sharing(r, records=-1), "数量不能为负数。"),
    "sharing_period_ends_after_start": (
        lambda r: sharing(
            r, period_start=datetime.date(2023, 12, 31), period_end=datetime.date(2023, 1, 1)
        ),
        "期间的结束日期不能早于开始日期。",
    ),
    "episode_rate_within_0_100": (
        lambda r: episode(r, satisfaction_rate=101),
        "比率须在 0 至 100 之间。",
    ),
}


@pytest.mark.parametrize("constraint", CASES)
def test_the_database_refuses(constraint, draft):
    make, _message = CASES[constraint]
    obj = make(draft)
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        obj.save()
    if constraint != "report_one_per_city_year":  # SQLite names columns, not unique constraints
        assert constraint in str(refused.value)


@pytest.mark.parametrize("constraint", CASES)
def test_validation_says_it_in_chinese_first(constraint, draft):
    make, message = CASES[constraint]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        make(draft).full_clean()
    assert message in str(refused.value.messages)


def test_a_second_figure_for_the_same_indicator_is_refused(report_2023):
    with as_drafts(report_2023), pytest.raises(IntegrityError), transaction.atomic():
        figure(report_2023, "appeals.public.total", value=1).save()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        figure(report_2023, "appeals.public.total", value=1).full_clean()
    assert "本报告已有该指标的数据。" in refused.value.messages


def test_right_values_at_the_edges_are_accepted(draft):
    figure(draft, "calls.inbound.answer_rate_30s", value=100, change=-100).full_clean()
    figure(draft, "appeals.public.total", value=0, change=-100).full_clean()
    day = datetime.date(2023, 5, 1)
    sharing(draft, period_start=day, period_end=day, records=0).full_clean()
    figure(draft, "calls.inbound.answer_rate_30s", value=100, change=-100).save()
    sharing(draft, period_start=day, period_end=day, records=0).save()


def test_a_count_is_a_whole_number(draft):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        figure(draft, "appeals.public.total", value="1.5", decimals=1).full_clean()
    assert "数量须为整数。" in refused.value.messages


def test_a_report_belongs_to_a_city(draft):
    district = Region.objects.get(slug="huaian-qingjiangpu")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        AnnualReport(region=district, year=2022).full_clean()
    assert "年度报告须属于一个设区市。" in refused.value.messages


def test_department_names_are_unique_within_a_region():
    police = Department.objects.get(name="淮安市公安局")
    with pytest.raises(IntegrityError), transaction.atomic():
        Department.objects.create(region=police.region, name=police.name, kind=police.kind)


def test_an_indicator_code_is_dotted_and_validates():
    indicator = Indicator.objects.get(code="appeals.public.total")
    indicator.full_clean()  # the catalogue's own codes are valid
    indicator.code = "Appeals Public"
    with pytest.raises(ValidationError):
        indicator.full_clean()


def test_a_huge_count_is_a_validation_error_not_a_crash(draft):
    # Found by the property-based tests: 10**28 % 1 raised decimal.InvalidOperation.
    with pytest.raises(ValidationError) as refused:
        figure(draft, "appeals.public.total", value=Decimal(10**28)).full_clean()
    assert "value" in refused.value.message_dict


def test_a_population_beyond_any_citys_is_refused_in_chinese(report_2023):
    """The same bound on every database (SQLite's integers are wider than PostgreSQL's)."""
    report_2023.population = 100_000_001
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        report_2023.full_clean()
    assert "100000000" in str(refused.value.message_dict["population"])
    report_2023.population = 4_556_230
    report_2023.full_clean()
