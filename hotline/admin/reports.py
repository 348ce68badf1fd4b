import tempfile
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline import writers
from hotline.checks import check_report
from hotline.importing.workbook import write_template, write_workbook
from hotline.models import AnnualReport, AppealCount, Figure, ReportEvent
from hotline.models.reports import printed
from hotline.outages import DATABASE_GONE, outage_message
from hotline.parsing import format_change, format_decimal, typed_decimals
from hotline.roles import can_publish
from hotline.services.reports import report_publish, report_reopen, report_submit

from .base import (
    CityListFilter,
    JoinedRelatedListFilter,
    ReportRecordAdmin,
    ReportStatusListFilter,
    YearListFilter,
    is_editable,
)
from .figure_grid import ADD_FIGURE, CHANGE_FIGURE, figure_grid_view
from .importing import RecordImportExportMixin


@dataclass(frozen=True)
class Step:
    """A workflow step as the admin offers it; the service decides whether it may happen."""

    name: str
    service: object
    label: str
    done: str
    permission: str  # has_<permission>_permission() decides whether the step is offered
    needs_reason: bool = False
    takes_reason: bool = False  # a reason the service asks for only sometimes


STEPS = {
    step.name: step
    for step in (
        Step(
            "submit",
            report_submit,
            gettext_lazy("Submit for review"),
            gettext_lazy("%(report)s was submitted for review."),
            "change",
        ),
        Step(
            "publish",
            report_publish,
            gettext_lazy("Publish"),
            gettext_lazy("%(report)s was published."),
            "publish",
            takes_reason=True,
        ),
        Step(
            "reopen",
            report_reopen,
            gettext_lazy("Reopen as draft"),
            gettext_lazy("%(report)s was reopened as a draft."),
            "publish",
            needs_reason=True,
        ),
    )
}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is it reopened?"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=gettext_lazy("Kept with the report's workflow history."),
    )


class PublishReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why publish despite the discrepancies?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=gettext_lazy(
            "Needed only when the figure checks found discrepancies; kept with the report's "
            "workflow history."
        ),
    )


class ReportEventInline(admin.TabularInline):
    """The workflow history, read-only: it is written only by the workflow."""

    model = ReportEvent
    fields = ("at", "action", "by", "reason")
    readonly_fields = fields
    ordering = ("at",)
    extra = 0
    can_delete = False
    verbose_name_plural = gettext_lazy("workflow history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")

    def has_view_permission(self, request, obj=None):
        # Whoever may see a report may see how it got where it is.
        return request.user.has_perm("hotline.view_annualreport")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AnnualReport)
class AnnualReportAdmin(ReportRecordAdmin):
    report_path = ""
    list_display = (
        "__str__",
        "title",
        "status",
        "submitted_at",
        "published_at",
        "is_synthetic",
        "figures_link",
    )
    list_select_related = ("region",)
    list_filter = (CityListFilter, YearListFilter, "status", "is_synthetic")
    search_fields = ("title", "region__name", "region__name_en", "region__slug")
    readonly_fields = (
        "status",
        "submitted_at",
        "published_at",
        "published_by",
        "updated_at",
        "figure_checks",
        "is_synthetic",
    )
    fieldsets = (
        (None, {"fields": ("region", "year", "title", "status", "is_synthetic")}),
        (gettext_lazy("Figure checks"), {"fields": ("figure_checks",)}),
        (gettext_lazy("Population"), {"fields": ("population", "population_source")}),
        (gettext_lazy("Source"), {"fields": ("source", "staff_note")}),
        (
            gettext_lazy("Workflow"),
            {"fields": ("submitted_at", "published_at", "published_by", "updated_at")},
        ),
    )
    inlines = (ReportEventInline,)
    actions = ("submit_reports", "publish_reports", "reopen_reports")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("region", "published_by")

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/figures/",
                view(self.figures_view),
                name="hotline_annualreport_figures",
            ),
            path(
                "<path:object_id>/workbook/",
                view(self.workbook_view),
                name="hotline_annualreport_workbook",
            ),
            path(
                "<path:object_id>/workflow/<slug:step>/",
                view(self.workflow_view),
                name="hotline_annualreport_workflow",
            ),
            *super().get_urls(),
        ]

    def has_publish_permission(self, request):
        return can_publish(request.user)

    @admin.display(description=gettext_lazy("figures"))
    def figures_link(self, obj):
        url = reverse("admin:hotline_annualreport_figures", args=[obj.pk])
        label = _("Edit figures") if is_editable(obj) else _("View figures")
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description=gettext_lazy("discrepancies"))
    def figure_checks(self, obj):
        if obj.pk is None:
            return "—"
        return render_to_string(
            "admin/hotline/annualreport/_discrepancies.html",
            {"checks": check_report(obj, drafts=True)},
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        # A report not yet saved has nothing to check.
        return (
            fieldsets if obj else [fs for fs in fieldsets if "figure_checks" not in fs[1]["fields"]]
        )

    def save_model(self, request, obj, form, change):
        # Only the workflow moves a report; reverting to an old version must not.
        if change:
            current = AnnualReport.private_objects.get(pk=obj.pk)
            for name in ("status", "submitted_at", "published_at", "published_by_id"):
                setattr(obj, name, getattr(current, name))
        super().save_model(request, obj, form, change)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["figures_url"] = reverse("admin:hotline_annualreport_figures", args=[obj.pk])
            context["figures_editable"] = is_editable(obj) and request.user.has_perm(CHANGE_FIGURE)
            workbook_url = reverse("admin:hotline_annualreport_workbook", args=[obj.pk])
            context["workbook_url"] = workbook_url
            context["template_url"] = f"{workbook_url}?year={obj.year + 1}"
            context["template_year"] = obj.year + 1
            if context["figures_editable"] and request.user.has_perm(ADD_FIGURE):
                context["figures_import_url"] = reverse("admin:hotline_figure_import")
            context["workflow_steps"] = [
                (step.label, reverse("admin:hotline_annualreport_workflow", args=[obj.pk, name]))
                for name, step in STEPS.items()
                if self._offered(request, step, obj)
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _offered(self, request, step, report=None):
        allowed = getattr(self, f"has_{step.permission}_permission")(request)
        return allowed and (report is None or step.name in report.allowed_steps())

    # The steps, from the change page.

    def figures_view(self, request, object_id):
        return figure_grid_view(self, request, unquote(object_id))

    def workbook_view(self, request, object_id):
        """The report laid out as printed, to fill in and import back; for a report without
        figures, the blank template beside last year's figures."""
        report = self.get_object(request, unquote(object_id))
        if report is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, report):
            raise PermissionDenied
        year = report.year
        out = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        if request.GET.get("year") == str(report.year + 1):
            # Next year's blank template, beside this report's figures.
            year = report.year + 1
            write_template(report.region, year, out)
        else:
            write_workbook(report, out)
        out.seek(0)
        return FileResponse(
            out,
            as_attachment=True,
            filename=f"{report.region.slug}-{year}.xlsx",
            content_type=writers.CONTENT_TYPES["xlsx"],
        )

    def workflow_view(self, request, object_id, step):
        report = self.get_object(request, unquote(object_id))
        if report is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if step not in STEPS or not self.has_view_permission(request, report):
            raise PermissionDenied
        step = STEPS[step]
        data = request.POST if request.method == "POST" else None
        form = None
        if step.needs_reason:
            form = ReasonForm(data)
        elif step.takes_reason:
            form = PublishReasonForm(data)
        if request.method == "POST":
            if form is None or form.is_valid():
                reason = form.cleaned_data["reason"] if form else ""
                self._run(request, [report], step, reason)
                return redirect("admin:hotline_annualreport_change", report.pk)
        elif not self._offered(request, step, report):
            # Not offered, so not shown; a POST still reaches the service, which refuses it.
            raise PermissionDenied
        return self._confirm(request, [report], step, form)

    # The same steps as actions of the list.

    @admin.action(description=gettext_lazy("Submit for review"), permissions=["change"])
    def submit_reports(self, request, queryset):
        self._run(request, queryset, STEPS["submit"])

    @admin.action(description=gettext_lazy("Publish"), permissions=["publish"])
    def publish_reports(self, request, queryset):
        self._run(request, queryset, STEPS["publish"])

    @admin.action(description=gettext_lazy("Reopen as draft"), permissions=["publish"])
    def reopen_reports(self, request, queryset):
        form = ReasonForm(request.POST if request.POST.get("post") else None)
        if form.is_valid():
            self._run(request, queryset, STEPS["reopen"], form.cleaned_data["reason"])
            return None
        return self._confirm(request, list(queryset), STEPS["reopen"], form, "reopen_reports")

    def _run(self, request, reports, step, reason=""):
        """Take the step for every report in one transaction: if any report is refused, none
        moves, and each refusal is said."""
        kwargs = {"reason": reason} if step.needs_reason or step.takes_reason else {}
        if step.permission == "change" and not self.has_change_permission(request):
            self.message_user(request, _("You may not change annual reports."), messages.ERROR)
            return
        reports = list(reports)
        refusals = []
        try:
            with transaction.atomic():
                for report in reports:
                    try:
                        step.service(report=report, by=request.user, **kwargs)
                    except ValidationError as error:
                        refusals.append((report, " ".join(error.messages)))
                if refusals:
                    transaction.set_rollback(True)
        except PermissionDenied as error:
            # The same for every report: say it once.
            self.message_user(request, str(error), messages.ERROR)
            return
        except DATABASE_GONE as error:
            self.message_user(request, outage_message(error), messages.ERROR)
            return
        for report, message in refusals:
            if str(report) not in message:
                message = f"{report}: {message}"
            self.message_user(request, message, messages.ERROR)
        if refusals and len(reports) > 1:
            self.message_user(
                request,
                _("None of the %(count)d selected reports was changed.") % {"count": len(reports)},
                messages.ERROR,
            )
        if not refusals:
            for report in reports:
                self.message_user(request, step.done % {"report": report}, messages.SUCCESS)

    def _confirm(self, request, reports, step, form, action=""):
        opts = self.opts
        single = reports[0] if len(reports) == 1 and not action else None
        context = {
            **self.admin_site.each_context(request),
            "title": step.label,
            "subtitle": None,
            "opts": opts,
            "app_label": opts.app_label,
            "step": step,
            "reports": reports,
            "report": single,
            "form": form,
            "action": action,
            "checks": check_report(single, drafts=True) if single and step.takes_reason else None,
            "cancel_url": reverse("admin:hotline_annualreport_change", args=[single.pk])
            if single
            else reverse("admin:hotline_annualreport_changelist"),
        }
        return TemplateResponse(request, "admin/hotline/annualreport/workflow.html", context)


class PrintedNumbersForm(forms.ModelForm):
    """A number is shown with the decimals it was printed with and keeps the decimals it is
    typed with, as in the figure grid: 92.30 is two decimals, never a second field to forget
    (the model's PRINTED_DECIMALS)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, decimals in self._meta.model.PRINTED_DECIMALS.items():
            number = getattr(self.instance, name, None)
            if name in self.fields and number is not None:
                self.initial[name] = printed(number, getattr(self.instance, decimals))

    def clean(self):
        cleaned = super().clean()
        for name, decimals in self._meta.model.PRINTED_DECIMALS.items():
            if cleaned.get(name) is not None:
                setattr(self.instance, decimals, typed_decimals(cleaned[name]))
        return cleaned


@admin.register(Figure)
class FigureAdmin(RecordImportExportMixin, ReportRecordAdmin):
    list_display = (
        "indicator_code",
        "report",
        "table",
        "cell",
        "printed",
        "printed_change",
        "kind",
    )
    list_select_related = ("report__region", "indicator__table")
    list_filter = (
        CityListFilter,
        YearListFilter,
        ReportStatusListFilter,
        "kind",
        "indicator__table__section",
        ("indicator__table", JoinedRelatedListFilter),
    )
    search_fields = (
        "indicator__code",
        "indicator__row_label",
        "indicator__row_label_en",
        "indicator__column_group",
        "indicator__column_label",
        "indicator__column_label_en",
        "indicator__table__title",
        "text",
        "note",
    )
    autocomplete_fields = ("indicator",)
    form = PrintedNumbersForm
    fields = ("report", "indicator", "kind", "value", "text", "change", "note")
    readonly_fields = ("kind",)

    @admin.display(description=gettext_lazy("indicator"), ordering="indicator__code")
    def indicator_code(self, obj):
        return obj.indicator.code

    @admin.display(description=gettext_lazy("table"), ordering="indicator__table__title")
    def table(self, obj):
        return obj.indicator.table.title

    @admin.display(description=gettext_lazy("cell"))
    def cell(self, obj):
        return " · ".join(p for p in (obj.indicator.row_label, obj.indicator.label) if p)

    @admin.display(description=gettext_lazy("value as printed"))
    def printed(self, obj):
        if obj.text:
            return obj.text
        if obj.value is None:
            return "—"
        return f"{format_decimal(obj.printed_value)}{obj.indicator.unit}"

    @admin.display(description=gettext_lazy("change as printed"))
    def printed_change(self, obj):
        if obj.change is None:
            return ""
        change = format_change(obj.printed_change)
        if obj.indicator.change_kind == obj.indicator.ChangeKind.POINTS:
            return _("%(change)s points") % {"change": change}
        return f"{change}%"


@admin.register(AppealCount)
class AppealCountAdmin(RecordImportExportMixin, ReportRecordAdmin):
    list_display = ("subject", "report", "appeal_type", "count", "share")
    list_select_related = ("report__region", "department", "category")
    list_filter = (
        CityListFilter,
        YearListFilter,
        ReportStatusListFilter,
        "appeal_type",
        "category",
        "department__kind",
    )
    search_fields = ("department__name", "department__short_name", "category__name", "note")
    autocomplete_fields = ("department",)
    form = PrintedNumbersForm
    exclude = ("share_decimals",)

    @admin.display(description=gettext_lazy("department or category"))
    def subject(self, obj):
        return obj.subject

    @admin.display(
        description=AppealCount._meta.get_field("published_share").verbose_name,
        ordering="published_share",
    )
    def share(self, obj):
        return obj.printed_share


@admin.register(ReportEvent)
class ReportEventAdmin(admin.ModelAdmin):
    """The workflow's own record; it has no history of its own and is never edited."""

    list_display = ("report", "action", "by", "at", "reason")
    list_select_related = ("report__region", "by")
    list_filter = (CityListFilter, YearListFilter, "action")
    search_fields = ("report__region__name", "by__username", "reason")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("hotline.view_annualreport")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
