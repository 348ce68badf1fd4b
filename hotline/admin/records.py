from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from hotline.models import DataSharingRequest, EpisodeGuest, LivestreamEpisode, PolicyDocument
from hotline.models.records import PRINTED_SEPARATOR

from .base import (
    CityListFilter,
    ReportRecordAdmin,
    ReportRecordInline,
    ReportStatusListFilter,
    YearListFilter,
)
from .importing import RecordImportExportMixin

REPORT_FILTERS = (CityListFilter, YearListFilter, ReportStatusListFilter)


def names(printed):
    return PRINTED_SEPARATOR.join(printed)


class EpisodeGuestInline(ReportRecordInline, admin.TabularInline):
    model = EpisodeGuest
    fields = ("department", "name", "position", "is_principal")
    autocomplete_fields = ("department",)
    extra = 1


@admin.register(LivestreamEpisode)
class LivestreamEpisodeAdmin(RecordImportExportMixin, ReportRecordAdmin):
    list_display = (
        "number",
        "report",
        "aired_on",
        "title",
        "guest_count",
        "appeals_received",
        "answered_on_air",
        "supervised_after",
        "satisfaction_rate",
    )
    list_display_links = ("number", "title")
    list_select_related = ("report__region",)
    list_filter = REPORT_FILTERS
    search_fields = ("title", "note", "guests__name", "guests__department__name")
    inlines = (EpisodeGuestInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(guest_count=Count("guests"))

    @admin.display(description=_("officials on air"), ordering="guest_count")
    def guest_count(self, obj):
        return obj.guest_count


@admin.register(EpisodeGuest)
class EpisodeGuestAdmin(ReportRecordAdmin):
    report_path = "episode__report"
    list_display = ("__str__", "position", "is_principal", "episode")
    list_select_related = ("episode__report__region", "department")
    list_filter = (*REPORT_FILTERS, "is_principal", "department__kind")
    search_fields = ("name", "position", "department__name", "department__short_name")
    autocomplete_fields = ("department",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "episode":
            kwargs.setdefault(
                "queryset", LivestreamEpisode.private_objects.select_related("report__region")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(DataSharingRequest)
class DataSharingRequestAdmin(RecordImportExportMixin, ReportRecordAdmin):
    list_display = (
        "line",
        "group_number",
        "report",
        "region",
        "recipient_names",
        "method_names",
        "short_scope",
        "records",
    )
    list_select_related = ("report__region", "region")
    list_filter = (*REPORT_FILTERS, "methods", "region__level")
    search_fields = (
        "scope",
        "purpose",
        "approval",
        "recipients__name",
        "recipients__short_name",
        "recipients_printed",
        "region__name",
    )
    autocomplete_fields = ("region", "recipients")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("recipients", "methods")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "methods":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("recipients"))
    def recipient_names(self, obj):
        return names(obj.recipients_as_printed)

    @admin.display(description=_("sharing methods"))
    def method_names(self, obj):
        return "、".join(method.name for method in obj.methods.all())

    @admin.display(description=_("scope"))
    def short_scope(self, obj):
        return Truncator(obj.scope).chars(40)


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(RecordImportExportMixin, ReportRecordAdmin):
    list_display = ("short_title", "doc_number", "issuer_names", "issued_on", "report", "order")
    list_select_related = ("report__region",)
    list_filter = REPORT_FILTERS
    search_fields = (
        "title",
        "doc_number",
        "issuers__name",
        "issuers__short_name",
        "issuers_printed",
    )
    autocomplete_fields = ("issuers",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("issuers")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "url":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("title"), ordering="title")
    def short_title(self, obj):
        return Truncator(obj.title).chars(60)

    @admin.display(description=_("issuers"))
    def issuer_names(self, obj):
        return names(obj.issuers_as_printed)
