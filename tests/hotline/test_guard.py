"""The edit guard at the model layer: code that forgot to ask still cannot change a report that
is not a draft, nor its records, and is told so with the guard's one message.

A refused deletion or link change leaves the transaction it ran in to be rolled back (Django
deletes and links inside one): each refusal here runs in a savepoint of its own."""

import pytest
from django.core import serializers
from django.db import transaction
from django.db.models.deletion import Collector
from django.utils import translation

from hotline.models import (
    AnnualReport,
    DataSharingRequest,
    Department,
    EpisodeGuest,
    Figure,
    LivestreamEpisode,
    PolicyDocument,
    ReportLocked,
    SharingMethod,
)
from hotline.services.reports import report_reopen

from . import factories as f

pytestmark = pytest.mark.django_db

Status = AnnualReport.Status


def test_a_published_figure_cannot_be_saved_nor_deleted(report_2023):
    figure = report_2023.figures.first()
    figure.value += 1
    with pytest.raises(ReportLocked), transaction.atomic():
        figure.save()
    with pytest.raises(ReportLocked), transaction.atomic():
        figure.delete()
    with pytest.raises(ReportLocked), transaction.atomic():
        Figure.private_objects.filter(report=report_2023).delete()
    assert Figure.private_objects.filter(report=report_2023).count() == 122


@pytest.mark.parametrize("status", [Status.REVIEW, Status.PUBLISHED])
def test_no_record_of_a_submitted_report_changes(status):
    report = f.make_report(status=status)
    with f.as_drafts(report):
        episode = f.make_episode(report)
        guest = f.make_guest(episode)
        request = f.make_sharing_request(report)
        document = f.make_policy_document(report)
    report.refresh_from_db()
    for record in (episode, guest, request, document):
        record.refresh_from_db()
        with pytest.raises(ReportLocked), transaction.atomic():
            record.save()
        with pytest.raises(ReportLocked), transaction.atomic():
            record.delete()
    method = SharingMethod.objects.exclude(sharing_requests=request).first()
    with pytest.raises(ReportLocked), transaction.atomic():
        request.methods.add(method)
    with pytest.raises(ReportLocked), transaction.atomic():
        method.sharing_requests.add(request)  # from the other side
    with pytest.raises(ReportLocked), transaction.atomic():
        document.issuers.clear()
    with pytest.raises(ReportLocked), transaction.atomic():
        LivestreamEpisode.private_objects.create(
            report=report,
            number=99,
            aired_on="2023-01-01",
            appeals_received=1,
            answered_on_air=1,
            supervised_after=0,
        )
    assert EpisodeGuest.objects.filter(episode=episode).count() == 1


def test_a_published_report_changes_only_by_a_workflow_step(report_2023, reviewer_user):
    report_2023.title = "改过的标题"
    with pytest.raises(ReportLocked), transaction.atomic():
        report_2023.save()
    with pytest.raises(ReportLocked), transaction.atomic():
        report_2023.delete()
    assert AnnualReport.private_objects.get(pk=report_2023.pk).title != "改过的标题"


def test_a_department_that_published_records_name_cannot_be_deleted(report_2023):
    named = DataSharingRequest.private_objects.filter(report=report_2023).first()
    department = named.recipients.first()
    with pytest.raises(ReportLocked), transaction.atomic():
        department.delete()
    assert Department.objects.filter(pk=department.pk).exists()
    issuer = PolicyDocument.private_objects.filter(report=report_2023).first().issuers.first()
    with pytest.raises(ReportLocked), transaction.atomic():
        issuer.delete()


def test_a_drafts_records_change_freely_and_deleting_a_draft_takes_them_along():
    report = f.make_report()
    request = f.make_sharing_request(report)
    request.records = 5
    request.save()
    request.methods.add(SharingMethod.objects.first())
    report.delete()
    assert not DataSharingRequest.private_objects.filter(pk=request.pk).exists()


def test_the_message_is_the_one_every_entry_point_shows(report_2023):
    figure = report_2023.figures.first()
    with translation.override("zh-hans"), pytest.raises(ReportLocked) as refused:
        figure.save()
    assert refused.value.messages == [
        "淮安市 2023已发布：只有草稿报告的数据和记录可以修改。须由审核员重新打开为草稿。"
    ]


def _message(refused):
    with translation.override("zh-hans"):
        return refused.value.messages


LOCKED_2023 = "淮安市 2023已发布：只有草稿报告的数据和记录可以修改。须由审核员重新打开为草稿。"


def test_deleting_reports_in_bulk_is_refused_when_one_is_published(report_2023):
    draft = f.make_report(year=2021)
    with pytest.raises(ReportLocked) as refused, transaction.atomic():
        AnnualReport.private_objects.filter(pk__in=[draft.pk, report_2023.pk]).delete()
    assert _message(refused) == [LOCKED_2023]
    assert AnnualReport.private_objects.filter(pk__in=[draft.pk, report_2023.pk]).count() == 2


def test_a_refused_bulk_delete_costs_one_check_and_one_read_of_the_report(
    report_2023, django_assert_num_queries
):
    # The rows Django fetches for the signal, the first locked row, its report with its region
    # (the message names it): no query per row, none to render the message. Three more are the
    # savepoint's.
    with django_assert_num_queries(6), pytest.raises(ReportLocked) as refused:  # noqa: SIM117
        with transaction.atomic():
            Figure.private_objects.filter(report=report_2023).delete()
    assert _message(refused) == [LOCKED_2023]


def test_a_drafts_records_delete_in_bulk_with_one_check(django_assert_num_queries):
    report = f.make_report()
    indicators = [f.make_indicator() for _ in range(3)]
    for indicator in indicators:
        f.make_figure(report, indicator)
    # Fetch the rows, check once that none belongs to a locked report, delete them, and write
    # each row's history: no check per row.
    with django_assert_num_queries(6):
        Figure.private_objects.filter(report=report).delete()
    assert not Figure.private_objects.filter(report=report).exists()


def test_deleting_a_draft_checks_its_report_once_not_each_record(django_assert_num_queries):
    report = f.make_report()
    for _ in range(3):
        f.make_sharing_request(report)
    # Django's collector reads each related table and deletes; the guard adds no query (the
    # report in hand is a draft) for the report nor for any of its records.
    report_pk = report.pk
    with django_assert_num_queries(20):
        report.delete()
    assert not DataSharingRequest.private_objects.filter(report_id=report_pk).exists()


def test_a_workflow_step_changes_a_published_report(report_2023, reviewer_user):
    report_reopen(report=report_2023, by=reviewer_user, reason="更正数据")
    assert AnnualReport.private_objects.get(pk=report_2023.pk).status == Status.DRAFT


def _published_request(report_2023):
    return DataSharingRequest.private_objects.filter(report=report_2023).first()


def test_links_of_a_published_record_are_refused_from_the_other_side(report_2023):
    request = _published_request(report_2023)
    department = request.recipients.first()
    with pytest.raises(ReportLocked) as refused, transaction.atomic():
        department.sharing_requests.clear()
    assert _message(refused) == [LOCKED_2023]
    with pytest.raises(ReportLocked), transaction.atomic():
        department.sharing_requests.remove(request)
    document = PolicyDocument.private_objects.filter(report=report_2023).first()
    with pytest.raises(ReportLocked), transaction.atomic():
        document.issuers.first().policy_documents.clear()
    fresh = f.make_method()
    with pytest.raises(ReportLocked), transaction.atomic():
        fresh.sharing_requests.add(request)
    assert department.sharing_requests.filter(pk=request.pk).exists()
    assert not fresh.sharing_requests.exists()


def test_a_drafts_links_change_from_either_side(report_2023):
    """A department or a method that published records also name still links to a draft's."""
    published = _published_request(report_2023)
    department, method = published.recipients.first(), published.methods.first()
    draft = f.make_sharing_request(f.make_report(year=2021))
    method.sharing_requests.add(draft)
    department.sharing_requests.add(draft)
    department.sharing_requests.remove(draft)
    assert set(draft.methods.all()) >= {method}
    only_drafts = draft.recipients.first()
    only_drafts.sharing_requests.clear()
    assert not draft.recipients.exists()
    assert published.recipients.filter(pk=department.pk).exists()


def test_a_deletion_that_names_no_origin_is_still_checked_row_by_row(report_2023):
    """Django's collector used directly (as some libraries do) tells the signal no origin."""
    figure = report_2023.figures.first()
    collector = Collector(using="default")
    collector.collect([figure])
    with pytest.raises(ReportLocked) as refused, transaction.atomic():
        collector.delete()
    assert _message(refused) == [LOCKED_2023]
    assert Figure.private_objects.filter(pk=figure.pk).exists()
    draft = f.make_sharing_request(f.make_report(year=2021))
    draft_pk = draft.pk
    collector = Collector(using="default")
    collector.collect([draft])
    collector.delete()
    assert not DataSharingRequest.private_objects.filter(pk=draft_pk).exists()


def test_a_fixture_loads_published_records_and_their_links_as_they_were(report_2023):
    """A restore of a dump brings a published record's links back to what the dump holds, even
    where they changed since (loaddata sets the links only where they differ)."""
    request = _published_request(report_2023)
    recipients = set(request.recipients.values_list("pk", flat=True))
    dumped = serializers.serialize("json", [report_2023, request])
    with f.as_drafts(report_2023):
        request.recipients.remove(request.recipients.first())
    assert set(request.recipients.values_list("pk", flat=True)) < recipients
    for loaded in serializers.deserialize("json", dumped):
        loaded.save()
    assert set(request.recipients.values_list("pk", flat=True)) == recipients
