"""What the API shows and accepts. Related records are named by their natural keys (city slug,
year, indicator code, department name); every field says what it is and its unit."""

import copy
import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

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
    ReportTable,
    Section,
    SharingMethod,
)

from .changes import computed_change, previous_values
from .exceptions import django_errors, refuse_unless_draft
from .permissions import sees_drafts

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def no_control_characters(value):
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise serializers.ValidationError(_("Control characters are not allowed."))


def plain_text(data) -> bool:
    return isinstance(data, str) and len(data) <= 200 and not CONTROL_CHARACTERS.search(data)


class DetailSerializer(serializers.Serializer):
    """The body of an error or of a refusal."""

    detail = serializers.CharField(help_text=_("What went wrong, in words."))


class PrintedDecimalField(serializers.DecimalField):
    """A number with exactly the decimals it was printed with: 92.30 stays 92.30."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return f"{value:f}"


class NaturalKeyField(serializers.SlugRelatedField):
    """A related record named by its code or slug. Checks the text before it reaches a query, so
    that control characters (PostgreSQL refuses NUL) are a 400, never a 500."""

    def to_internal_value(self, data):
        if not plain_text(data):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field(OpenApiTypes.STR)
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


class CleanModelSerializer(serializers.ModelSerializer):
    """Validates with the model's full_clean(): the constraints carry their own messages, so bad
    input is a 400 per field before the database can raise an IntegrityError."""

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            target = getattr(field, "child", field)
            if isinstance(target, serializers.CharField) and not field.read_only:
                target.validators.append(no_control_characters)
        return fields

    def prepare(self, instance):
        """Set what the model derives before it is validated."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        skip = {f.name for f in model._meta.many_to_many} | getattr(self, "nested", set())
        instance = copy.copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            if name not in skip:
                setattr(instance, name, value)
        self.prepare(instance)
        try:
            instance.full_clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(self.api_errors(error)) from error
        return attrs

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
YEAR = _("Year the report covers.")


class ReportRecordSerializer(CleanModelSerializer):
    """A record of one annual report, which is named by its city and year."""

    id = serializers.IntegerField(read_only=True, help_text=_("Identifier of the record."))
    city = serializers.SlugField(source="report.region.slug", max_length=60, help_text=CITY)
    year = serializers.IntegerField(
        source="report.year", min_value=2000, max_value=2100, help_text=YEAR
    )

    def validate(self, attrs):
        if "report" in attrs or self.instance is None:
            attrs["report"] = self.resolve_report(attrs.pop("report", {}))
            # Refused before the record itself is validated: its report is not a draft.
            refuse_unless_draft(attrs["report"])
        return super().validate(attrs)

    def resolve_report(self, given):
        current = self.instance.report if self.instance is not None else None
        city = given.get("region", {}).get("slug") or (current.region.slug if current else None)
        year = given.get("year") or (current.year if current else None)
        user = self.context["request"].user
        reports = AnnualReport.objects.select_related("region")
        if not sees_drafts(user, AnnualReport):
            reports = reports.published()
        try:
            return reports.get(region__slug=city, year=year)
        except AnnualReport.DoesNotExist:
            raise serializers.ValidationError(
                {"year": [_("%(city)s has no report for %(year)s.") % {"city": city, "year": year}]}
            ) from None


# Reference data


class RegionSerializer(serializers.ModelSerializer):
    slug = serializers.SlugField(read_only=True, help_text=_("Identifier of the region."))
    name = serializers.CharField(read_only=True, help_text=_("Name (江苏省, 淮安市, 涟水县)."))
    name_en = serializers.CharField(read_only=True, help_text=_("English name, where stored."))
    level = serializers.ChoiceField(
        Region.Level.choices, read_only=True, help_text=_("Administrative level.")
    )
    parent = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text=_("Slug of the region above; null for the province."),
    )
    order = serializers.IntegerField(read_only=True, help_text=_("Display order."))

    class Meta:
        model = Region
        fields = ["slug", "name", "name_en", "level", "parent", "order"]


class DepartmentSerializer(CleanModelSerializer):
    id = serializers.IntegerField(read_only=True, help_text=_("Identifier of the department."))
    region = NaturalKeyField(
        slug_field="slug",
        queryset=Region.objects.all(),
        help_text=_("Slug of the region the unit belongs to (e.g. huaian)."),
    )
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=100),
        max_length=50,
        required=False,
        help_text=_("Other ways the unit is written; imports match them too."),
    )

    class Meta:
        model = Department
        fields = ["id", "region", "name", "short_name", "aliases", "kind"]
        extra_kwargs = {
            "name": {"help_text": _("Official name, unique within the region (淮安市公安局).")},
            "short_name": {"help_text": _("Name as the report writes it (市公安局).")},
            "kind": {"help_text": _("Kind of unit.")},
        }


class SectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Section
        fields = ["code", "number", "title", "title_en"]
        read_only_fields = fields  # stored data is shown as it is, not re-validated
        extra_kwargs = {
            "code": {"help_text": _("Identifier of the section (e.g. appeals).")},
            "number": {"help_text": _("Number of the section in the printed report (1 = 一).")},
            "title": {"help_text": _("Title as printed (企业群众诉求办理).")},
            "title_en": {"help_text": _("English title.")},
        }


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
        extra_kwargs = {
            "code": {"help_text": _("Identifier of the table (e.g. calls).")},
            "title": {"help_text": _("Title as printed.")},
            "title_en": {"help_text": _("English title.")},
            "row_header": {"help_text": _("Header of the table's row labels, as printed.")},
            "row_header_en": {"help_text": _("English header of the row labels.")},
            "order": {"help_text": _("Order of the table within its section.")},
            "note": {"help_text": _("How the printed table was read (merged or shifted cells).")},
        }


INDICATOR_LABELS = {
    "row_label": {"help_text": _("Row of the printed table (群众诉求).")},
    "row_label_en": {"help_text": _("English row label.")},
    "column_group": {"help_text": _("Header above the column, if any (诉求来源).")},
    "column_group_en": {"help_text": _("English header above the column.")},
    "column_label": {"help_text": _("Column of the printed table (电话).")},
    "column_label_en": {"help_text": _("English column label.")},
    "unit": {"help_text": _("Unit as printed (件, 通, 秒, %); empty for a text or a ratio.")},
    "unit_en": {"help_text": _("English unit (cases, calls, seconds, %).")},
    "kind": {"help_text": _("Kind of value: count, rate (%), duration, ratio or text.")},
    "change_kind": {
        "help_text": _(
            "How the year-on-year change is read: relative (%) for counts and durations, "
            "percentage points for rates."
        )
    },
}


class IndicatorSerializer(serializers.ModelSerializer):
    # Codes hold dots (table.row.column), which a slug pattern in the schema would deny.
    code = serializers.CharField(
        read_only=True, help_text=_("Identifier of the indicator: table.row.column.")
    )
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
        extra_kwargs = {
            "row_order": {"help_text": _("Order of the row in its table.")},
            "column_order": {"help_text": _("Order of the column in its table.")},
            "description": {"help_text": _("What the indicator counts, where said.")},
            **INDICATOR_LABELS,
        }


CODE_LIST = {
    "code": {"help_text": _("Identifier.")},
    "name": {"help_text": _("Name as printed.")},
    "name_en": {"help_text": _("English name.")},
    "order": {"help_text": _("Display order.")},
}


class AppealCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = AppealCategory
        fields = ["code", "name", "name_en", "order"]
        read_only_fields = fields  # stored data is shown as it is, not re-validated
        extra_kwargs = CODE_LIST


class SharingMethodSerializer(serializers.ModelSerializer):
    class Meta:
        model = SharingMethod
        fields = ["code", "name", "name_en", "order"]
        read_only_fields = fields  # stored data is shown as it is, not re-validated
        extra_kwargs = CODE_LIST


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
        extra_kwargs = {
            "year": {"help_text": YEAR, "min_value": 2000, "max_value": 2100},
            "title": {"help_text": _("Title of the published report.")},
            "status": {
                "help_text": _("Workflow status: draft, in review or published (staff see all).")
            },
            "population": {
                "help_text": _("Resident population, persons: the base of per-100,000 figures.")
            },
            "population_source": {"help_text": _("Where the population comes from.")},
            "source": {"help_text": _("Where the published figures come from.")},
            "submitted_at": {"help_text": _("When the report was last submitted for review.")},
            "published_at": {"help_text": _("When the report was last published.")},
            "updated_at": {"help_text": _("When the report was last changed.")},
        }

    def validate(self, attrs):
        if self.instance is not None:
            for field, name in (("region", "city"), ("year", "year")):
                if field in attrs and attrs[field] != getattr(self.instance, field):
                    raise serializers.ValidationError(
                        {name: [_("A report's city and year cannot change.")]}
                    )
        return super().validate(attrs)


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=1000,
        validators=[no_control_characters],
        help_text=_("Why the report is reopened; kept with the workflow step."),
    )


# Figures


class FigureListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        figures = list(data.all() if hasattr(data, "all") else data)
        # Last year's values for the whole page in one query.
        self.context["previous_values"] = previous_values(
            figures, include_drafts=sees_drafts(self.context["request"].user, Figure)
        )
        return super().to_representation(figures)


class FigureSerializer(ReportRecordSerializer):
    indicator = NaturalKeyField(
        slug_field="code",
        queryset=Indicator.objects.select_related("table__section"),
        help_text=_("Code of the indicator (e.g. appeals.total.total)."),
    )
    section = serializers.CharField(
        source="indicator.table.section.code", read_only=True, help_text=_("Code of the section.")
    )
    section_title = serializers.CharField(
        source="indicator.table.section.title",
        read_only=True,
        help_text=_("Title of the section, as printed."),
    )
    section_title_en = serializers.CharField(
        source="indicator.table.section.title_en",
        read_only=True,
        help_text=_("English title of the section."),
    )
    table = serializers.CharField(
        source="indicator.table.code", read_only=True, help_text=_("Code of the table.")
    )
    table_title = serializers.CharField(
        source="indicator.table.title",
        read_only=True,
        help_text=_("Title of the table, as printed."),
    )
    table_title_en = serializers.CharField(
        source="indicator.table.title_en",
        read_only=True,
        help_text=_("English title of the table."),
    )
    row_label = serializers.CharField(
        source="indicator.row_label", read_only=True, **INDICATOR_LABELS["row_label"]
    )
    row_label_en = serializers.CharField(
        source="indicator.row_label_en", read_only=True, **INDICATOR_LABELS["row_label_en"]
    )
    column_group = serializers.CharField(
        source="indicator.column_group", read_only=True, **INDICATOR_LABELS["column_group"]
    )
    column_group_en = serializers.CharField(
        source="indicator.column_group_en", read_only=True, **INDICATOR_LABELS["column_group_en"]
    )
    column_label = serializers.CharField(
        source="indicator.column_label", read_only=True, **INDICATOR_LABELS["column_label"]
    )
    column_label_en = serializers.CharField(
        source="indicator.column_label_en", read_only=True, **INDICATOR_LABELS["column_label_en"]
    )
    unit = serializers.CharField(
        source="indicator.unit", read_only=True, **INDICATOR_LABELS["unit"]
    )
    unit_en = serializers.CharField(
        source="indicator.unit_en", read_only=True, **INDICATOR_LABELS["unit_en"]
    )
    kind = serializers.ChoiceField(
        Indicator.Kind.choices, read_only=True, **INDICATOR_LABELS["kind"]
    )
    change_kind = serializers.ChoiceField(
        Indicator.ChangeKind.choices,
        source="indicator.change_kind",
        read_only=True,
        **INDICATOR_LABELS["change_kind"],
    )
    value = serializers.DecimalField(
        max_digits=18,
        decimal_places=4,
        min_value=0,
        allow_null=True,
        required=False,
        normalize_output=True,
        help_text=_(
            "The value, in the unit given by `unit`; null when not reported (printed “—”), "
            "never 0 for that."
        ),
    )
    decimals = serializers.IntegerField(
        min_value=0,
        max_value=4,
        required=False,
        help_text=_("Decimals the value was printed with (92.30 has 2)."),
    )
    printed_value = PrintedDecimalField(
        max_digits=18,
        decimal_places=4,
        help_text=_(
            "The value with the decimals it was printed with (92.30 stays 92.30), in the unit "
            "given by `unit`; null when not reported."
        ),
    )
    text = serializers.CharField(
        max_length=100,
        allow_blank=True,
        required=False,
        help_text=_("The value when it is a text (优秀); empty for a number."),
    )
    change = serializers.DecimalField(
        max_digits=12,
        decimal_places=4,
        # A field check too: the error names `change`, and full_clean() never reaches the
        # model's "100%." message, which Django's %-formatting breaks (fixed on main as 100%%).
        min_value=-100,
        allow_null=True,
        required=False,
        normalize_output=True,
        help_text=_(
            "Published year-on-year change: per cent for a relative change, percentage points "
            "for a rate (see `change_kind`); null when none was published."
        ),
    )
    change_decimals = serializers.IntegerField(
        min_value=0,
        max_value=4,
        required=False,
        help_text=_("Decimals the change was printed with."),
    )
    printed_change = PrintedDecimalField(
        max_digits=12,
        decimal_places=4,
        help_text=_(
            "The published change with its printed decimals (per cent or percentage points)."
        ),
    )
    computed_change = serializers.SerializerMethodField(
        help_text=_(
            "Year-on-year change computed from last year's stored report of the same city, to 2 "
            "decimals, read as `change_kind` says (per cent or percentage points); null where last "
            "year's figure is not stored, not reported or 0."
        )
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
        extra_kwargs = {"note": {"help_text": _("Where the value was printed and why, if read.")}}

    def prepare(self, instance):
        if instance.indicator_id:
            instance.kind = instance.indicator.kind

    @extend_schema_field(serializers.DecimalField(max_digits=24, decimal_places=2, allow_null=True))
    def get_computed_change(self, figure):
        previous = self.context.get("previous_values")
        if previous is None:
            previous = previous_values(
                [figure], include_drafts=sees_drafts(self.context["request"].user, Figure)
            )
        result = computed_change(figure, previous)
        return None if result is None else f"{result:f}"


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
        help_text=_("The department as the report writes it (市公安局)."),
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
        help_text=_("Name of the category as printed (住房保障)."),
    )
    count = serializers.IntegerField(
        min_value=0, max_value=10**15, help_text=_("Appeals, in cases (件).")
    )
    published_share = serializers.DecimalField(
        max_digits=7,
        decimal_places=4,
        min_value=0,
        max_value=100,
        allow_null=True,
        required=False,
        normalize_output=True,
        help_text=_("Published share of the appeal type's total, in %; null if none printed."),
    )
    share_decimals = serializers.IntegerField(
        min_value=0,
        max_value=4,
        required=False,
        help_text=_("Decimals the share was printed with."),
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
        extra_kwargs = {
            "appeal_type": {"help_text": _("Appeals counted: all, consultation or not.")},
            "note": {"help_text": _("Note on the count.")},
        }


class TopFiveSerializer(serializers.ModelSerializer):
    city = serializers.CharField(source="report.region.slug", read_only=True, help_text=CITY)
    year = serializers.IntegerField(source="report.year", read_only=True, help_text=YEAR)
    appeal_type = serializers.ChoiceField(
        AppealCount.AppealType.choices,
        read_only=True,
        help_text=_("Appeals counted: all, consultation or not."),
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
    count = serializers.IntegerField(read_only=True, help_text=_("Appeals, in cases (件)."))
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

    @extend_schema_field(OpenApiTypes.STR)
    def get_name(self, count):
        return str(count.subject)


# Section 二, 四 and 五 records


class GuestSerializer(serializers.ModelSerializer):
    department = DepartmentField(help_text=_("Official name of the official's department."))
    department_short_name = serializers.CharField(
        source="department.short_name",
        read_only=True,
        help_text=_("The department as the report writes it."),
    )
    name = serializers.CharField(
        max_length=40,
        allow_blank=True,
        required=False,
        validators=[no_control_characters],
        help_text=_("Name of the official, if printed."),
    )
    position = serializers.CharField(
        max_length=60,
        allow_blank=True,
        required=False,
        validators=[no_control_characters],
        help_text=_("Position of the official (局长)."),
    )

    class Meta:
        model = EpisodeGuest
        fields = ["department", "department_short_name", "name", "position", "is_principal"]
        extra_kwargs = {"is_principal": {"help_text": _("Whether the official heads the unit.")}}


COUNT_CASES = _("in cases (件)")


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
            "number": {"help_text": _("Number of the episode in the year."), "max_value": 10000},
            "aired_on": {"help_text": _("Date of the broadcast.")},
            "title": {"help_text": _("Title of the episode.")},
            "appeals_received": {
                "help_text": _("Appeals received during the broadcast, %s.") % COUNT_CASES,
                "max_value": 10**9,
            },
            "answered_on_air": {
                "help_text": _("Appeals answered on air, %s.") % COUNT_CASES,
                "max_value": 10**9,
            },
            "supervised_after": {
                "help_text": _("Key appeals supervised after the broadcast, %s.") % COUNT_CASES,
                "max_value": 10**9,
            },
            "satisfaction_rate": {"help_text": _("Handling satisfaction rate, in %.")},
            "hot_topics_published": {
                "help_text": _("Hot topics published, in items (条)."),
                "max_value": 10**9,
            },
            "policy_qa_published": {
                "help_text": _("Policy Q&A pairs published, in pairs (对)."),
                "max_value": 10**9,
            },
            "note": {"help_text": _("Note on the episode.")},
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
    recipients = DepartmentField(
        many=True, help_text=_("Official names of the departments that received the data.")
    )
    methods = NaturalKeyField(
        many=True,
        slug_field="code",
        queryset=SharingMethod.objects.all(),
        help_text=_("Codes of the ways the data was handed over (usb, disc, network, ...)."),
    )
    records = serializers.IntegerField(
        min_value=0, max_value=10**15, help_text=_("Appeal records shared, in cases (件).")
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
            "recipients",
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
            "group_number": {
                "help_text": _("The circled number (①, ②, ...) of the printed table."),
                "max_value": 10000,
            },
            "line": {"help_text": _("Order in the printed table."), "max_value": 10**6},
            "scope": {"help_text": _("What was shared (共享主题), as published.")},
            "period_start": {"help_text": _("First day of the period the data covers.")},
            "period_end": {"help_text": _("Last day of the period the data covers.")},
            "purpose": {"help_text": _("What the data was for.")},
            "approval": {"help_text": _("Who approved it, and the reference.")},
            "delivered_on": {"help_text": _("Date the data was delivered.")},
            "note": {"help_text": _("How the printed row was read.")},
        }


class PolicyDocumentSerializer(ReportRecordSerializer):
    issuers = DepartmentField(
        many=True, help_text=_("Official names of the departments that issued the document.")
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
            "issued_on",
            "url",
            "note",
        ]
        extra_kwargs = {
            "order": {"help_text": _("Order in the report."), "max_value": 10000},
            "title": {"help_text": _("Title as printed inside 《》.")},
            "doc_number": {"help_text": _("Document number (文号), e.g. 淮政办函[2023]7号.")},
            "issued_on": {"help_text": _("Date of issue.")},
            "url": {"help_text": _("Link to the document.")},
            "note": {"help_text": _("Note on the document.")},
        }


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(
        max_length=150, validators=[no_control_characters], help_text=_("Staff user name.")
    )
    password = serializers.CharField(
        max_length=128,
        style={"input_type": "password"},
        trim_whitespace=False,
        validators=[no_control_characters],
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
    checks_made = serializers.IntegerField(help_text=_("How many checks were made."))
    discrepancies = DiscrepancySerializer(
        many=True, help_text=_("Every figure that disagrees, in the order of the printed report.")
    )
    not_checked = NotCheckedSerializer(
        many=True, help_text=_("Checks that could not be made, and why.")
    )
