"""The public checks of a published report are computed once per version of the data they read."""

import pytest
from django.core.cache import cache

from hotline import freshness
from hotline.checks import check_report, check_reports
from hotline.models import AnnualReport, CheckRule
from hotline.reference import with_indicators

pytestmark = pytest.mark.django_db


def test_a_published_report_is_checked_once_per_version(report_2023, django_assert_num_queries):
    first = check_report(report_2023, drafts=False)
    with django_assert_num_queries(0):  # its version remembered (hotline.freshness)
        again = check_report(report_2023, drafts=False)
    assert again.as_dict() == first.as_dict()
    assert again.checks_made == first.checks_made > 0


def test_a_rule_edited_is_checked_afresh(report_2023):
    before = check_report(report_2023, drafts=False)
    rule = CheckRule.objects.active().filter(kind=CheckRule.Kind.SUM).first()
    rule.active = False
    rule.save()  # moves the reference version (hotline.freshness)
    after = check_report(report_2023, drafts=False)
    assert after.checks_made < before.checks_made


def test_what_may_read_a_draft_is_never_kept(report_2023, django_assert_num_queries):
    from tests.reports.factories import make_report

    make_report("huaian", 2022, status=AnnualReport.Status.DRAFT, records=1)
    first = check_report(report_2023, drafts=True)
    assert first.prior_report.status == AnnualReport.Status.DRAFT
    # Whether last year is a draft, then rules, operands, last year, figures, ranks, records;
    # and the reference version the figures' indicators are kept by (hotline.reference), read
    # from the database since this test's own transaction wrote versions (make_report).
    with django_assert_num_queries(8):
        check_report(report_2023, drafts=True)
    assert check_report(report_2023, drafts=False).prior_report is None  # never the draft


@pytest.mark.parametrize("last_year", [None, AnnualReport.Status.PUBLISHED])
def test_staff_get_the_public_result_when_last_year_is_no_draft(
    report_2023, django_assert_num_queries, last_year
):
    """Staff signed in read every page uncached: of a published report whose last year is
    published, or absent, their check reads what the public's reads, and is the kept one."""
    from tests.reports.factories import make_report

    if last_year:
        make_report("huaian", 2022, status=last_year, records=1)
        freshness.forget_remembered()  # as once its publication has committed
    public = check_report(report_2023, drafts=False)
    with django_assert_num_queries(1):  # whether last year is a draft (the version remembered)
        staff = check_report(report_2023, drafts=True)
    assert staff.as_dict() == public.as_dict()
    assert staff.as_dict() == check_report_afresh(report_2023).as_dict()


def check_report_afresh(report):
    from hotline.checks import _check_report

    return _check_report(report, drafts=True)


def test_a_new_version_of_the_city_makes_a_new_result(report_2023, django_assert_num_queries):
    check_report(report_2023, drafts=False)
    freshness.changed(freshness.city(report_2023.region.slug))
    # Computed again: the freshness and the six reads, and the reference version the figures'
    # indicators are kept by (hotline.reference), read from the database since this test's
    # transaction wrote versions (so below: each test's writes are its own transaction's).
    with django_assert_num_queries(7 + 1):
        check_report(report_2023, drafts=False)


@pytest.fixture
def three_cities(report_2023):
    """Huai'an 2022 too (last year to compare with), and Nanjing 2023 with one sum broken."""
    from tests.hotline.factories import as_drafts
    from tests.reports.factories import make_report

    make_report("huaian", 2022, records=1)
    nanjing = make_report("nanjing", 2023, records=1)
    with as_drafts(nanjing):
        nanjing.figures.filter(indicator__code="appeals.total.total").update(value=1)
    wuxi = make_report("wuxi", 2023, records=1)
    return [report_2023, nanjing, wuxi]


def results(found):
    return [r.as_dict() for r in found]


def test_several_reports_are_checked_together_as_each_alone(three_cities):
    together = check_reports(three_cities)
    assert list(together) == [r.pk for r in three_cities]
    cache.clear()
    alone = [check_report(r, drafts=False) for r in three_cities]
    assert results(together.values()) == results(alone)
    assert together[three_cities[0].pk].prior_report.year == 2022  # each its own last year
    assert together[three_cities[1].pk].discrepancies  # the broken sum is found


def test_several_reports_cost_as_many_queries_as_one(three_cities):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Read with their cities, as the province's view reads them.
    three_cities = list(
        AnnualReport.private_objects.filter(pk__in=[r.pk for r in three_cities])
        .select_related("region")
        .order_by("pk")
    )
    with_indicators([])  # kept, as after any page (hotline.reference)
    cache.clear()
    with CaptureQueriesContext(connection) as one:
        check_reports(three_cities[:1])
    cache.clear()
    with CaptureQueriesContext(connection) as three:
        check_reports(three_cities)
    # The versions of the cities' data, the six reads, and the reference version (as above).
    assert len(three) == len(one) == 7 + 1


def test_several_reports_reuse_the_results_kept(three_cities, django_assert_num_queries):
    kept = [check_report(r, drafts=False) for r in three_cities[:2]]
    with django_assert_num_queries(1 + 6 + 1):  # the versions, the third's reads (as above)
        together = check_reports(three_cities)
    assert results(list(together.values())[:2]) == results(kept)
    with django_assert_num_queries(1):  # all kept now: only the versions
        check_reports(three_cities)
