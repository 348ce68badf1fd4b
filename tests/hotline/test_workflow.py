import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from hotline import roles
from hotline.models import AnnualReport, Region, ReportEvent
from hotline.services.reports import report_publish, report_reopen, report_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    return AnnualReport.private_objects.create(region=Region.objects.get(slug="huaian"), year=2024)


def test_the_groups_exist_with_the_publish_permission_for_reviewers_only():
    reviewers = Group.objects.get(name=roles.REVIEWERS)
    data_entry = Group.objects.get(name=roles.DATA_ENTRY)
    assert reviewers.permissions.filter(codename="publish_annualreport").exists()
    assert not data_entry.permissions.filter(codename="publish_annualreport").exists()
    assert data_entry.permissions.filter(codename="change_figure").exists()


def test_data_entry_submits_but_cannot_publish(draft, data_entry_user):
    report_submit(report=draft, by=data_entry_user)
    with pytest.raises(PermissionDenied):
        report_publish(report=draft, by=data_entry_user)
    draft.refresh_from_db()
    assert draft.status == AnnualReport.Status.REVIEW
    assert draft.published_at is None


def test_a_reviewer_publishes_and_the_step_is_recorded(draft, reviewer_user):
    report_submit(report=draft, by=reviewer_user)
    report_publish(report=draft, by=reviewer_user)
    draft.refresh_from_db()
    assert draft.status == AnnualReport.Status.PUBLISHED
    assert draft.published_by == reviewer_user and draft.published_at is not None
    assert list(draft.events.values_list("action", flat=True)) == ["submit", "publish"]


def test_reopening_needs_a_reviewer_and_a_reason(report_2023, reviewer_user, data_entry_user):
    with pytest.raises(PermissionDenied):
        report_reopen(report=report_2023, by=data_entry_user, reason="更正")
    with pytest.raises(ValidationError):
        report_reopen(report=report_2023, by=reviewer_user, reason="  ")
    report_reopen(report=report_2023, by=reviewer_user, reason="更正话务表")
    report_2023.refresh_from_db()
    assert report_2023.status == AnnualReport.Status.DRAFT
    assert ReportEvent.objects.get(report=report_2023, action="reopen").reason == "更正话务表"


def test_a_step_out_of_order_is_refused(report_2023, reviewer_user):
    with pytest.raises(ValidationError):
        report_submit(report=report_2023, by=reviewer_user)


def test_only_published_records_are_public(draft, report_2023, django_user_model, data_entry_user):
    from django.contrib.auth.models import AnonymousUser

    from hotline.models import DataSharingRequest, Figure

    DataSharingRequest.private_objects.create(
        report=draft, region=draft.region, group_number=1, line=1, scope="全量", records=5
    )
    # Staff in no group may log in to the admin but not view reports: they see what anyone does.
    staff_without_group = django_user_model.objects.create_user("nogroup", is_staff=True)
    for user in (AnonymousUser(), staff_without_group):
        assert set(AnnualReport.private_objects.visible_to(user)) == {report_2023}
        assert not DataSharingRequest.private_objects.visible_to(user).filter(report=draft)
    assert set(AnnualReport.public_objects.all()) == {report_2023}
    assert set(AnnualReport.private_objects.visible_to(data_entry_user)) == {report_2023, draft}
    assert not DataSharingRequest.public_objects.filter(report=draft).exists()
    assert DataSharingRequest.private_objects.visible_to(data_entry_user).filter(report=draft)
    assert Figure.private_objects.published().for_region("huaian").for_year(2023).count() == 122
