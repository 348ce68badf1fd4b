"""The publishing workflow: draft → in review → published, and back to draft with a reason."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.models import AnnualReport, ReportEvent
from hotline.roles import PUBLISH_PERMISSION

Status = AnnualReport.Status


def can_publish(user) -> bool:
    return user.has_perm(PUBLISH_PERMISSION)


def _locked(report):
    return AnnualReport.objects.select_for_update().get(pk=report.pk)


def _step(report, *, by, action, to, allowed_from, reason=""):
    if report.status not in allowed_from:
        raise ValidationError(
            _("%(report)s is %(status)s; it cannot be %(action)s.")
            % {
                "report": report,
                "status": report.get_status_display(),
                "action": ReportEvent.Action(action).label,
            }
        )
    report.status = to
    now = timezone.now()
    if to == Status.REVIEW:
        report.submitted_at = now
    if to == Status.PUBLISHED:
        report.published_at, report.published_by = now, by
    report._change_reason = reason or ReportEvent.Action(action).label
    report.save()
    ReportEvent.objects.create(report=report, action=action, by=by, reason=reason)
    return report


@transaction.atomic
def report_submit(*, report: AnnualReport, by) -> AnnualReport:
    return _step(
        _locked(report), by=by, action="submit", to=Status.REVIEW, allowed_from={Status.DRAFT}
    )


@transaction.atomic
def report_publish(*, report: AnnualReport, by) -> AnnualReport:
    if not can_publish(by):
        raise PermissionDenied(_("Only a reviewer can publish a report."))
    return _step(
        _locked(report),
        by=by,
        action="publish",
        to=Status.PUBLISHED,
        allowed_from={Status.DRAFT, Status.REVIEW},
    )


@transaction.atomic
def report_reopen(*, report: AnnualReport, by, reason: str) -> AnnualReport:
    if not can_publish(by):
        raise PermissionDenied(_("Only a reviewer can reopen a report."))
    if not reason.strip():
        raise ValidationError(_("Say why the report is reopened."))
    return _step(
        _locked(report),
        by=by,
        action="reopen",
        to=Status.DRAFT,
        allowed_from={Status.REVIEW, Status.PUBLISHED},
        reason=reason.strip(),
    )
