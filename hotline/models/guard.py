"""The model layer's half of the one edit guard: only a draft report and its records change.

Services, the admin, the importer and the API call `AnnualReport.ensure_editable()` on the
report they have locked, and show its message; these receivers refuse the same write from any
other code that saves or deletes a record, so that the rule holds even where a caller forgot.
Bulk writes (`bulk_create`, `update`) send no signals: the importer and the demo data call the
guard themselves. Fixtures (`loaddata`, raw saves) load published reports as they were.
"""

from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save
from django.dispatch import receiver

from .catalogue import SharingMethod
from .records import DataSharingRequest, EpisodeGuest, LivestreamEpisode, PolicyDocument
from .regions import Department
from .reports import AnnualReport, AppealCount, Figure, ReportLocked

DRAFT = AnnualReport.Status.DRAFT
LINKS = (
    DataSharingRequest.recipients.through,
    DataSharingRequest.methods.through,
    PolicyDocument.issuers.through,
)
# Each model whose rows belong to a report, and the path from it to its report.
REPORT_PATHS = {
    AnnualReport: "",
    Figure: "report",
    AppealCount: "report",
    LivestreamEpisode: "report",
    DataSharingRequest: "report",
    PolicyDocument: "report",
    EpisodeGuest: "episode__report",
    DataSharingRequest.recipients.through: "datasharingrequest__report",
    DataSharingRequest.methods.through: "datasharingrequest__report",
    PolicyDocument.issuers.through: "policydocument__report",
}


def report_of(row) -> AnnualReport:
    for name in filter(None, REPORT_PATHS[type(row)].split("__")):
        row = getattr(row, name)
    return row


def _refuse_locked(rows: QuerySet):
    """One query: the first row of `rows` whose report is not a draft, refused."""
    path = REPORT_PATHS[rows.model]
    prefix = f"{path}__" if path else ""
    locked = rows.exclude(**{f"{prefix}status": DRAFT}).values_list(f"{prefix}pk", flat=True)
    report_id = locked.first()
    if report_id is not None:
        raise ReportLocked(AnnualReport.private_objects.select_related("region").get(pk=report_id))


def refuse_changes_to_locked_reports(sender, instance, raw=False, **kwargs):
    if raw:
        instance._loaded_raw = True  # loaddata sets its many-to-many links next
        return
    if sender is AnnualReport:
        stored = getattr(instance, "_stored_status", None)
        if stored not in (None, DRAFT) and not getattr(instance, "_workflow_step", False):
            raise ReportLocked(instance)
    else:
        report_of(instance).ensure_editable()


@receiver(post_save, sender=AnnualReport)
def remember_stored_status(sender, instance, **kwargs):
    instance._stored_status = instance.status


def refuse_deletes_from_locked_reports(sender, instance, origin=None, **kwargs):
    # Every row a deletion reaches hangs from its origin: checking the origin once covers them.
    if getattr(origin, "_report_guard_checked", False):
        return
    if isinstance(origin, QuerySet) and origin.model in REPORT_PATHS:
        _refuse_locked(origin)
    elif type(origin) in REPORT_PATHS:
        report_of(origin).ensure_editable()
    else:  # reached from elsewhere: this row's own report
        _refuse_locked(sender._default_manager.filter(pk=instance.pk))
        return
    origin._report_guard_checked = True


def refuse_links_of_locked_reports(sender, instance, action, reverse, model, pk_set, **kwargs):
    if not action.startswith("pre_"):
        return
    if getattr(instance, "_loaded_raw", False):
        return
    if not reverse:
        report_of(instance).ensure_editable()
    elif action == "pre_clear":  # department.sharing_requests.clear(): every record it names
        source = f"{instance._meta.model_name}"
        _refuse_locked(sender._default_manager.filter(**{source: instance}))
    else:
        _refuse_locked(model._default_manager.filter(pk__in=pk_set))


# Connected model by model: a receiver for every model would cost every other deletion its
# fast path (Django fetches the rows of a delete that any pre_delete receiver may see).
for _model in REPORT_PATHS:
    if _model in LINKS:
        m2m_changed.connect(refuse_links_of_locked_reports, sender=_model)
    else:
        pre_save.connect(refuse_changes_to_locked_reports, sender=_model)
        pre_delete.connect(refuse_deletes_from_locked_reports, sender=_model)


@receiver(pre_delete, sender=Department)
@receiver(pre_delete, sender=SharingMethod)
def refuse_unlinking_locked_records(sender, instance, **kwargs):
    """Deleting a department or a method would drop its links to records (they cascade):
    refused while a report that is not a draft holds such a record."""
    for through in LINKS:
        field = instance._meta.model_name
        if any(f.name == field for f in through._meta.fields):
            _refuse_locked(through._default_manager.filter(**{field: instance}))
