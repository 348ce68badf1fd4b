"""The publishing workflow: draft → in review → published, and back to draft with a reason."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hotline.checks import check_report
from hotline.models import AnnualReport, ReportEvent
from hotline.roles import PUBLISH_PERMISSION

Status = AnnualReport.Status


def can_publish(user) -> bool:
    return user.has_perm(PUBLISH_PERMISSION)


def _locked(report):
    return AnnualReport.objects.select_for_update().get(pk=report.pk)


def _ensure_allowed(report, *, action, allowed_from):
    if report.status not in allowed_from:
        verbs = {
            "submit": _("submitted for review"),
            "publish": _("published"),
            "reopen": _("reopened"),
        }
        raise ValidationError(
            _("%(report)s is %(status)s and cannot be %(action)s.")
            % {"report": report, "status": report.get_status_display(), "action": verbs[action]}
        )


def _step(report, *, by, action, to, allowed_from, reason=""):
    _ensure_allowed(report, action=action, allowed_from=allowed_from)
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
def report_publish(*, report: AnnualReport, by, reason: str = "") -> AnnualReport:
    """Publish; a report whose figures disagree needs a reviewer's reason, kept on the record."""
    if not can_publish(by):
        raise PermissionDenied(_("Only a reviewer can publish a report."))
    report = _locked(report)
    allowed_from = {Status.DRAFT, Status.REVIEW}
    _ensure_allowed(report, action="publish", allowed_from=allowed_from)
    reason = reason.strip()
    found = len(check_report(report).discrepancies)
    if found and not reason:
        raise ValidationError(
            ngettext(
                "%(count)d figure check finds a discrepancy; say why the report is published "
                "as it is.",
                "%(count)d figure checks find discrepancies; say why the report is published "
                "as it is.",
                found,
            )
            % {"count": found},
            code="discrepancies",
        )
    return _step(
        report,
        by=by,
        action="publish",
        to=Status.PUBLISHED,
        allowed_from=allowed_from,
        reason=reason,
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
