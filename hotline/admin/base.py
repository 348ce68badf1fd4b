"""What every hotline admin shares: history, the city and year filters, and the one rule that
a report's records can be changed only while the report is a draft."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from hotline.models import AnnualReport, Region

EDITABLE_STATUSES = frozenset({AnnualReport.Status.DRAFT})


def is_editable(report: AnnualReport | None) -> bool:
    """Whether a report's figures and records may change; reviewers reopen it otherwise."""
    return report is None or report.status in EDITABLE_STATUSES


def editable_reports(prefix: str = "") -> Q:
    """The same rule as a filter, for rows reached through `prefix` (e.g. "report__")."""
    return Q(**{f"{prefix}status__in": EDITABLE_STATUSES})


def _prefix(path: str) -> str:
    return f"{path}__" if path else ""


class HotlineAdmin(SimpleHistoryAdmin):
    """Every hotline model: history, and reverting to an old version only for those who may
    change the record as it is now."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple_history saves a posted revert even when it hides the button; refuse it here.
        if request.method == "POST":
            current = self.get_object(request, unquote(object_id))
            if current is None or not self.has_change_permission(request, current):
                raise PermissionDenied
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
        field, _sep, rest = self.report_path.partition("__")
        if field and db_field.name == field:
            queryset = kwargs.get("queryset")
            if queryset is None:
                queryset = db_field.remote_field.model._default_manager.all()
            kwargs["queryset"] = queryset.filter(editable_reports(_prefix(rest)))
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
        years = AnnualReport.objects.order_by("-year").values_list("year", flat=True).distinct()
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
