"""The columns of each record type's file: their headers, how a cell is read and written.

A column is found by its header as exported (the model field's verbose name, Chinese under
zh-hans), by its English header, or by the field's name; a unit in brackets may follow
(共享诉求数据量 or 共享诉求数据量(件)). Related records are named, never numbered (lookups).
Cells are read with hotline.parsing, the one parser of values as people type them.
"""

import re
from datetime import date
from functools import cached_property

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.models import (
    AppealCount,
    DataSharingRequest,
    Department,
    Figure,
    Indicator,
    LivestreamEpisode,
    PolicyDocument,
    Region,
)
from hotline.models.records import printed_text, related
from hotline.models.reports import printed
from hotline.parsing import (
    format_period,
    is_not_reported,
    normalise,
    parse_change,
    parse_date,
    parse_decimal,
    parse_integer,
    parse_period,
)

from .cells import split_list
from .lookups import indicator_label
from .lookups import key as name_key
from .readers import Refused

LANGUAGES = ("zh-hans", "en")
_UNIT = re.compile(r"[(（][^()（）]*[)）]$")


def header_key(text) -> str:
    """How a header is compared: without BOM, unit in brackets, spaces or case."""
    text = normalise(str(text).lstrip("\ufeff"))
    return name_key(_UNIT.sub("", text) or text)


def in_languages(text) -> list[str]:
    names = []
    for language in LANGUAGES:
        with translation.override(language):
            names.append(str(text))
    return names


class RowState:
    """One row being read: the values to set on the record, and what is wrong with it."""

    def __init__(self, raw):
        self.number = raw.number
        self.sheet = raw.sheet
        self.labels = raw.labels
        self.optional = raw.optional
        self.values = {}  # field name → value (a record for a foreign key)
        self.m2m = {}  # field name → records
        self.errors = []  # (column key or field name, message)
        self.cells = {}  # column key → the cell as read
        self.city = None
        self.year = None

    def error(self, where, message):
        self.errors.append((where, str(message)))


class Column:
    exports = True
    imports = True

    def __init__(self, key, header=None, *, aliases=(), fields=None):
        self.key = key
        self._header = header
        self.aliases = aliases
        self.fields = fields or (key,)

    def bind(self, model):
        self.model = model
        try:
            self.field = model._meta.get_field(self.key)
        except FieldDoesNotExist:
            self.field = None
        if self._header is None:
            self._header = self.field.verbose_name
        return self

    @property
    def header(self) -> str:
        return str(self._header)

    def names(self) -> list[str]:
        names = [self.key, *in_languages(self._header)]
        for alias in self.aliases:
            names.extend(in_languages(alias))
        return names

    def parse(self, text, row, lookups):
        value = self.read(text, row, lookups)
        field = self.field
        if value is None and field is not None and not field.null and field.has_default():
            # An empty cell of a column with a default (显示顺序 0) is that default.
            value = field.get_default()
        row.values[self.key] = value

    def read(self, text, row, lookups):
        return text

    def export(self, obj):
        return getattr(obj, self.key)


class TextColumn(Column):
    def read(self, text, row, lookups):
        value = text.isoformat() if isinstance(text, date) else str(text)
        if self.field is not None and self.field.null and value == "":
            return None
        return value


class IntegerColumn(Column):
    def read(self, text, row, lookups):
        return parse_integer(text)


class DecimalColumn(Column):
    """A number as typed; its decimals are kept beside it where the model keeps them
    (PRINTED_DECIMALS), and written back with them."""

    def bind(self, model):
        super().bind(model)
        self.decimals_field = getattr(model, "PRINTED_DECIMALS", {}).get(self.key)
        if self.decimals_field:
            self.fields = (self.key, self.decimals_field)
        return self

    def parse(self, text, row, lookups):
        parsed = parse_decimal(text)
        row.values[self.key] = parsed[0] if parsed else None
        if parsed and self.decimals_field:
            row.values[self.decimals_field] = parsed[1]

    def export(self, obj):
        value = getattr(obj, self.key)
        if self.decimals_field:
            return printed(value, getattr(obj, self.decimals_field))
        return value


class DateColumn(Column):
    def read(self, text, row, lookups):
        return parse_date(text)


class ChoiceColumn(Column):
    """A choice by its label, in Chinese or English, or by its stored value."""

    def _choices(self):
        if not hasattr(self, "_by_name"):
            self._by_name = {}
            for value, label in self.field.choices:
                for name in [value, *in_languages(label)]:
                    self._by_name[name_key(name)] = value
        return self._by_name

    def read(self, text, row, lookups):
        if is_not_reported(text) and self.field.has_default():
            return self.field.get_default()
        value = self._choices().get(name_key(text))
        if value is None:
            labels = "、".join(str(label) for _value, label in self.field.choices)
            raise ValueError(
                _("“%(text)s” is not one of: %(choices)s.") % {"text": text, "choices": labels}
            )
        return value

    def export(self, obj):
        return str(getattr(obj, f"get_{self.key}_display")())


class ListColumn(Column):
    """Names in one cell, separated by 、 (or , ; and newlines)."""

    def read(self, text, row, lookups):
        return list(dict.fromkeys(split_list(text)))

    def export(self, obj):
        return list(getattr(obj, self.key))


class CityColumn(Column):
    def __init__(self):
        super().__init__("city", gettext_lazy("city"), fields=("report",))

    def parse(self, text, row, lookups):
        row.city = lookups.city(text)

    def export(self, obj):
        return obj.report.region.name


class YearColumn(Column):
    def __init__(self):
        super().__init__("year", gettext_lazy("year"), fields=("report",))

    def parse(self, text, row, lookups):
        row.year = parse_integer(text)
        if row.year is None:
            raise ValueError(_("The year is missing."))

    def export(self, obj):
        return obj.report.year


class RegionColumn(Column):
    """A region by slug or name: within the row's city for a report's record; written as its
    slug where names may repeat across the province (a region's parent, a department's
    region), as its name within a city."""

    def __init__(self, key, header=None, *, within_city=False, **kwargs):
        super().__init__(key, header, **kwargs)
        self.within_city = within_city

    def read(self, text, row, lookups):
        if is_not_reported(text):
            return None
        if self.within_city:
            if row.city is None:
                return None
            return lookups.region(text, within=row.city)
        return lookups.region(text)

    def export(self, obj):
        region = getattr(obj, self.key)
        if region is None:
            return None
        return region.name if self.within_city else region.slug


class LevelColumn(RegionColumn):
    """行政层级 as the report prints it: 市本级 (or City level) for the city itself, else the
    district's or county's name (Region.level_as_printed)."""

    def __init__(self, key):
        super().__init__(key, within_city=True)

    @cached_property
    def _city_level(self) -> set[str]:
        # Once, not per row: translating it twice a row was a tenth of a large import's time.
        return {name_key(name) for name in in_languages(Region.CITY_LEVEL)}

    def read(self, text, row, lookups):
        if row.city is not None and name_key(text) in self._city_level:
            return row.city
        return super().read(text, row, lookups)

    def export(self, obj):
        region = getattr(obj, self.key)
        return str(Region.CITY_LEVEL) if region.level == Region.Level.CITY else region.name


class DepartmentColumn(Column):
    def read(self, text, row, lookups):
        if is_not_reported(text) or row.city is None:
            return None
        return lookups.department(text, city=row.city)

    def export(self, obj):
        department = getattr(obj, self.key)
        return department.name if department else None


class CategoryColumn(Column):
    def read(self, text, row, lookups):
        return None if is_not_reported(text) else lookups.category(text)

    def export(self, obj):
        category = getattr(obj, self.key)
        return category.name if category else None


class ManyColumn(Column):
    """Several related records in one cell, by name, separated by 、. With `printed`, the
    field that keeps the names as the cell wrote them, in its order (as_printed), where they
    differ from the records' usual names; the cell is written back that way."""

    def __init__(self, key, header=None, *, find, printed=None, **kwargs):
        super().__init__(key, header, **kwargs)
        self.find = find
        self.printed = printed
        if printed:
            self.fields = (key, printed)

    def parse(self, text, row, lookups):
        found, wrong = [], []
        names = list(dict.fromkeys(split_list(text)))
        for name in names:
            try:
                found.append(self.find(lookups, name, row))
            except ValueError as error:
                wrong.append(str(error))
        if wrong:
            raise ValueError(" ".join(wrong))
        records = list({record.pk: record for record in found if record}.values())
        row.m2m[self.key] = records
        if self.printed:
            named = len(records) == len(names)  # a name per record, each once
            row.values[self.printed] = printed_text(names, records) if named else ""

    def export(self, obj):
        if self.printed:
            return getattr(obj, f"{self.key}_as_printed")
        return [record.name for record in related(obj, self.key)]


def _department_in_city(lookups, name, row):
    return lookups.department(name, city=row.city) if row.city else None


def _method(lookups, name, row):
    return lookups.method(name)


class PeriodColumn(Column):
    """The period as one text cell (2022.1.1—2023.6.30), as people write it: read, not
    written; the export writes its two dates (PeriodDateColumn)."""

    exports = False

    def __init__(self):
        super().__init__("period", gettext_lazy("period"), fields=("period_start", "period_end"))

    def parse(self, text, row, lookups):
        row.values["period_start"], row.values["period_end"] = parse_period(text)

    def export(self, obj):
        return format_period(obj.period_start, obj.period_end)


class PeriodDateColumn(DateColumn):
    """period_start / period_end as two date cells, written and read; they win over an
    empty period cell."""

    def parse(self, text, row, lookups):
        if not is_not_reported(text) or self.key not in row.values:
            row.values[self.key] = parse_date(text)


class ExportOnly(Column):
    """Written for the reader, ignored when the file comes back."""

    imports = False

    def parse(self, text, row, lookups):
        pass


class IndicatorColumn(Column):
    def read(self, text, row, lookups):
        if is_not_reported(text):
            return None
        return lookups.indicator(text)

    def export(self, obj):
        return obj.indicator.code


class IndicatorLabelColumn(Column):
    """表 · 行 · 列: read only where the file gives no indicator code."""

    def __init__(self):
        super().__init__("indicator_label", gettext_lazy("indicator name"), fields=("indicator",))

    def parse(self, text, row, lookups):
        if row.values.get("indicator") is None and not is_not_reported(text):
            row.values["indicator"] = lookups.indicator(text)

    def export(self, obj):
        return indicator_label(obj.indicator)


class UnitColumn(ExportOnly):
    def __init__(self):
        super().__init__("unit", gettext_lazy("unit"))

    def export(self, obj):
        return obj.indicator.unit


class FigureValueColumn(Column):
    """A number as printed (92.30%), a text (优秀) for a text indicator, or — for not
    reported; the decimals are those typed."""

    def __init__(self):
        super().__init__("value", fields=("value", "text", "decimals"))

    def parse(self, text, row, lookups):
        indicator = row.values.get("indicator")
        if indicator is None:
            return
        if indicator.kind == Indicator.Kind.TEXT:
            row.values["value"] = None
            row.values["text"] = "" if is_not_reported(text) else str(text)
            return
        parsed = parse_decimal(text)
        row.values["text"] = ""
        row.values["value"] = parsed[0] if parsed else None
        if parsed:
            row.values["decimals"] = parsed[1]

    def export(self, figure):
        if figure.text:
            return figure.text
        if figure.value is None:
            return "—"
        return figure.printed_value


class FigureChangeColumn(Column):
    """The published change as typed: ↓8.77%, -8.77, 下降8.77%; empty or — for none."""

    def __init__(self):
        super().__init__(
            "change",
            aliases=(gettext_lazy("year-on-year change"),),
            fields=("change", "change_decimals"),
        )

    def parse(self, text, row, lookups):
        parsed = parse_change(text)
        row.values["change"] = parsed[0] if parsed else None
        if parsed:
            row.values["change_decimals"] = parsed[1]

    def export(self, figure):
        return figure.printed_change


class Spec:
    """One record type's file: its columns, how a row is identified, what it must have."""

    model: type[models.Model]
    columns: list[Column]
    # Field names that identify a row's record; alternatives are tried in order (identity()).
    identity: tuple = ()
    # The field that scopes identities and unique keys (the report); None for all records.
    scope: str | None = "report"
    # Groups of column keys of which the file needs at least one each.
    required: tuple = ()
    select_related: tuple = ("report__region",)
    prefetch_related: tuple = ()

    def __init__(self):
        self.columns = [column.bind(self.model) for column in self.columns]
        self.by_key = {column.key: column for column in self.columns}
        self._names = None

    @property
    def name(self) -> str:
        return self.model._meta.model_name

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    @property
    def export_columns(self):
        return [c for c in self.columns if c.exports]

    @property
    def import_only_columns(self):
        """Columns read but never written (the period as one text cell)."""
        return [c for c in self.columns if c.imports and not c.exports]

    def names(self) -> dict:
        if self._names is None:
            names = {}
            for column in self.columns:
                for name in column.names():
                    other = names.setdefault(header_key(name), column)
                    assert other is column, f"{self.name}: {name} names two columns"
            self._names = names
        return self._names

    def match(self, headers) -> list[Column]:
        """The column of each header; Refused, naming the headers expected, when a header is
        unknown or repeated or a needed column is missing."""
        names = self.names()
        columns, unknown, repeated = [], [], []
        for header in headers:
            column = names.get(header_key(header))
            if column is None:
                unknown.append(header or _("(a column without a header)"))
            elif column in columns:
                repeated.append(header)
            columns.append(column)
        expected = "、".join(c.header for c in self.columns if c.imports)
        if unknown:
            raise Refused(
                _("The file has columns the system does not know: %(unknown)s.")
                % {"unknown": "、".join(f"“{h}”" for h in unknown)},
                _("The columns of %(records)s are: %(expected)s.")
                % {"records": self.label, "expected": expected},
            )
        if repeated:
            raise Refused(
                _("The file has these columns twice: %(repeated)s.")
                % {"repeated": "、".join(f"“{h}”" for h in repeated)}
            )
        present = {column.key for column in columns}
        missing = [group for group in self.required if not present.intersection(group)]
        if missing:
            raise Refused(
                _("The file lacks the columns %(missing)s.")
                % {
                    "missing": "、".join(
                        "“" + _(" or ").join(self.by_key[k].header for k in group) + "”"
                        for group in missing
                    )
                },
                _("The columns of %(records)s are: %(expected)s.")
                % {"records": self.label, "expected": expected},
            )
        return columns

    def finish(self, row, lookups):
        """After the cells: the report named by city and year."""
        if self.scope != "report" or row.city is None or row.year is None:
            return
        try:
            row.values["report"] = lookups.report(row.city, row.year)
        except ValueError as error:
            row.error("year", error)

    def identity_of(self, values) -> tuple[tuple, tuple] | None:
        """(the identity's field names, their values) for a row; None if one is missing."""
        return self._identity(self.identity, values)

    def alternatives(self):
        return [self.identity]

    @staticmethod
    def _identity(fields, values):
        key = []
        for name in fields:
            if name not in values:
                return None
            value = values[name]
            key.append(value.pk if isinstance(value, models.Model) else value)
        return fields, tuple(key)

    # Rows written a batch at a time; 1 where a row may name a record an earlier row creates.
    batch_size = None

    def new_instance(self):
        return self.model()

    def written(self, objects, lookups):
        """After a batch is written: what later rows of the file may refer to."""


def report_columns():
    return [CityColumn(), YearColumn()]


class RegionSpec(Spec):
    """A district's row may name, as its parent, a city created a few rows above."""

    model = Region
    scope = None
    batch_size = 1
    identity = ("slug",)
    required = (("slug",),)
    select_related = ("parent",)
    columns = [
        TextColumn("slug"),
        TextColumn("name"),
        TextColumn("name_en"),
        ChoiceColumn("level"),
        RegionColumn("parent"),
        IntegerColumn("order"),
    ]

    def written(self, objects, lookups):
        lookups.add_regions(objects)


class DepartmentSpec(Spec):
    model = Department
    scope = None
    identity = ("region", "name")
    required = (("region",), ("name",))
    select_related = ("region",)
    columns = [
        RegionColumn("region"),
        TextColumn("name"),
        TextColumn("short_name"),
        ListColumn("aliases"),
        ChoiceColumn("kind"),
    ]


class FigureSpec(Spec):
    model = Figure
    identity = ("report", "indicator")
    required = (("city",), ("year",), ("indicator", "indicator_label"))
    select_related = ("report__region", "indicator__table")
    columns = [
        *report_columns(),
        IndicatorColumn("indicator"),
        IndicatorLabelColumn(),
        UnitColumn(),
        FigureValueColumn(),
        FigureChangeColumn(),
        TextColumn("note"),
        TextColumn("note_en"),
    ]


class AppealCountSpec(Spec):
    model = AppealCount
    identity = ("report", "appeal_type", "department", "category")
    required = (("city",), ("year",), ("department", "category"))
    select_related = ("report__region", "department", "category")
    columns = [
        *report_columns(),
        ChoiceColumn("appeal_type"),
        DepartmentColumn("department"),
        CategoryColumn("category"),
        IntegerColumn("count"),
        DecimalColumn("published_share"),
        TextColumn("note"),
    ]

    def identity_of(self, values):
        values = {"appeal_type": AppealCount.AppealType.ALL, "department": None, **values}
        values.setdefault("category", None)
        return self._identity(self.identity, values)


class EpisodeSpec(Spec):
    model = LivestreamEpisode
    identity = ("report", "number")
    required = (("city",), ("year",), ("number",))
    columns = [
        *report_columns(),
        IntegerColumn("number"),
        DateColumn("aired_on"),
        TextColumn("title"),
        IntegerColumn("appeals_received"),
        IntegerColumn("answered_on_air"),
        IntegerColumn("supervised_after"),
        DecimalColumn("satisfaction_rate"),
        IntegerColumn("hot_topics_published"),
        IntegerColumn("policy_qa_published"),
        TextColumn("note"),
    ]


class SharingSpec(Spec):
    model = DataSharingRequest
    identity = ("report", "line")
    required = (("city",), ("year",), ("line",))
    select_related = ("report__region", "region")
    prefetch_related = ("recipients", "methods")
    columns = [
        *report_columns(),
        IntegerColumn("group_number"),
        IntegerColumn("line"),
        LevelColumn("region"),
        ManyColumn("recipients", find=_department_in_city, printed="recipients_printed"),
        ManyColumn("methods", find=_method),
        TextColumn("scope"),
        PeriodColumn(),
        PeriodDateColumn("period_start"),
        PeriodDateColumn("period_end"),
        IntegerColumn("records"),
        TextColumn("purpose"),
        TextColumn("approval"),
        DateColumn("delivered_on"),
        TextColumn("note"),
    ]


class PolicySpec(Spec):
    """A document is known by its number (文号), or by its title when it has none."""

    model = PolicyDocument
    identity = ("report", "doc_number")
    required = (("city",), ("year",), ("title", "doc_number"))
    prefetch_related = ("issuers",)
    columns = [
        *report_columns(),
        IntegerColumn("order"),
        TextColumn("title"),
        TextColumn("doc_number"),
        ManyColumn("issuers", find=_department_in_city, printed="issuers_printed"),
        DateColumn("issued_on"),
        TextColumn("url"),
        TextColumn("note"),
    ]

    def alternatives(self):
        return [("report", "doc_number"), ("report", "title")]

    def identity_of(self, values):
        if values.get("doc_number"):
            return self._identity(("report", "doc_number"), values)
        return self._identity(("report", "title"), values)


SPECS = {
    spec.name: spec
    for spec in (
        RegionSpec(),
        DepartmentSpec(),
        FigureSpec(),
        AppealCountSpec(),
        EpisodeSpec(),
        SharingSpec(),
        PolicySpec(),
    )
}


def spec_for(name_or_model) -> Spec:
    """A record type by model, model name (datasharingrequest), or verbose name in either
    language (数据共享申请, data-sharing requests)."""
    if isinstance(name_or_model, type):
        return SPECS[name_or_model._meta.model_name]
    wanted = name_key(str(name_or_model).replace("-", "").replace("_", ""))
    for spec in SPECS.values():
        meta = spec.model._meta
        names = [meta.model_name, *in_languages(meta.verbose_name)]
        names += in_languages(meta.verbose_name_plural)
        if wanted in {name_key(n.replace("-", "").replace("_", "")) for n in names}:
            return spec
    raise KeyError(name_or_model)
