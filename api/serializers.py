"""What the API shows and accepts. Related records are named by their natural keys (city slug,
year, indicator code, department name); every field says what it is and its unit."""

import copy
import functools
import re
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.settings import api_settings

from hotline import freshness, reference
from hotline.models import (
    AnnualReport,
    AppealCategory,
    AppealCount,
    DataSharingRequest,
    Department,
    EpisodeGuest,
    Figure,
    Indicator,
    LivestreamEpisode,
    PolicyDocument,
    Region,
    ReportLocked,
    ReportTable,
    Section,
    SharingMethod,
)
from hotline.models.reports import printed
from hotline.parsing import typed_decimals
from hotline.roles import sees_drafts

from .changes import change_from, computed_change, previous_values, previous_values_of
from .exceptions import django_errors

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def no_control_characters(value):
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise serializers.ValidationError(_("Control characters are not allowed."))


class Text(serializers.CharField):
    """Text as the schema says: a JSON number or boolean is refused, not taken as "0" or
    "True" (DRF's CharField would), and control characters are refused too."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(no_control_characters)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def described(model, name):
    """The model field's help_text: what a field means is said once, on the model."""
    return model._meta.get_field(name).help_text


def plain_text(data) -> bool:
    return isinstance(data, str) and len(data) <= 200 and not CONTROL_CHARACTERS.search(data)


class PrintedDecimalField(serializers.DecimalField):
    """A number with exactly the decimals it was printed with: 92.30 stays 92.30."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return f"{value:f}"


def stored_as_printed(value: Decimal | None, decimals: int) -> Decimal | None:
    """The printed decimals, and any further digit stored: nothing is rounded away here."""
    if value is None:
        return None
    return printed(value, max(decimals, typed_decimals(value.normalize())))


class PrintedNumberField(serializers.DecimalField):
    """A number kept beside the decimals it was printed with (the model's PRINTED_DECIMALS).

    Out, with those decimals: "92.30", not "92.3". In, as typed: "91.50", or the JSON number
    91.50, has two decimals, which the record keeps unless its decimals are sent too
    (CleanModelSerializer.keep_typed_decimals)."""

    def quantize(self, value):
        return value  # validated for its digits, but not padded: its decimals are the figure's

    def get_attribute(self, instance):
        value = super().get_attribute(instance)
        decimals = getattr(instance, type(instance).PRINTED_DECIMALS[self.source])
        return stored_as_printed(value, decimals)

    def to_representation(self, value):
        return f"{value:f}"


# What the API adds to a model's description of a printed number and of its decimals.
DECIMALS_AS_SENT = _("When not sent, those of the number as sent.")
NUMBER_AS_TYPED = _(
    'Send it as a string with the decimals it was printed with ("91.50"): the record keeps '
    "them unless `{decimals}` is sent too. A JSON number is read as it is written (91.5 has "
    "one decimal), but most JSON libraries write 91.50 as 91.5."
)


# A record named by its key: text of 1 to 200 characters, none a control character (plain_text).
KEY_TEXT = {"type": "string", "minLength": 1, "maxLength": 200}


@extend_schema_field(KEY_TEXT)
class NaturalKeyField(serializers.SlugRelatedField):
    """A related record named by its code or slug. Checks the text before it reaches a query, so
    that control characters (PostgreSQL refuses NUL) are a 400, never a 500."""

    def to_internal_value(self, data):
        if not plain_text(data):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field(KEY_TEXT)
class DepartmentField(serializers.RelatedField):
    """A department named by its official name, or `region-slug/name` where two regions have a
    unit of the same name."""

    default_error_messages = {
        "invalid": _("Give the department's official name as text."),
        "does_not_exist": _("No department is named “{value}”."),
        "ambiguous": _("Several departments are named “{value}”: write it as region-slug/name."),
    }

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Department.objects.all())
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value.name

    def to_internal_value(self, data):
        if not plain_text(data) or not data.strip():
            self.fail("invalid")
        queryset = self.get_queryset()
        matches = list(queryset.filter(name=data)[:2])
        if not matches and "/" in data:
            slug, name = data.split("/", 1)
            matches = list(queryset.filter(region__slug=slug, name=name)[:2])
        if len(matches) > 1:
            self.fail("ambiguous", value=data)
        if not matches:
            self.fail("does_not_exist", value=data)
        return matches[0]


class InPrintedOrder(serializers.ManyRelatedField):
    """Departments read in the order the report prints them (the model's `<field>_in_order`),
    not in the database's order."""

    def get_attribute(self, instance):
        if instance.pk is None:
            return []
        return getattr(instance, f"{self.source}_in_order")


# A model's text fields take only text (Text), in every serializer that writes them.
TEXT_AS_TEXT = serializers.ModelSerializer.serializer_field_mapping | {
    models.CharField: Text,
    models.TextField: Text,
}


class CleanModelSerializer(serializers.ModelSerializer):
    """Validates with the model's full_clean(): the constraints carry their own messages, so bad
    input is a 400 per field before the database can raise an IntegrityError."""

    serializer_field_mapping = TEXT_AS_TEXT

    def validate(self, attrs):
        attrs = super().validate(attrs)
        self.keep_typed_decimals(attrs)
        model = self.Meta.model
        skip = {f.name for f in model._meta.many_to_many} | getattr(self, "nested", set())
        instance = copy.copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            if name not in skip:
                setattr(instance, name, value)
        try:
            instance.full_clean()  # the model derives what it copies (Figure.kind) in clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(self.api_errors(error)) from error
        return attrs

    def keep_typed_decimals(self, attrs):
        """A number sent without its decimals keeps those it was typed with (hotline.parsing's
        rule, as in the figure grid and the importer)."""
        for name, decimals in getattr(self.Meta.model, "PRINTED_DECIMALS", {}).items():
            if attrs.get(name) is not None and decimals not in self.initial_data:
                attrs[decimals] = typed_decimals(attrs[name])

    def api_errors(self, error):
        """The model's field names as the API's."""
        by_source = {}
        for name, field in self.fields.items():
            if not field.read_only and field.source_attrs:
                by_source.setdefault(field.source_attrs[0], name)
        errors = {}
        for key, messages in django_errors(error).items():
            errors.setdefault(by_source.get(key, api_settings.NON_FIELD_ERRORS_KEY), []).extend(
                messages
            )
        return errors


CITY = _("Slug of the city whose report this is (e.g. huaian).")
YEARS = AnnualReport.YEARS


class ReportRecordSerializer(CleanModelSerializer):
    """A record of one annual report, which is named by its city and year."""

    id = serializers.IntegerField(read_only=True, help_text=_("Identifier of the record."))
    city = serializers.SlugField(source="report.region.slug", max_length=60, help_text=CITY)
    year = serializers.IntegerField(
        source="report.year",
        min_value=YEARS.start,
        max_value=YEARS[-1],
        help_text=described(AnnualReport, "year"),
    )

    def validate(self, attrs):
        if "report" in attrs or self.instance is None:
            attrs["report"] = self.resolve_report(attrs.pop("report", {}))
            # Refused before the record itself is validated: its report is not a draft (a 403,
            # as the edit guard is everywhere in the API, not a 400 of the input).
            try:
                attrs["report"].ensure_editable()
            except ReportLocked as locked:
                raise exceptions.PermissionDenied(locked.messages[0]) from None
        return super().validate(attrs)

    def resolve_report(self, given):
        current = self.instance.report if self.instance is not None else None
        city = given.get("region", {}).get("slug") or (current.region.slug if current else None)
        year = given.get("year") or (current.year if current else None)
        user = self.context["request"].user
        reports = AnnualReport.private_objects.select_related("region")
        if not sees_drafts(user):
            reports = reports.published()
        try:
            return reports.get(region__slug=city, year=year)
        except AnnualReport.DoesNotExist:
            raise serializers.ValidationError(
                {"year": [_("%(city)s has no report for %(year)s.") % {"city": city, "year": year}]}
            ) from None


# Reference data


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text=_("Slug of the region above; null for the province."),
    )

    class Meta:
        model = Region
        fields = ["slug", "name", "name_en", "level", "parent", "order"]
        read_only_fields = fields


class DepartmentSerializer(CleanModelSerializer):
    id = serializers.IntegerField(read_only=True, help_text=_("Identifier of the department."))
    region = NaturalKeyField(
        slug_field="slug",
        queryset=Region.objects.all(),
        help_text=_("Slug of the region the unit belongs to (e.g. huaian)."),
    )
    aliases = serializers.ListField(
        child=Text(max_length=100),
        max_length=50,
        required=False,
        help_text=described(Department, "aliases"),
    )

    class Meta:
        model = Department
        fields = ["id", "region", "name", "short_name", "aliases", "kind"]


class SectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Section
        fields = ["code", "number", "title", "title_en"]
        read_only_fields = fields  # stored data is shown as it is, not re-validated


class ReportTableSerializer(serializers.ModelSerializer):
    section = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text=_("Code of the section the table is in.")
    )

    class Meta:
        model = ReportTable
        fields = [
            "code",
            "section",
            "title",
            "title_en",
            "row_header",
            "row_header_en",
            "order",
            "note",
        ]
        read_only_fields = fields  # stored data is shown as it is, not re-validated


class IndicatorSerializer(serializers.ModelSerializer):
    # Codes hold dots (table.row.column), which a slug pattern in the schema would deny.
    code = serializers.CharField(read_only=True, help_text=described(Indicator, "code"))
    section = serializers.SlugRelatedField(
        source="table.section",
        slug_field="code",
        read_only=True,
        help_text=_("Code of the report section."),
    )
    table = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text=_("Code of the report table.")
    )

    class Meta:
        model = Indicator
        fields = [
            "code",
            "section",
            "table",
            "row_label",
            "row_label_en",
            "row_order",
            "column_group",
            "column_group_en",
            "column_label",
            "column_label_en",
            "column_order",
            "unit",
            "unit_en",
            "kind",
            "change_kind",
            "description",
        ]
        read_only_fields = fields  # stored data is shown as it is, not re-validated


class AppealCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = AppealCategory
        fields = ["code", "name", "name_en", "order"]
        read_only_fields = fields  # stored data is shown as it is, not re-validated


class SharingMethodSerializer(serializers.ModelSerializer):
    class Meta:
        model = SharingMethod
        fields = ["code", "name", "name_en", "order"]
        read_only_fields = fields  # stored data is shown as it is, not re-validated


# Reports


class ReportSerializer(CleanModelSerializer):
    city = NaturalKeyField(
        source="region",
        slug_field="slug",
        queryset=Region.objects.cities(),
        help_text=_("Slug of the prefecture-level city (e.g. huaian)."),
    )
    city_name = serializers.CharField(
        source="region.name", read_only=True, help_text=_("Name of the city (淮安市).")
    )

    class Meta:
        model = AnnualReport
        fields = [
            "city",
            "city_name",
            "year",
            "title",
            "status",
            "population",
            "population_source",
            "source",
            "submitted_at",
            "published_at",
            "updated_at",
        ]
        read_only_fields = ["status", "submitted_at", "published_at", "updated_at"]
        extra_kwargs = {"year": {"min_value": YEARS.start, "max_value": YEARS[-1]}}

    def validate(self, attrs):
        if self.instance is not None:
            for field, name in (("region", "city"), ("year", "year")):
                if field in attrs and attrs[field] != getattr(self.instance, field):
                    raise serializers.ValidationError(
                        {name: [_("A report's city and year cannot change.")]}
                    )
        return super().validate(attrs)


class ReopenSerializer(serializers.Serializer):
    reason = Text(
        max_length=1000,
        help_text=_("Why the report is reopened; kept with the workflow step."),
    )


# Figures


# The columns a row of the list needs beside those its fields show: the keys of last year's value.
KEY_COLUMNS = ("report__region", "report__year", "indicator")


class FigureListSerializer(serializers.ListSerializer):
    """A page of figures, read as values (`read`) and written row by row from a plan made once
    from FigureSerializer's own fields (`row_plan`): DRF's walk of each field through the six
    model instances of a row cost four to five times as much. The plan refuses a field it
    cannot write as FigureSerializer would, and tests pin each row equal to FigureSerializer's
    output for one figure (tests/api/test_figure_rows.py)."""

    @classmethod
    def read(cls, queryset):
        """The rows of the list: the values of the figures' own columns the plan writes, in
        one query; their indicators' and cities' words come from the catalogue
        (`catalogue_labels`)."""
        columns, _plan = row_plan(FigureSerializer)
        return queryset.values(*(c for c in columns if not c.startswith(CATALOGUE_PATHS)))

    def to_representation(self, data):
        rows = list(data)  # `read`'s rows: the list view gives nothing else
        _columns, plan = row_plan(type(self.child))
        previous = previous_values_of(
            (tuple(row[column] for column in KEY_COLUMNS) for row in rows),
            include_drafts=sees_drafts(self.context["request"].user),
        )
        indicators, regions = freshness.kept(freshness.REFERENCE, catalogue_labels)
        whole = (
            {**row, **indicators[row["indicator"]], **regions[row["report__region"]]}
            for row in rows
        )
        return [
            {
                name: row[column] if write is None else write(row, previous)
                for name, column, write in plan
            }
            for row in whole
        ]


# What each row copies from the catalogue, read once per version of the reference data rather
# than joined into every row: on PostgreSQL, sending the words of 100 rows was two thirds of
# the list's query.
CATALOGUE_PATHS = ("indicator__", "report__region__")


def catalogue_labels() -> tuple[dict, dict]:
    """The words of every indicator and every region the rows copy, by id, named by their path
    from a figure (`indicator__table__code`): the indicators' from the catalogue that every
    page's figures are given (hotline.reference), the regions' read here."""
    columns, _plan = row_plan(FigureSerializer)
    # Each indicator column's path from the indicator: "indicator__table__code" -> table, code.
    walks = {c: c.split("__")[1:] for c in columns if c.startswith("indicator__")}
    indicators = {
        pk: {column: functools.reduce(getattr, walk, indicator) for column, walk in walks.items()}
        for pk, indicator in reference.indicators().items()
    }
    prefix = "report__region__"
    fields = [c.removeprefix(prefix) for c in columns if c.startswith(prefix)]
    regions = {
        pk: {prefix + field: value for field, value in zip(fields, values, strict=True)}
        for pk, *values in Region.objects.order_by().values_list("pk", *fields)
    }
    return indicators, regions


class ComputedChangeField(PrintedDecimalField):
    """A decimal field, so that the CSV writes it as a number like the published change."""

    def get_attribute(self, figure):
        previous = previous_values(
            [figure], include_drafts=sees_drafts(self.context["request"].user)
        )
        return computed_change(figure, previous)


class IndicatorWords(serializers.CharField):
    """One of the indicator's labels, read only, described as the indicator describes it."""

    def __init__(self, *, source):
        name = source.removeprefix("indicator.")
        super().__init__(source=source, read_only=True, help_text=described(Indicator, name))


class FigureSerializer(ReportRecordSerializer):
    indicator = NaturalKeyField(
        slug_field="code",
        queryset=Indicator.objects.select_related("table__section"),
        help_text=_("Code of the indicator (e.g. appeals.total.total)."),
    )
    # The indicator's and its table's words, copied into each figure for a flat CSV.
    section = serializers.CharField(
        source="indicator.table.section.code",
        read_only=True,
        help_text=described(Section, "code"),
    )
    section_title = serializers.CharField(
        source="indicator.table.section.title",
        read_only=True,
        help_text=described(Section, "title"),
    )
    section_title_en = serializers.CharField(
        source="indicator.table.section.title_en",
        read_only=True,
        help_text=described(Section, "title_en"),
    )
    table = serializers.CharField(
        source="indicator.table.code", read_only=True, help_text=described(ReportTable, "code")
    )
    table_title = serializers.CharField(
        source="indicator.table.title", read_only=True, help_text=described(ReportTable, "title")
    )
    table_title_en = serializers.CharField(
        source="indicator.table.title_en",
        read_only=True,
        help_text=described(ReportTable, "title_en"),
    )
    row_label = IndicatorWords(source="indicator.row_label")
    row_label_en = IndicatorWords(source="indicator.row_label_en")
    column_group = IndicatorWords(source="indicator.column_group")
    column_group_en = IndicatorWords(source="indicator.column_group_en")
    column_label = IndicatorWords(source="indicator.column_label")
    column_label_en = IndicatorWords(source="indicator.column_label_en")
    unit = IndicatorWords(source="indicator.unit")
    unit_en = IndicatorWords(source="indicator.unit_en")
    change_kind = serializers.ChoiceField(
        Indicator.ChangeKind.choices,
        source="indicator.change_kind",
        read_only=True,
        help_text=described(Indicator, "change_kind"),
    )
    value = PrintedNumberField(
        max_digits=18,
        decimal_places=4,
        min_value=0,
        allow_null=True,
        required=False,
        help_text=format_lazy(
            "{} {}",
            described(Figure, "value"),
            format_lazy(NUMBER_AS_TYPED, decimals="decimals"),
        ),
    )
    decimals = serializers.IntegerField(
        min_value=0,
        max_value=4,
        required=False,
        help_text=format_lazy("{} {}", described(Figure, "decimals"), DECIMALS_AS_SENT),
    )
    printed_value = PrintedDecimalField(
        max_digits=18,
        decimal_places=4,
        help_text=_(
            "The value with the decimals it was printed with (92.30 stays 92.30), in the unit "
            "given by `unit`; null when not reported."
        ),
    )
    change = PrintedNumberField(
        max_digits=12,
        decimal_places=4,
        # A field check too: the error names `change`, and full_clean() never reaches the
        # model's "100%." message, which Django's %-formatting breaks (fixed on main as 100%%).
        min_value=-100,
        allow_null=True,
        required=False,
        help_text=format_lazy(
            "{} {}",
            described(Figure, "change"),
            format_lazy(NUMBER_AS_TYPED, decimals="change_decimals"),
        ),
    )
    change_decimals = serializers.IntegerField(
        min_value=0,
        max_value=4,
        required=False,
        help_text=format_lazy("{} {}", described(Figure, "change_decimals"), DECIMALS_AS_SENT),
    )
    printed_change = PrintedDecimalField(
        max_digits=12,
        decimal_places=4,
        help_text=_(
            "The published change with its printed decimals (per cent or percentage points)."
        ),
    )
    computed_change = ComputedChangeField(
        max_digits=24,
        decimal_places=2,
        help_text=_(
            "Year-on-year change computed from last year's stored report of the same city, to 2 "
            "decimals, read as `change_kind` says (per cent or percentage points); null where last "
            "year's figure is not stored, not reported or 0."
        ),
    )

    class Meta:
        model = Figure
        list_serializer_class = FigureListSerializer
        fields = [
            "id",
            "city",
            "year",
            "indicator",
            "section",
            "section_title",
            "section_title_en",
            "table",
            "table_title",
            "table_title_en",
            "row_label",
            "row_label_en",
            "column_group",
            "column_group_en",
            "column_label",
            "column_label_en",
            "unit",
            "unit_en",
            "kind",
            "change_kind",
            "value",
            "decimals",
            "printed_value",
            "text",
            "change",
            "change_decimals",
            "printed_change",
            "computed_change",
            "note",
        ]
        read_only_fields = ["kind"]


def as_text(number: Decimal | None) -> str | None:
    """As PrintedDecimalField and PrintedNumberField write a number."""
    return None if number is None else f"{number:f}"


def previous_value(row: dict, previous: dict) -> Decimal | None:
    region, year, indicator = (row[column] for column in KEY_COLUMNS)
    return previous.get((region, year - 1, indicator))


@functools.cache
def row_plan(serializer_class) -> tuple[list[str], list[tuple[str, str | None, object]]]:
    """The columns a serializer's rows are read from, and for each of its fields, in order, how
    it is written: the column it copies, or a function of the row and of last year's values
    (`previous_values_of`)."""
    model = serializer_class.Meta.model
    columns = dict.fromkeys(KEY_COLUMNS)
    plan = []

    def column(*parts):
        name = "__".join(parts)
        columns[name] = None
        return name

    for name, field in serializer_class().fields.items():
        path, copies = field.source_attrs, None
        if isinstance(field, ComputedChangeField):
            value, kind = column("value"), column("indicator", "change_kind")

            def write(row, previous, value=value, kind=kind):
                return as_text(change_from(previous_value(row, previous), row[value], row[kind]))

        elif isinstance(field, PrintedNumberField):
            value, decimals = column(*path), column(model.PRINTED_DECIMALS[field.source])

            def write(row, previous, value=value, decimals=decimals):
                return as_text(stored_as_printed(row[value], row[decimals]))

        elif isinstance(field, PrintedDecimalField) and field.source.startswith("printed_"):
            # The model's printed_<number> (Figure.printed_value): its number with its decimals.
            number = field.source.removeprefix("printed_")
            value, decimals = column(number), column(model.PRINTED_DECIMALS[number])

            def write(row, previous, value=value, decimals=decimals):
                return as_text(printed(row[value], row[decimals]))

        elif isinstance(field, serializers.SlugRelatedField):
            copies, write = column(*path, field.slug_field), None
        elif type(field) in COPIED:
            copies, write = column(*path), None
        else:
            raise ImproperlyConfigured(
                f"{serializer_class.__name__}.{name}: the list cannot write a "
                f"{type(field).__name__} from values; teach row_plan how it writes."
            )
        plan.append((name, copies, write))
    return list(columns), plan


# Fields that write a stored text, whole number or choice as it is: str(), int() and a choice's
# own key change none of them.
COPIED = {
    serializers.CharField,
    serializers.SlugField,
    serializers.IntegerField,
    serializers.ChoiceField,
    Text,
    IndicatorWords,
}


# TOP5 and the counts they rank


class AppealCountSerializer(ReportRecordSerializer):
    department = DepartmentField(
        allow_null=True,
        required=False,
        help_text=_("Official name of the department counted; null when a category is counted."),
    )
    department_short_name = serializers.CharField(
        source="department.short_name",
        read_only=True,
        allow_null=True,
        help_text=described(Department, "short_name"),
    )
    category = NaturalKeyField(
        slug_field="code",
        queryset=AppealCategory.objects.all(),
        allow_null=True,
        required=False,
        help_text=_("Code of the appeal category counted; null when a department is counted."),
    )
    category_name = serializers.CharField(
        source="category.name",
        read_only=True,
        allow_null=True,
        help_text=described(AppealCategory, "name"),
    )
    published_share = PrintedNumberField(
        max_digits=7,
        decimal_places=4,
        min_value=0,
        max_value=100,
        allow_null=True,
        required=False,
        help_text=format_lazy(
            "{} {}",
            described(AppealCount, "published_share"),
            format_lazy(NUMBER_AS_TYPED, decimals="share_decimals"),
        ),
    )
    share_decimals = serializers.IntegerField(
        min_value=0,
        max_value=4,
        required=False,
        help_text=format_lazy("{} {}", described(AppealCount, "share_decimals"), DECIMALS_AS_SENT),
    )
    printed_share = PrintedDecimalField(
        max_digits=7,
        decimal_places=4,
        help_text=_("The published share with its printed decimals, in %."),
    )

    class Meta:
        model = AppealCount
        fields = [
            "id",
            "city",
            "year",
            "appeal_type",
            "department",
            "department_short_name",
            "category",
            "category_name",
            "count",
            "published_share",
            "share_decimals",
            "printed_share",
            "note",
        ]
        extra_kwargs = {"count": {"min_value": 0, "max_value": 10**15}}


class TopFiveSerializer(serializers.ModelSerializer):
    city = serializers.CharField(source="report.region.slug", read_only=True, help_text=CITY)
    year = serializers.IntegerField(
        source="report.year", read_only=True, help_text=described(AnnualReport, "year")
    )
    ranking = serializers.ChoiceField(
        [("department", _("Departments")), ("category", _("Appeal categories"))],
        read_only=True,
        help_text=_("What is ranked: departments or appeal categories."),
    )
    rank = serializers.IntegerField(
        read_only=True, help_text=_("Place in the ranking, 1 to 5, by appeals.")
    )
    name = serializers.SerializerMethodField(
        help_text=_("The department or category as the report writes it.")
    )
    department = DepartmentField(
        read_only=True,
        allow_null=True,
        help_text=_("Official name of the department; null for a category."),
    )
    category = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text=_("Code of the appeal category; null for a department."),
    )
    printed_share = PrintedDecimalField(
        max_digits=7,
        decimal_places=4,
        help_text=_("Published share of the appeal type's total, in %, as printed."),
    )

    class Meta:
        model = AppealCount
        fields = [
            "city",
            "year",
            "appeal_type",
            "ranking",
            "rank",
            "name",
            "department",
            "category",
            "count",
            "printed_share",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_name(self, count):
        return str(count.subject)


# Section 二, 四 and 五 records


class GuestSerializer(serializers.ModelSerializer):
    serializer_field_mapping = TEXT_AS_TEXT
    department = DepartmentField(help_text=_("Official name of the official's department."))
    department_short_name = serializers.CharField(
        source="department.short_name",
        read_only=True,
        help_text=described(Department, "short_name"),
    )

    class Meta:
        model = EpisodeGuest
        fields = ["department", "department_short_name", "name", "position", "is_principal"]


class EpisodeSerializer(ReportRecordSerializer):
    nested = {"guests"}
    guests = GuestSerializer(
        many=True, required=False, help_text=_("Officials on air; a write replaces the list.")
    )

    class Meta:
        model = LivestreamEpisode
        fields = [
            "id",
            "city",
            "year",
            "number",
            "aired_on",
            "title",
            "appeals_received",
            "answered_on_air",
            "supervised_after",
            "satisfaction_rate",
            "hot_topics_published",
            "policy_qa_published",
            "note",
            "guests",
        ]
        extra_kwargs = {
            "number": {"max_value": 10000},
            "appeals_received": {"max_value": 10**9},
            "answered_on_air": {"max_value": 10**9},
            "supervised_after": {"max_value": 10**9},
            "hot_topics_published": {"max_value": 10**9},
            "policy_qa_published": {"max_value": 10**9},
        }

    @transaction.atomic
    def create(self, validated_data):
        guests = validated_data.pop("guests", [])
        episode = super().create(validated_data)
        self.save_guests(episode, guests)
        return episode

    @transaction.atomic
    def update(self, instance, validated_data):
        guests = validated_data.pop("guests", None)
        episode = super().update(instance, validated_data)
        if guests is not None:
            episode.guests.all().delete()
            self.save_guests(episode, guests)
        return episode

    def save_guests(self, episode, guests):
        for guest in guests:
            EpisodeGuest.objects.create(episode=episode, **guest)


class SharingRequestSerializer(ReportRecordSerializer):
    region = NaturalKeyField(
        slug_field="slug",
        queryset=Region.objects.all(),
        help_text=_("Slug of the administrative level that shared the data (市本级 is the city)."),
    )
    level_as_printed = serializers.CharField(
        read_only=True,
        help_text=_("The administrative level as the report prints it (市本级, 淮阴区)."),
    )
    recipients = InPrintedOrder(
        child_relation=DepartmentField(),
        help_text=_(
            "Official names of the departments that received the data, in the printed order."
        ),
    )
    recipients_as_printed = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_("The recipients as the report prints them, in its order."),
    )
    methods = NaturalKeyField(
        many=True,
        slug_field="code",
        queryset=SharingMethod.objects.all(),
        help_text=_("Codes of the ways the data was handed over (usb, disc, network, ...)."),
    )

    class Meta:
        model = DataSharingRequest
        fields = [
            "id",
            "city",
            "year",
            "group_number",
            "line",
            "region",
            "level_as_printed",
            "recipients",
            "recipients_printed",
            "recipients_as_printed",
            "methods",
            "scope",
            "period_start",
            "period_end",
            "records",
            "purpose",
            "approval",
            "delivered_on",
            "note",
        ]
        extra_kwargs = {
            "group_number": {"max_value": 10000},
            "line": {"max_value": 10**6},
            "records": {"min_value": 0, "max_value": 10**15},
        }


class PolicyDocumentSerializer(ReportRecordSerializer):
    issuers = InPrintedOrder(
        child_relation=DepartmentField(),
        help_text=_(
            "Official names of the departments that issued the document, in the printed order."
        ),
    )
    issuers_as_printed = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_("The issuers as the report prints them, in its order."),
    )

    class Meta:
        model = PolicyDocument
        fields = [
            "id",
            "city",
            "year",
            "order",
            "title",
            "doc_number",
            "issuers",
            "issuers_printed",
            "issuers_as_printed",
            "issued_on",
            "url",
            "note",
        ]
        extra_kwargs = {
            "order": {"max_value": 10000},
        }


class TokenRequestSerializer(serializers.Serializer):
    username = Text(max_length=150, help_text=_("Staff user name."))
    password = Text(
        max_length=128,
        style={"input_type": "password"},
        trim_whitespace=False,
        help_text=_("Password."),
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text=_("Send it as `Authorization: Token <token>` with every request.")
    )


class DiscrepancySerializer(serializers.Serializer):
    """One published number that disagrees with what it is computed from, beyond rounding."""

    period = serializers.ChoiceField(
        choices=["current", "year_on_year"],
        help_text=_("Whether the figure disagrees within the year or with last year."),
    )
    check = serializers.CharField(help_text=_("The kind of check that found it."))
    rule_code = serializers.CharField(
        allow_blank=True, help_text=_("The rule's code; empty for a figure's own change.")
    )
    indicator_code = serializers.CharField(
        allow_null=True, help_text=_("The indicator of the figure concerned, if any.")
    )
    appeal_count_id = serializers.IntegerField(
        allow_null=True, help_text=_("The ranked TOP5 row concerned, if any.")
    )
    group = serializers.CharField(help_text=_("The table it belongs to."))
    label = serializers.CharField(help_text=_("Row and column, or the ranked name."))
    published = serializers.CharField(help_text=_("The value as published."))
    computed = serializers.CharField(help_text=_("The value computed from its parts."))
    computed_low = serializers.DecimalField(
        max_digits=None, decimal_places=None, help_text=_("Lowest value the parts allow.")
    )
    computed_high = serializers.DecimalField(
        max_digits=None, decimal_places=None, help_text=_("Highest value the parts allow.")
    )
    arithmetic = serializers.CharField(help_text=_("The arithmetic, with the numbers."))
    difference = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        help_text=_("Published minus computed, in the figure's unit (points for rates)."),
    )
    relative_difference = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        allow_null=True,
        help_text=_(
            "The difference in per cent of the computed value; null for rates and changes."
        ),
    )
    unit = serializers.CharField(allow_blank=True, help_text=_("The figure's unit."))
    off_by = serializers.CharField(help_text=_("How far off, in words and numbers."))
    details = serializers.ListField(
        child=serializers.CharField(), help_text=_("How implied values were derived.")
    )
    operand_codes = serializers.ListField(
        child=serializers.CharField(), help_text=_("The indicators the check computed from.")
    )


class NotCheckedSerializer(serializers.Serializer):
    """A check that could not be made, and why ("—" is never taken as 0)."""

    period = serializers.CharField(help_text=_("current or year_on_year."))
    rule_code = serializers.CharField(allow_blank=True, help_text=_("The rule's code."))
    indicator_code = serializers.CharField(
        allow_null=True, help_text=_("The indicator concerned, if any.")
    )
    reason = serializers.CharField(help_text=_("Why it was not checked."))


class CheckResultSerializer(serializers.Serializer):
    """What the figure checks found in one report."""

    report = serializers.CharField(help_text=_("The report checked."))
    prior_report = serializers.CharField(
        allow_null=True,
        help_text=_("Last year's report, when stored; else changes are checked by implication."),
    )
    prior_report_status = serializers.ChoiceField(
        AnnualReport.Status.choices,
        allow_null=True,
        help_text=_(
            "Its status: always published for the public; staff who see drafts are compared "
            "with last year's draft, and told so here."
        ),
    )
    checks_made = serializers.IntegerField(help_text=_("How many checks were made."))
    discrepancies = DiscrepancySerializer(
        many=True, help_text=_("Every figure that disagrees, in the order of the printed report.")
    )
    not_checked = NotCheckedSerializer(
        many=True, help_text=_("Checks that could not be made, and why.")
    )


class ProvinceFigureSerializer(serializers.Serializer):
    """One city's published figure in a row of the province's view."""

    city = serializers.SlugField(help_text=CITY)
    value = PrintedDecimalField(
        max_digits=18,
        decimal_places=4,
        help_text=_(
            "The city's value with the decimals it was printed with; null when it printed "
            "“—” or a text."
        ),
    )
    text = serializers.CharField(
        allow_blank=True, help_text=_("What the city printed instead of a number, if anything.")
    )


class ProvinceCitySerializer(serializers.Serializer):
    """A city that has published its report of the year, with its figure-check result."""

    city = serializers.SlugField(source="report.region.slug", help_text=CITY)
    city_name = serializers.CharField(source="report.region.name", help_text=_("Name of the city."))
    city_name_en = serializers.CharField(
        source="report.region.name_en", help_text=described(Region, "name_en")
    )
    is_synthetic = serializers.BooleanField(
        source="report.is_synthetic", help_text=described(AnnualReport, "is_synthetic")
    )
    report = serializers.SerializerMethodField(help_text=_("The report in the API."))
    discrepancies = serializers.IntegerField(
        help_text=_(
            "How many discrepancies the public figure checks find in the report: each one, "
            "with its arithmetic, is in the report's checks (`checks`)."
        )
    )
    checks = serializers.SerializerMethodField(help_text=_("The report's figure checks."))

    def _url(self, city, name) -> str:
        return reverse(name, args=[city.report.region.slug, city.report.year])

    def get_report(self, city) -> str:
        return self._url(city, "api:report-detail")

    def get_checks(self, city) -> str:
        return self._url(city, "api:report-checks")


class ProvinceRowSerializer(serializers.Serializer):
    """One indicator: every published city's figure side by side, and the province total."""

    indicator = serializers.CharField(
        source="indicator.code", help_text=described(Indicator, "code")
    )
    table = serializers.CharField(
        source="indicator.table.code", help_text=described(ReportTable, "code")
    )
    kind = serializers.CharField(source="indicator.kind", help_text=described(Indicator, "kind"))
    unit = serializers.CharField(source="indicator.unit", help_text=described(Indicator, "unit"))
    figures = serializers.SerializerMethodField(
        help_text=_(
            "Each published city's figure, in the order of `reports`; a city whose report has "
            "no such figure is left out."
        )
    )
    total = PrintedDecimalField(
        max_digits=20,
        decimal_places=4,
        help_text=_(
            "The province total: for counts only, and only where every published city "
            "reported a number (a “—” is never counted as 0); else null."
        ),
    )
    total_cities = serializers.SerializerMethodField(
        help_text=_("How many cities the total covers; null when there is no total.")
    )

    @extend_schema_field(ProvinceFigureSerializer(many=True))
    def get_figures(self, row) -> list:
        cities = [report.region.slug for report in self.root.instance.reports]
        return [
            {
                "city": city,
                "value": None if figure.value is None else f"{figure.printed_value:f}",
                "text": figure.text,
            }
            for city, figure in zip(cities, row.figures, strict=True)
            if figure is not None
        ]

    def get_total_cities(self, row) -> int | None:
        return None if row.total is None else len(row.figures)


class ProvinceSerializer(serializers.Serializer):
    """The province's view of a year: every city's published report side by side."""

    province = serializers.SlugField(source="province.slug", help_text=_("Slug of the province."))
    year = serializers.IntegerField(help_text=described(AnnualReport, "year"))
    cities = serializers.IntegerField(help_text=_("How many cities the province has."))
    published = serializers.SerializerMethodField(
        help_text=_("How many of them have published their report of the year.")
    )
    drafts = serializers.IntegerField(
        allow_null=True,
        help_text=_(
            "How many of the year's reports are still drafts, as a count only: null for the "
            "public, whose answer moves only with published data; given to staff who see drafts."
        ),
    )
    reports = ProvinceCitySerializer(
        source="published",
        many=True,
        help_text=_("The published reports, in the province's order of cities."),
    )
    results = ProvinceRowSerializer(
        source="rows",
        many=True,
        help_text=_("Every indicator of the published reports, in the order of the report."),
    )

    def get_published(self, page) -> int:
        return len(page.reports)
