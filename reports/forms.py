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
        """`choices`: each field's values as a function (selectors.filter_choices), called
        only when the field's value is checked or the form drawn."""
        super().__init__(data)
        self._choices("year", choices["years"], lambda y: (y, y))
        self._choices("city", choices["cities"], lambda r: (r.slug, translated(r, "name")))
        self._choices("department", choices["departments"], lambda d: (d.pk, str(d)))
        if "districts" in choices:
            self._choices(
                "district", choices["districts"], lambda r: (r.slug, translated(r, "name"))
            )
            self._choices("method", choices["methods"], lambda m: (m.code, translated(m, "name")))
        else:
            del self.fields["district"], self.fields["method"]

    def _choices(self, name, values, choice):
        # A callable is called on each use of the choices (Django's CallableChoiceIterator):
        # `values` keeps what it read.
        self.fields[name].choices = lambda: _any() + [choice(value) for value in values()]

    def filters(self) -> dict:
        """The valid filters; an unknown value is ignored rather than an error page."""
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v}
