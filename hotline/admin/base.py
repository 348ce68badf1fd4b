"""What every hotline admin shares: history, refusing a save over someone else's, the city and
year filters, and the one rule that a report's records can be changed only while the report is a
draft."""

import hashlib
import json
from decimal import Decimal

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.db.models import Q
from django.forms.models import _get_foreign_key
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from hotline.models import AnnualReport, Region
from hotline.numbers import format_number


def is_editable(report: AnnualReport | None) -> bool:
    """Whether a report's figures and records may change (AnnualReport.is_editable)."""
    return report is None or report.is_editable


def _prefix(path: str) -> str:
    return f"{path}__" if path else ""


VERSION_FIELD = "_version"


def record_digest(obj, children=()) -> str:
    """What a record holds now, as a short digest: its fields, its many-to-many links and the
    rows edited with it (inlines). Any change by anyone, however made, changes it."""
    parts = []
    for record in (obj, *children):
        opts = record._meta
        parts.append([opts.label, *(f.value_to_string(record) for f in opts.concrete_fields)])
        for field in opts.many_to_many:
            parts.append(sorted(getattr(record, field.name).values_list("pk", flat=True)))
    text = json.dumps(parts, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class ConcurrentEditMixin:
    """Optimistic concurrency for the change form and the revert form.

    The form carries the digest of the record as it was drawn (VERSION_FIELD); saving locks the
    row and compares. If someone else saved in between, the save is refused and theirs is kept.
    A page drawn again after a refusal keeps the old digest, so saving again is refused too
    until the record is opened afresh and the other person's values are seen.
    """

    def record_version(self, request, obj) -> str:
        children = []
        for inline in self.get_inline_instances(request, obj):
            fk = _get_foreign_key(type(obj), inline.model, fk_name=inline.fk_name)
            children.extend(inline.model._default_manager.filter(**{fk.name: obj}).order_by("pk"))
        return record_digest(obj, children)

    def _drawn_version(self, request, obj):
        if request.method == "POST" and VERSION_FIELD in request.POST:
            return request.POST[VERSION_FIELD]
        current = type(obj)._default_manager.filter(pk=obj.pk).first()
        return self.record_version(request, current) if current else ""

    def check_version(self, request, obj):
        """Raise ValidationError unless the record is still as the form was drawn. Locks it."""
        current = type(obj)._default_manager.select_for_update().filter(pk=obj.pk).first()
        if current is None:
            raise ValidationError(gettext("Someone else deleted this record meanwhile."))
        if request.POST.get(VERSION_FIELD) == self.record_version(request, current):
            return
        last = current.history.select_related("history_user").first()
        who = (last and last.history_user) or gettext("someone else")
        when = formats.date_format(
            timezone.localtime(last.history_date) if last else timezone.localtime(),
            "DATETIME_FORMAT",
        )
        raise ValidationError(
            gettext(
                "%(who)s saved this record at %(when)s, after you opened it. Your changes were "
                "not saved, so as not to overwrite theirs: open the record again to see what "
                "it holds now, then make your changes again."
            )
            % {"who": who, "when": when},
            code="stale",
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if request.method != "POST" or obj is None or obj.pk is None:
            return form
        model_admin = self

        class VersionCheckedForm(form):
            def clean(self):
                cleaned = super().clean()
                model_admin.check_version(request, self.instance)
                return cleaned

        VersionCheckedForm.__name__ = form.__name__
        return VersionCheckedForm

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            context["version_field"] = VERSION_FIELD
            context["version_token"] = self._drawn_version(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)


def printed_text(value, record, field: str) -> str | None:
    """A stored number (1500000.0000) as printed, with the decimals its version keeps beside it
    (1,500,000; 92.30%); None for a field that keeps no printed decimals."""
    decimals_field = getattr(record.instance_type, "PRINTED_DECIMALS", {}).get(field)
    if decimals_field is None or value is None:
        return None
    text = format_number(Decimal(value), getattr(record, decimals_field, 0) or 0)
    indicator = getattr(record, "indicator", None) if field == "value" else None
    if indicator is not None and indicator.kind == indicator.Kind.RATE:
        text += "%"
    return text


class PrintedHistory(HistoricalRecordContextHelper):
    """The admin's history shows numbers as the report prints them, not as they are stored."""

    def prepare_delta_change_value(self, change, value):
        # The newer version is self.record; the old value has its own version's decimals.
        record = self.record
        if value is change.old and record.prev_record is not None:
            record = record.prev_record
        printed = printed_text(value, record, change.field)
        return printed if printed is not None else super().prepare_delta_change_value(change, value)


class HotlineAdmin(ConcurrentEditMixin, SimpleHistoryAdmin):
    """Every hotline model: history, no save over someone else's, and reverting to an old
    version only for those who may change the record as it is now."""

    change_form_template = "admin/hotline/change_form.html"
    object_history_form_template = "admin/hotline/object_history_form.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return PrintedHistory(self.model, historical_record)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        current = self.get_object(request, unquote(object_id))
        # simple_history saves a posted revert even when it hides the button; refuse it here.
        if request.method == "POST" and (
            current is None or not self.has_change_permission(request, current)
        ):
            raise PermissionDenied
        extra_context = dict(extra_context or {})
        if current is not None:
            extra_context |= {
                "version_field": VERSION_FIELD,
                "version_token": self._drawn_version(request, current),
            }
        # A revert writes the record, its links and the log: all of it or none.
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)


class ReportRecordAdmin(HotlineAdmin):
    """A record that belongs to an annual report, reached through `report_path`
    ("" for the report itself, "episode__report" for a guest)."""

    report_path = "report"

    def report_of(self, obj):
        for name in filter(None, self.report_path.split("__")):
            obj = getattr(obj, name)
        return obj

    def has_change_permission(self, request, obj=None):
        if obj is not None and not is_editable(self.report_of(obj)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not is_editable(self.report_of(obj)):
            return False
        return super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # The field that leads to the report ("report", "episode") offers only draft reports.
        field = self.report_path.partition("__")[0]
        if field and db_field.name == field:
            queryset = kwargs.get("queryset")
            if queryset is None:
                queryset = db_field.remote_field.model._default_manager.all()
            kwargs["queryset"] = queryset.editable()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReportRecordInline:
    """Mixin for an inline whose parent belongs to a report, reached from the parent by
    `parent_report_path`."""

    parent_report_path = "report"

    def _editable(self, obj):
        if obj is None:
            return True
        for name in self.parent_report_path.split("__"):
            obj = getattr(obj, name)
        return is_editable(obj)

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class JoinedRelatedListFilter(admin.RelatedFieldListFilter):
    """A related-field filter whose choices are named across a relation (a table's name has
    its section's), fetched in one query rather than one per choice."""

    def field_choices(self, field, request, model_admin):
        choices = field.related_model._default_manager.select_related()
        return [(obj.pk, str(obj)) for obj in choices]


class CityListFilter(admin.SimpleListFilter):
    """Prefecture-level cities only, whatever else the region table holds.

    Report records are filtered by their report's city. An admin that sets `city_region_path`
    (a region field, "" for regions themselves) keeps the regions within the city.
    """

    title = _("city")
    parameter_name = "city"

    def __init__(self, request, params, model, model_admin):
        self.model_admin = model_admin
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return Region.objects.cities().values_list("slug", "name")

    def queryset(self, request, queryset):
        slug = self.value()
        if not slug:
            return queryset
        region_path = getattr(self.model_admin, "city_region_path", None)
        if region_path is None:
            report = _prefix(getattr(self.model_admin, "report_path", "report"))
            return queryset.filter(**{f"{report}region__slug": slug})
        region = _prefix(region_path)
        return queryset.filter(
            Q(**{f"{region}slug": slug})
            | Q(**{f"{region}parent__slug": slug})
            | Q(**{f"{region}parent__parent__slug": slug})
        )


class YearListFilter(admin.SimpleListFilter):
    """The years that have a report, newest first."""

    title = _("year")
    parameter_name = "year"

    def __init__(self, request, params, model, model_admin):
        self.model_admin = model_admin
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        years = (
            AnnualReport.private_objects.order_by("-year").values_list("year", flat=True).distinct()
        )
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        year = self.value()
        if not year:
            return queryset
        if not year.isdigit():
            raise IncorrectLookupParameters(year)
        report = _prefix(getattr(self.model_admin, "report_path", "report"))
        return queryset.filter(**{f"{report}year": int(year)})


class ReportStatusListFilter(admin.SimpleListFilter):
    """The status of the report a record belongs to."""

    title = _("report status")
    parameter_name = "report_status"

    def __init__(self, request, params, model, model_admin):
        self.model_admin = model_admin
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return AnnualReport.Status.choices

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        report = _prefix(getattr(self.model_admin, "report_path", "report"))
        return queryset.filter(**{f"{report}status": self.value()})
