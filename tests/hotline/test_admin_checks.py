"""Where reviewers see the figure checks in the admin, and publishing despite them."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from hotline.models import AnnualReport, CheckRule, Indicator, ReportEvent
from hotline.services.reports import report_reopen

pytestmark = pytest.mark.django_db


def test_the_report_page_lists_every_discrepancy(admin_client, report_2023):
    page = admin_client.get(reverse("admin:hotline_annualreport_change", args=[report_2023.pk]))
    html = page.content.decode()
    assert "(203 × 1,421,313 + 89 × 155,517) ÷ 1,576,830 = 191.76" in html
    assert "128,080 ÷ 754,502 = 16.98%" in html
    assert "302,015 + 153,544 = 455,559" in html


def test_the_grid_marks_the_discrepant_figure_with_its_computed_value(admin_client, report_2023):
    page = admin_client.get(reverse("admin:hotline_annualreport_figures", args=[report_2023.pk]))
    talk = Indicator.objects.get(code="calls.total.avg_talk_s")
    wait = Indicator.objects.get(code="calls.inbound.avg_wait_s")
    cells = {cell.indicator.pk: cell for cell in page.context["grid"].cells}
    assert [d.computed for d in cells[talk.pk].discrepancies] == ["191.76", "228.05"]
    assert cells[wait.pk].discrepancies == []
    html = page.content.decode()
    assert 'hotline-discrepant"' in html and "191.76" in html


def test_publishing_with_discrepancies_needs_a_reason(client, reviewer_user, report_2023):
    report_reopen(report=report_2023, by=reviewer_user, reason="更正")
    client.force_login(reviewer_user)
    url = reverse("admin:hotline_annualreport_workflow", args=[report_2023.pk, "publish"])

    confirm = client.get(url)
    assert "191.76" in confirm.content.decode()  # the reviewer sees what they publish over

    refused = client.post(url, {"reason": ""})
    report_2023.refresh_from_db()
    assert report_2023.status == AnnualReport.Status.DRAFT
    assert any(
        "reason" in m.lower() or "原因" in m for m in map(str, get_messages(refused.wsgi_request))
    )

    client.post(url, {"reason": "平均通话时长按印发原文公布"})
    report_2023.refresh_from_db()
    assert report_2023.status == AnnualReport.Status.PUBLISHED
    event = ReportEvent.objects.filter(report=report_2023, action="publish").latest("pk")
    assert event.reason == "平均通话时长按印发原文公布"


def test_a_rule_whose_operands_cannot_be_evaluated_is_refused(admin_client):
    target = Indicator.objects.get(code="linkage.transfers_total")
    part = Indicator.objects.get(code="linkage.to_110")
    response = admin_client.post(
        reverse("admin:hotline_checkrule_add"),
        {
            "code": "linkage.share_wrong",
            "kind": CheckRule.Kind.SHARE,
            "target": target.pk,
            "scale": 100,
            "active": "on",
            "operands-TOTAL_FORMS": "1",
            "operands-INITIAL_FORMS": "0",
            "operands-0-order": "1",
            "operands-0-role": "part",
            "operands-0-source": "figure",
            "operands-0-indicator": part.pk,
        },
    )
    assert response.status_code == 200  # shown again with the error, not saved
    assert not CheckRule.objects.filter(code="linkage.share_wrong").exists()
