"""Filters of the lists. Every filter takes several values at once: `?year=2022,2023`."""

import django_filters as filters
from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import filters as rest_filters
from rest_framework.exceptions import ValidationError

from hotline.models import (
    AnnualReport,
    AppealCount,
    DataSharingRequest,
    Department,
    Figure,
    Indicator,
    LivestreamEpisode,
    PolicyDocument,
    Region,
    ReportTable,
)


class CharIn(filters.BaseInFilter, filters.CharFilter):
    pass


class YearIn(filters.BaseInFilter, filters.Filter):
    # Bounded by the years a report may have, so that any other number is a 400 that names
    # the parameter and never reaches the database.
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", AnnualReport.YEARS.start)
        kwargs.setdefault("max_value", AnnualReport.YEARS[-1])
        kwargs.setdefault("help_text", _("Year of the report; several separated by commas."))
        super().__init__(*args, lookup_expr="in", **kwargs)


def char_in(field_name, help_text):
    return CharIn(field_name=field_name, lookup_expr="in", help_text=help_text)


class ChoiceIn(filters.BaseInFilter, filters.ChoiceFilter):
    pass


def choice_in(field_name, choices, help_text):
    return ChoiceIn(field_name=field_name, lookup_expr="in", choices=choices, help_text=help_text)


class FilterSet(filters.FilterSet):
    """A filterset whose form class is made once. django-filter makes a new one for every
    request (a class, and a field for each filter), a tenth of an uncached list's time; these
    filters depend on nothing a request brings, and each form copies the class's fields."""

    def get_form_class(self):
        made = type(self).__dict__.get("_form_class")
        if made is None:
            made = super().get_form_class()
            type(self)._form_class = made
        return made


CITY = _("Slug of the report's city (e.g. huaian); several separated by commas.")


class ReportRecordFilter(FilterSet):
    city = char_in("report__region__slug", CITY)
    year = YearIn(field_name="report__year")


class ReportFilter(FilterSet):
    city = char_in("region__slug", CITY)
    year = YearIn(field_name="year")
    status = choice_in(
        "status",
        AnnualReport.Status.choices,
        _("Workflow status; only staff see reports that are not published."),
    )

    class Meta:
        model = AnnualReport
        fields = ["city", "year", "status"]


class RegionFilter(FilterSet):
    level = choice_in("level", Region.Level.choices, _("Administrative level."))
    parent = char_in("parent__slug", _("Slug of the parent region (e.g. huaian)."))

    class Meta:
        model = Region
        fields = ["level", "parent"]


class DepartmentFilter(FilterSet):
    region = char_in("region__slug", _("Slug of the department's region."))
    kind = choice_in("kind", Department.Kind.choices, _("Kind of unit."))
    name = char_in("name", _("Official name, exactly; several separated by commas."))

    class Meta:
        model = Department
        fields = ["region", "kind", "name"]


class ReportTableFilter(FilterSet):
    section = char_in("section__code", _("Code of the report section (e.g. appeals)."))

    class Meta:
        model = ReportTable
        fields = ["section"]


SECTION = _("Code of the report section (e.g. appeals); several separated by commas.")
TABLE = _("Code of the report table (e.g. calls); several separated by commas.")


class IndicatorFilter(FilterSet):
    section = char_in("table__section__code", SECTION)
    table = char_in("table__code", TABLE)
    kind = choice_in("kind", Indicator.Kind.choices, _("Kind of value."))

    class Meta:
        model = Indicator
        fields = ["section", "table", "kind"]


class FigureFilter(ReportRecordFilter):
    section = char_in("indicator__table__section__code", SECTION)
    table = char_in("indicator__table__code", TABLE)
    indicator = char_in(
        "indicator__code",
        _("Code of the indicator (e.g. appeals.total.total); several separated by commas."),
    )
    kind = choice_in("kind", Indicator.Kind.choices, _("Kind of value."))

    class Meta:
        model = Figure
        fields = ["city", "year", "section", "table", "indicator", "kind"]


class AppealCountFilter(ReportRecordFilter):
    appeal_type = choice_in(
        "appeal_type", AppealCount.AppealType.choices, _("Appeal type the count is of.")
    )
    department = char_in("department__name", _("Official name of the department."))
    category = char_in("category__code", _("Code of the appeal category (e.g. housing)."))

    class Meta:
        model = AppealCount
        fields = ["city", "year", "appeal_type", "department", "category"]


RANKINGS = [("department", _("Departments")), ("category", _("Appeal categories"))]


class TopFiveFilter(ReportRecordFilter):
    appeal_type = choice_in(
        "appeal_type", AppealCount.AppealType.choices, _("Appeal type the ranking is of.")
    )
    ranking = choice_in("ranking", RANKINGS, _("What is ranked: departments or categories."))

    class Meta:
        model = AppealCount
        fields = ["city", "year", "appeal_type", "ranking"]


class EpisodeFilter(ReportRecordFilter):
    class Meta:
        model = LivestreamEpisode
        fields = ["city", "year"]


class SharingRequestFilter(ReportRecordFilter):
    region = char_in("region__slug", _("Slug of the administrative level that shared the data."))
    method = char_in("methods__code", _("Code of a sharing method (e.g. usb)."))
    recipient = char_in("recipients__name", _("Official name of a recipient department."))

    class Meta:
        model = DataSharingRequest
        fields = ["city", "year", "region", "method", "recipient"]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        # Filtering across a many-to-many join can repeat a row.
        if any(self.form.cleaned_data.get(name) for name in ("method", "recipient")):
            queryset = queryset.distinct()
        return queryset


class PolicyDocumentFilter(ReportRecordFilter):
    issuer = char_in("issuers__name", _("Official name of an issuing department."))

    class Meta:
        model = PolicyDocument
        fields = ["city", "year", "issuer"]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("issuer"):
            queryset = queryset.distinct()
        return queryset


class OrderingFilter(rest_filters.OrderingFilter):
    """`ordering` is one of the view's fields, ascending or with `-` descending; the schema
    lists them, and anything else is a 400 that names the parameter (not silently ignored)."""

    def choices(self, view):
        fields = [name for name, _label in self.get_valid_fields(None, view, {"request": None})]
        return [f"{sign}{name}" for name in fields for sign in ("", "-")]

    def get_ordering(self, request, queryset, view):
        given = request.query_params.getlist(self.ordering_param)
        if not given:
            return self.get_default_ordering(view)
        terms = [term.strip() for term in given[-1].split(",")]
        if len(given) > 1 or not set(terms) <= set(self.choices(view)):
            raise ValidationError(
                {
                    self.ordering_param: [
                        gettext("Order by one or more of: %(fields)s, separated by commas.")
                        % {"fields": ", ".join(self.choices(view))}
                    ]
                }
            )
        return terms

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            # At least one: `ordering=` is an empty list and an empty name alike, so a 400.
            parameter["schema"] = {
                "type": "array",
                "items": {"type": "string", "enum": self.choices(view)},
                "minItems": 1,
            }
            parameter["style"], parameter["explode"] = "form", False
        return parameters
