import json
import re

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hotline.models import Department, Region

from .base import CityListFilter, HotlineAdmin
from .importing import RecordImportExportMixin


@admin.register(Region)
class RegionAdmin(RecordImportExportMixin, HotlineAdmin):
    list_display = ("name", "name_en", "slug", "level", "parent", "order", "is_synthetic")
    list_select_related = ("parent",)
    list_filter = ("level", CityListFilter, "is_synthetic")
    search_fields = ("name", "name_en", "slug")
    autocomplete_fields = ("parent",)
    prepopulated_fields = {"slug": ("name_en",)}
    city_region_path = ""


class NameListField(forms.CharField):
    """A list of names, typed one per line or separated by 、 as Chinese lists are written."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        names = re.split(r"[\n、]", super().to_python(value) or "")
        return list(dict.fromkeys(name.strip() for name in names if name.strip()))

    def has_changed(self, initial, data):
        return (initial or []) != self.to_python(data)


class DepartmentForm(forms.ModelForm):
    aliases = NameListField(
        label=_("other names"),
        required=False,
        help_text=_(
            "Other ways the unit is written, one per line or separated by 、; "
            "imports match them too."
        ),
    )

    class Meta:
        model = Department
        fields = ("region", "name", "short_name", "aliases", "kind")


@admin.register(Department)
class DepartmentAdmin(RecordImportExportMixin, HotlineAdmin):
    form = DepartmentForm
    list_display = ("name", "short_name", "region", "kind", "other_names", "is_synthetic")
    list_select_related = ("region",)
    list_filter = ("kind", "region__level", CityListFilter, "is_synthetic")
    search_fields = ("name", "short_name", "aliases", "region__name")
    autocomplete_fields = ("region",)
    city_region_path = "region"

    @admin.display(description=_("other names"))
    def other_names(self, obj):
        return "、".join(obj.aliases)

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # SQLite keeps JSON with \u escapes, so 公安 is found there only in that form.
        terms = [json.dumps(term)[1:-1] for term in search_term.split()]
        if terms and terms != search_term.split():
            match = Q()
            for term in terms:
                match &= Q(aliases__icontains=term)
            results |= queryset.filter(match)
        return results, may_have_duplicates
