"""The public page says when a report was published and, once corrected, what changed."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from hotline.models import AnnualReport, Figure, Region
from hotline.services.reports import report_publish, report_reopen
from reports.selectors import report_corrections
from tests.hotline import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(reviewer_user):
    """A published report of a city of its own, with three figures."""
    _section, _tables, indicators = f.make_appeals_table()
    report = f.make_report(f.city(), year=2023, title="测试市2023年度报告")
    figures = {
        "total": f.make_figure(report, indicators["people_total"], value=1438746),
        "rate": f.make_figure(
            report,
            indicators["rate"],
            value=Decimal("92.30"),
            decimals=2,
            change=Decimal("1.5"),
            change_decimals=1,
        ),
        "web": f.make_figure(report, indicators["people_web"], value=19209),
    }
    report_publish(report=report, by=reviewer_user)
    report.refresh_from_db()
    report.indicators, report.figures_made = indicators, figures
    return report


def page_of(client, report):
    response = client.get(f"/reports/{report.region.slug}/{report.year}/")
    assert response.status_code == 200
    return response.content.decode()


def correct(report, reviewer_user, reason="电话数字录错了"):
    report_reopen(report=report, by=reviewer_user, reason=reason)
    report.refresh_from_db()
    figures = report.figures_made
    figures["total"].value = 1438764
    figures["total"].save()
    figures["rate"].change = Decimal("-1.5")
    figures["rate"].save()
    figures["web"].delete()
    f.make_figure(report, report.indicators["firms_total"], value=11953)
    figures["rate"].note = "口径说明"  # a note alone is not a change of the figures
    figures["rate"].save()
    report_publish(report=report, by=reviewer_user)
    report.refresh_from_db()


def test_a_report_never_corrected_says_when_it_was_published(client, report):
    page = page_of(client, report)
    assert f'datetime="{report.published_at.isoformat()}"' in page or "datetime=" in page
    assert 'id="corrections"' not in page
    corrections = report_corrections(report)
    assert corrections.first_published_at and not corrections.rounds and not corrections.figures


def test_a_corrected_report_lists_what_changed_and_why(client, report, reviewer_user):
    first_published = report.published_at
    correct(report, reviewer_user)

    corrections = report_corrections(report)
    # The workflow step is recorded a moment after the report's own stamp.
    assert abs(corrections.first_published_at - first_published) < timedelta(seconds=1)
    assert abs(corrections.corrected_at - report.published_at) < timedelta(seconds=1)
    changed = {c.indicator.code: (c.before, c.after) for c in corrections.figures}
    indicators = report.indicators
    assert set(changed) == {
        indicators["people_total"].code,
        indicators["rate"].code,
        indicators["people_web"].code,
        indicators["firms_total"].code,
    }
    before, after = changed[indicators["people_total"].code]
    assert (before.value, after.value) == (1438746, 1438764)
    assert changed[indicators["people_web"].code][1] is None  # removed
    assert changed[indicators["firms_total"].code][0] is None  # added

    page = page_of(client, report)
    section = re.search(r'<section class="corrections".*?</section>', page, re.S).group(0)
    assert "电话数字录错了" in section
    row = re.search(r"<tr>(?:(?!</tr>).)*1,438,746(?:(?!</tr>).)*</tr>", section, re.S).group(0)
    assert "1,438,764" in row
    assert "↑" in section and "↓" in section  # the rate's change went from up to down
    assert 'href="#corrections"' in page


def test_the_corrections_cost_two_queries_however_many_figures_changed(
    report, reviewer_user, django_assert_num_queries
):
    correct(report, reviewer_user)
    with django_assert_num_queries(2):  # the workflow steps; the figures' history
        few = report_corrections(report)
    report_reopen(report=report, by=reviewer_user, reason="再改")
    report.refresh_from_db()
    for n in range(5):
        f.make_figure(report, f.make_indicator(), value=n)
    report_publish(report=report, by=reviewer_user)
    with django_assert_num_queries(2):
        more = report_corrections(report)
    assert len(more.figures) == len(few.figures) + 5
    assert len(more.rounds) == 2


def test_a_reopened_report_is_not_public_until_published_again(client, report, reviewer_user):
    report_reopen(report=report, by=reviewer_user, reason="更正")
    assert client.get(f"/reports/{report.region.slug}/{report.year}/").status_code == 404


def test_the_loaded_2023_report_shows_its_correction_against_the_fixtures(
    client, report_2023, reviewer_user
):
    # Loaded as published: no publish step, but every record has its first version.
    report_reopen(report=report_2023, by=reviewer_user, reason="诉求总量更正")
    figure = Figure.private_objects.get(report=report_2023, indicator__code="appeals.total.total")
    figure.value = 1450700
    figure.save()
    report_publish(report=report_2023, by=reviewer_user, reason="核对后发布")
    corrections = report_corrections(AnnualReport.private_objects.get(pk=report_2023.pk))
    assert [(c.before.value, c.after.value) for c in corrections.figures] == [(1450699, 1450700)]
    page = page_of(client, report_2023)
    assert "诉求总量更正" in page and "1,450,699" in page and "1,450,700" in page
    assert Region.objects.get(slug="huaian")  # the page is the city's own


def test_a_corrected_register_and_policy_list_show_at_once(client, reviewer_user, settings):
    """A published report's register summary and policy documents are kept once per version of
    its data (hotline.caching.kept_for_report), the page rendered each time or not: staff see a
    reopened report's edits as they make them, and everyone the correction once published."""
    settings.PAGE_CACHE_SECONDS = 0  # what is kept here is the data, not the page
    report = AnnualReport.private_objects.get(region__slug="huaian", year=2023)
    first = report.sharing_requests.order_by("group_number", "line").first()
    before = page_of(client, report)
    assert first.scope in before and "《更正后补列的文件》" not in before

    report_reopen(report=report, by=reviewer_user, reason="共享登记更正")
    first.scope = "更正后的共享主题"
    first.save()
    client.force_login(reviewer_user)
    assert "更正后的共享主题" in page_of(client, report)
    f.make_policy_document(report, title="《更正后补列的文件》")
    draft = page_of(client, report)
    assert "更正后的共享主题" in draft and "《更正后补列的文件》" in draft
    client.logout()
    assert client.get("/reports/huaian/2023/").status_code == 404

    report_publish(report=report, by=reviewer_user, reason="核对后发布")
    after = page_of(client, report)
    assert "更正后的共享主题" in after and "《更正后补列的文件》" in after
    assert first.scope not in after.replace("更正后的共享主题", "")
