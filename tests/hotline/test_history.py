"""Who changed what, when, from what to what: in the admin, and by bulk actions."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from hotline.models import AnnualReport, Figure, ReportEvent

from . import factories as f
from .admin_forms import form_data

pytestmark = pytest.mark.django_db

Status = AnnualReport.Status


def run_action(client, model, action, *objects, **extra):
    return client.post(
        reverse(f"admin:hotline_{model._meta.model_name}_changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects], **extra},
        follow=True,
    )


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_a_change_in_the_admin_is_recorded_with_who_and_from_what_to_what(
    client, data_entry_user, reviewer_user
):
    figure = f.make_figure(f.make_report(), f.make_indicator(), value=5)
    client.force_login(data_entry_user)
    url = reverse("admin:hotline_figure_change", args=[figure.pk])
    client.post(url, form_data(client.get(url), value="6", note="更正"))

    latest = figure.history.first()
    assert latest.history_user == data_entry_user and latest.history_type == "~"
    delta = latest.diff_against(latest.prev_record)
    assert {(c.field, c.old, c.new) for c in delta.changes} >= {("note", "", "更正")}
    assert {c.field for c in delta.changes} == {"value", "note"}

    client.force_login(reviewer_user)
    page = client.get(reverse("admin:hotline_figure_history", args=[figure.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "clerk" in text and "更正" in text


def test_publishing_several_reports_is_recorded_for_each(client, reviewer_user):
    reports = [f.make_report(status=Status.REVIEW), f.make_report()]
    client.force_login(reviewer_user)
    run_action(client, AnnualReport, "publish_reports", *reports)
    for report in reports:
        latest = report.history.first()
        assert latest.status == Status.PUBLISHED
        assert latest.history_user == reviewer_user
        assert ReportEvent.objects.get(report=report, action="publish").by == reviewer_user


def test_one_refusal_leaves_every_selected_report_as_it_was(client, reviewer_user):
    review, draft = f.make_report(status=Status.REVIEW), f.make_report()
    published = f.make_report(status=Status.PUBLISHED)  # cannot be published again
    client.force_login(reviewer_user)
    response = run_action(client, AnnualReport, "publish_reports", review, published, draft)

    for report, status in (
        (review, Status.REVIEW),
        (published, Status.PUBLISHED),
        (draft, "draft"),
    ):
        report.refresh_from_db()
        assert report.status == status
    assert not ReportEvent.objects.filter(report__in=[review, draft]).exists()
    assert review.history.count() == draft.history.count() == 1
    messages = messages_of(response)
    assert any(str(published) in m for m in messages)
    assert any("3" in m for m in messages)  # none of the three was changed


def test_reopening_several_is_all_or_nothing_too(client, reviewer_user):
    first, second = f.make_report(status=Status.PUBLISHED), f.make_report()  # a draft already
    client.force_login(reviewer_user)
    run_action(client, AnnualReport, "reopen_reports", first, second, post="yes", reason="更正")
    first.refresh_from_db()
    assert first.status == Status.PUBLISHED


def test_deleting_several_records_is_recorded_with_who(client, data_entry_user):
    report = f.make_report()
    figures = [f.make_figure(report, f.make_indicator(), value=n) for n in (1, 2)]
    client.force_login(data_entry_user)
    run_action(client, Figure, "delete_selected", *figures, post="yes")
    assert not Figure.private_objects.filter(pk__in=[x.pk for x in figures]).exists()
    deleted = Figure.history.filter(id__in=[x.pk for x in figures], history_type="-")
    assert deleted.count() == 2
    assert {h.history_user for h in deleted} == {data_entry_user}


def test_the_history_reads_as_printed_with_translated_headers(client, reviewer_user):
    """Once: reason "None", an untranslated "CHANGES" header and "1500000.0000"."""
    figure = f.make_figure(f.make_report(), f.make_indicator(), value=1438746)
    client.force_login(reviewer_user)
    url = reverse("admin:hotline_figure_change", args=[figure.pk])
    client.post(url, form_data(client.get(url), value="1500000"))
    page = client.get(reverse("admin:hotline_figure_history", args=[figure.pk]))
    text = page.content.decode()
    assert "1,438,746&nbsp;&rarr;&nbsp;1,500,000" in text
    assert "1500000.0000" not in text and "1438746.0000" not in text
    assert '<td class="history-reason"></td>' in text and ">None<" not in text
    assert "改动内容" in text and "Changes" not in text
