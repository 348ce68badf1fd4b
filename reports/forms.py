"""Filters of the record lists: plain GET forms, so that every filtered list has a URL."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hotline.models.catalogue import translated


def _any():
    return [("", _("All"))]


class RecordFilter(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)
    city = forms.ChoiceField(label=_("City"), required=False)
    district = forms.ChoiceField(label=_("District or county"), required=False)
    department = forms.TypedChoiceField(
        label=_("Department"), coerce=int, required=False, empty_value=None
    )
    method = forms.ChoiceField(label=_("Method"), required=False)

    def __init__(self, data, *, choices):
        super().__init__(data)
        self.fields["year"].choices = _any() + [(y, y) for y in choices["years"]]
        self.fields["city"].choices = _any() + [
            (r.slug, translated(r, "name")) for r in choices["cities"]
        ]
        self.fields["department"].choices = _any() + [
            (d.pk, str(d)) for d in choices["departments"]
        ]
        if "districts" in choices:
            self.fields["district"].choices = _any() + [
                (r.slug, translated(r, "name")) for r in choices["districts"]
            ]
            self.fields["method"].choices = _any() + [
                (m.code, translated(m, "name")) for m in choices["methods"]
            ]
        else:
            del self.fields["district"], self.fields["method"]

    def filters(self) -> dict:
        """The valid filters; an unknown value is ignored rather than an error page."""
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v}
