from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from hotline.checks.rules import structure_problem
from hotline.models import CheckOperand, CheckRule

from .base import HotlineAdmin


class CheckOperandInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        operands = [
            form.save(commit=False)
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        # The engine's own test of a rule's shape, so the admin refuses what it would skip.
        problem = structure_problem(self.instance, operands)
        if problem:
            raise forms.ValidationError(problem)


class CheckOperandInline(admin.TabularInline):
    model = CheckOperand
    formset = CheckOperandInlineFormSet
    fields = ("order", "role", "source", "indicator")
    autocomplete_fields = ("indicator",)
    extra = 0


@admin.register(CheckRule)
class CheckRuleAdmin(HotlineAdmin):
    list_display = ("code", "kind", "target", "scale", "active")
    list_select_related = ("target",)
    list_filter = ("kind", "active", "record_source", "appeal_type")
    search_fields = ("code", "description", "target__code", "operands__indicator__code")
    autocomplete_fields = ("target", "share_of")
    inlines = (CheckOperandInline,)
    fieldsets = (
        (None, {"fields": ("code", "kind", "target", "scale", "active", "description")}),
        (_("Record counts"), {"fields": ("record_source",)}),
        (_("Rankings"), {"fields": ("appeal_type", "dimension", "share_of", "check_type_split")}),
    )


@admin.register(CheckOperand)
class CheckOperandAdmin(HotlineAdmin):
    """Mostly edited inline; the list answers "which rules use this indicator?"."""

    list_display = ("rule", "order", "role", "source", "indicator")
    list_select_related = ("rule", "indicator")
    list_filter = ("role", "source", "rule__kind")
    search_fields = ("rule__code", "indicator__code")
    autocomplete_fields = ("rule", "indicator")
