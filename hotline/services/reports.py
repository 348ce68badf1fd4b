"""The publishing workflow: draft → in review → published, and back to draft with a reason.

Which step may start from which status is the table `hotline.models.WORKFLOW`; these functions
run a step, each in one transaction, on the report locked against concurrent steps.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hotline.checks import check_report
from hotline.freshness import report_visibility_changed
from hotline.models import WORKFLOW, AnnualReport, ReportEvent
from hotline.roles import can_publish
from hotline.signals import report_published

Status = AnnualReport.Status
Step = ReportEvent.Action


def _locked(report):
    return AnnualReport.private_objects.select_for_update().get(pk=report.pk)


def _moved(given, report):
    """The caller's copy of the report takes its new status too: records it holds then pass
    the edit guard (or not) as the stored report says."""
    for name in ("status", "submitted_at", "published_at", "published_by_id", "updated_at"):
        setattr(given, name, getattr(report, name))
    given._stored_status = report.status
    return report


def _ensure_allowed(report, step):
    if report.status not in WORKFLOW[step][0]:
        verbs = {
            Step.SUBMIT: _("submitted for review"),
            Step.PUBLISH: _("published"),
            Step.REOPEN: _("reopened"),
        }
        raise ValidationError(
            _("%(report)s is %(status)s and cannot be %(action)s.")
            % {"report": report, "status": report.get_status_display(), "action": verbs[step]}
        )


def _step(report, *, by, step, reason=""):
    _ensure_allowed(report, step)
    was_public = report.is_published
    report.status = WORKFLOW[step][1]
    now = timezone.now()
    if report.status == Status.REVIEW:
        report.submitted_at = now
    if report.status == Status.PUBLISHED:
        report.published_at, report.published_by = now, by
    report._change_reason = reason or Step(step).label
    report._workflow_step = True
    report.save()
    report._workflow_step = False
    ReportEvent.objects.create(report=report, action=step, by=by, reason=reason)
    if was_public or report.is_published:
        report_visibility_changed(report)
    if report.is_published:
        # Robust: the publication stands whatever a receiver does with it.
        transaction.on_commit(
            lambda: report_published.send_robust(sender=AnnualReport, report=report)
        )
    return report


@transaction.atomic
def report_submit(*, report: AnnualReport, by) -> AnnualReport:
    return _moved(report, _step(_locked(report), by=by, step=Step.SUBMIT))


@transaction.atomic
def report_publish(*, report: AnnualReport, by, reason: str = "") -> AnnualReport:
    """Publish; a report whose figures disagree needs a reviewer's reason, kept on the record."""
    if not can_publish(by):
        raise PermissionDenied(_("Only a reviewer can publish a report."))
    given, report = report, _locked(report)
    _ensure_allowed(report, Step.PUBLISH)
    reason = reason.strip()
    # The reviewer publishes what they checked: last year's draft counts here, as it does on
    # their screens (a public page compares with published years only).
    found = len(check_report(report, drafts=True).discrepancies)
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
    return _moved(given, _step(report, by=by, step=Step.PUBLISH, reason=reason))


@transaction.atomic
def report_reopen(*, report: AnnualReport, by, reason: str) -> AnnualReport:
    if not can_publish(by):
        raise PermissionDenied(_("Only a reviewer can reopen a report."))
    if not reason.strip():
        raise ValidationError(_("Say why the report is reopened."))
    return _moved(report, _step(_locked(report), by=by, step=Step.REOPEN, reason=reason.strip()))
