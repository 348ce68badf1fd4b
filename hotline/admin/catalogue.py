from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from hotline.models import AppealCategory, Indicator, ReportTable, Section, SharingMethod

from .base import HotlineAdmin, JoinedRelatedListFilter


@admin.register(Section)
class SectionAdmin(HotlineAdmin):
    list_display = ("number", "title", "title_en", "code")
    list_display_links = ("number", "title")
    search_fields = ("title", "title_en", "code")


@admin.register(ReportTable)
class ReportTableAdmin(HotlineAdmin):
    list_display = ("title", "section", "order", "row_header", "code")
    list_select_related = ("section",)
    list_filter = ("section",)
    search_fields = ("title", "title_en", "code", "row_header", "section__title")


@admin.register(Indicator)
class IndicatorAdmin(HotlineAdmin):
    list_display = (
        "code",
        "table_title",
        "row_label",
        "column_group",
        "column_label",
        "unit",
        "kind",
        "change_kind",
    )
    list_select_related = ("table__section",)
    list_filter = ("kind", "change_kind", "table__section", ("table", JoinedRelatedListFilter))
    search_fields = (
        "code",
        "row_label",
        "row_label_en",
        "column_group",
        "column_group_en",
        "column_label",
        "column_label_en",
        "table__title",
        "description",
    )
    fieldsets = (
        (None, {"fields": ("table", "code", "kind", "unit", "change_kind", "description")}),
        (_("Row"), {"fields": ("row_label", "row_order")}),
        (_("Column"), {"fields": ("column_group", "column_label", "column_order")}),
        (
            _("English labels"),
            {
                "fields": ("row_label_en", "column_group_en", "column_label_en", "unit_en"),
                "classes": ("collapse",),
            },
        ),
    )

    @admin.display(description=_("table"), ordering="table__title")
    def table_title(self, obj):
        return obj.table.title


class NamedChoiceAdmin(HotlineAdmin):
    list_display = ("name", "name_en", "code", "order")
    list_editable = ("order",)
    search_fields = ("name", "name_en", "code")


@admin.register(AppealCategory)
class AppealCategoryAdmin(NamedChoiceAdmin):
    pass


@admin.register(SharingMethod)
class SharingMethodAdmin(NamedChoiceAdmin):
    pass
