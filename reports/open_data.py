"""Open data: what a report's downloads mean, in the forms data portals and their tools read.

- **The data dictionary** (`report_resources`): every download of a report, each column with
  its meaning in Chinese and English, its type, unit and constraints, and every indicator of
  its figure tables with its unit, kind, printed decimals, how its change is expressed and the
  check rules that relate it to other figures. It is generated from what already says these
  things once: the downloads' own columns (reports.downloads), the models' labels and help
  texts, the indicator catalogue and the check rules. Nothing here is written twice.
- **The Frictionless Data Package** (`datapackage`): the same resources as Table Schemas.
- **Metadata**: the licence (settings.OPEN_DATA_LICENSE*), a citation, schema.org `Dataset`
  (report pages) and a DCAT catalogue of every published report.

Callers pass reports read for the public (published) or for staff who see drafts; metadata
about every report (the catalogue, the sitemap) reads `AnnualReport.public_objects` only.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.models import (
    AnnualReport,
    CheckRule,
    DataSharingRequest,
    Figure,
    Indicator,
    LivestreamEpisode,
    PolicyDocument,
)
from hotline.models.catalogue import translated
from hotline.reading import instances
from hotline.reference import with_indicators
from hotline.writers import Table

from . import downloads

LANGUAGES = ("zh-hans", "en")


# -- Licence and citation ---------------------------------------------------------------------


def licence() -> dict:
    """The data's licence as the settings name it (the data owner's decision)."""
    return {
        "name": settings.OPEN_DATA_LICENSE,
        "title": str(settings.OPEN_DATA_LICENSE_TITLE),
        "url": settings.OPEN_DATA_LICENSE_URL,
    }


def publisher() -> str:
    return str(settings.OPEN_DATA_PUBLISHER)


def licence_context(request):
    """Every template knows the licence (the source note shows it on every page)."""
    return {"open_data_licence": licence()}


def report_title(report) -> str:
    if report.title and not translation.get_language().startswith("en"):
        return report.title
    return _("%(city)s 12345 hotline: %(year)s annual report") % {
        "city": translated(report.region, "name"),
        "year": report.year,
    }


def citation(report, url: str) -> str:
    """How to cite a report's data: its publisher, title, year and stable URL."""
    return _("%(publisher)s. %(title)s (%(year)s). %(url)s") % {
        "publisher": _("%(city)s 12345 government service hotline")
        % {"city": translated(report.region, "name")},
        "title": report_title(report),
        "year": report.year,
        "url": url,
    }


# -- The data dictionary ----------------------------------------------------------------------


@dataclass
class Field:
    """One column of a download: `header` is as the file writes it in the page's language."""

    key: str
    headers: dict[str, str]  # by language
    descriptions: dict[str, str]  # by language
    type: str  # Table Schema: string, integer, number, date
    constraints: dict = field(default_factory=dict)
    unit: str = ""

    @property
    def header(self) -> str:
        return self.headers[_language()]

    @property
    def description(self) -> str:
        return self.descriptions[_language()]

    @property
    def constraint_text(self) -> str:
        parts = []
        if self.constraints.get("required"):
            parts.append(_("required"))
        if self.constraints.get("unique"):
            parts.append(_("unique"))
        if "minimum" in self.constraints:
            parts.append(f"≥ {self.constraints['minimum']}")
        if "maximum" in self.constraints:
            parts.append(f"≤ {self.constraints['maximum']}")
        return ", ".join(parts)


@dataclass
class IndicatorEntry:
    """An indicator of a figure table, as this report printed it."""

    indicator: Indicator
    figure: Figure
    rules: list[CheckRule]

    @property
    def decimals(self):
        return self.figure.decimals if self.figure.value is not None else None

    @property
    def change_expressed(self) -> str:
        return self.indicator.get_change_kind_display()


@dataclass
class Resource:
    """A download of a report: a figure table (`table`) or a list (`model`, or the TOP5s)."""

    code: str  # its code in URLs: appeals, top5-departments, sharing-register
    name: str  # its file name without extension: huaian-2023-appeals
    title: str
    fields: list[Field]
    primary_key: list[str]  # field keys
    table: object = None  # the catalogue table of a figure table
    indicators: list[IndicatorEntry] = field(default_factory=list)
    foreign_keys: list[tuple[str, str, str]] = field(default_factory=list)  # key, resource, key

    def field(self, key) -> Field:
        return next(f for f in self.fields if f.key == key)


def _language() -> str:
    return "en" if (translation.get_language() or "").startswith("en") else "zh-hans"


def _both(make) -> dict[str, str]:
    """`make()` in each language: a label for the dictionary's Chinese and English columns."""
    found = {}
    for language in LANGUAGES:
        with translation.override(language):
            found[language] = str(make())
    return found


# What the columns of the figure tables and the TOP5s mean; the list tables' columns are the
# models' own fields and say it with their labels and help texts.
NOT_REPORTED = gettext_lazy("Empty when not reported (printed “—”), which is never zero.")
COLUMN_MEANINGS = {
    "indicator": gettext_lazy(
        "The indicator's code in the catalogue: see the indicators table of this package."
    ),
    "row": gettext_lazy("The row of the printed table."),
    "column_group": gettext_lazy("The group header above the printed column, if any."),
    "column": gettext_lazy("The column of the printed table."),
    "value": gettext_lazy("The figure as published, with its printed decimals."),
    "text": gettext_lazy("A figure published as text instead of a number (优秀)."),
    "unit": gettext_lazy("The unit of the figure."),
    "change": gettext_lazy(
        "The year-on-year change as published: in per cent of last year's value, or in "
        "percentage points for rates (see the next column)."
    ),
    # xgettext:no-python-format
    "change_unit": gettext_lazy("What the change is expressed in: % or percentage points."),
    "change_printed": gettext_lazy("The change as printed, with ↑ or ↓."),
    "note": gettext_lazy(
        "Notes on the figure: how a merged or shifted cell was read, what the figure checks found."
    ),
    "rank": gettext_lazy("The place in the ranking, most appeals first."),
    "department": gettext_lazy("The department as the report names it."),
    "department_full_name": gettext_lazy("The department's full name."),
    "count": gettext_lazy("Appeals handled, in cases."),
    "appeal_type": gettext_lazy("Which appeals are ranked: consultation, other, or all."),
    "category": gettext_lazy("The appeal category."),
    # xgettext:no-python-format
    "share": gettext_lazy("The share as published, in % of the appeals of the type."),
    "city": gettext_lazy("The city whose report this is."),
    "year": gettext_lazy("The year of the report."),
    "guests": gettext_lazy("The officials on air, with their departments."),
}

GRID_TYPES = {
    "indicator": ("string", {"required": True, "unique": True}),
    "value": ("number", {"minimum": 0}),
    "change": ("number", {"minimum": -100}),
    "change_unit": ("string", {}),
}
TOP_TYPES = {
    "rank": ("integer", {"required": True, "minimum": 1}),
    "count": ("integer", {"required": True, "minimum": 0}),
    "share": ("number", {"minimum": 0, "maximum": 100}),
}


def _meaning(key) -> dict[str, str]:
    return _both(lambda: COLUMN_MEANINGS[key])


def _headers(columns_of, key) -> dict[str, str]:
    return _both(lambda: dict(columns_of())[key])


def _model_field(model, key, columns_of) -> Field:
    """A list table's column described by its model field."""
    try:
        model_field = model._meta.get_field(key)
    except FieldDoesNotExist:
        model_field = None
    if model_field is None or model_field.auto_created:
        # city, year: the report's; an episode's guests: records of their own
        kind = "integer" if key == "year" else "string"
        required = {"required": True} if key in {"city", "year"} else {}
        return Field(key, _headers(columns_of, key), _meaning(key), kind, required)

    def meaning():
        text = capfirst(model_field.verbose_name)
        if model_field.help_text:
            text = f"{text}: {model_field.help_text}"
        if model_field.many_to_many:
            text = f"{text} " + _("(a list, joined by 、)")
        return text

    constraints = {}
    if isinstance(model_field, models.DateField):
        kind = "date"
    elif isinstance(model_field, models.DecimalField):
        kind = "number"
        constraints = {"minimum": 0, "maximum": 100}  # the rates of the records (0–100)
    elif isinstance(model_field, models.IntegerField):
        kind = "integer"
        constraints = {"minimum": 0}  # counts and numbers, never negative (the models' checks)
    else:
        kind = "string"
    if not (model_field.blank or model_field.null or model_field.many_to_many):
        constraints["required"] = True
    return Field(key, _headers(columns_of, key), _both(meaning), kind, constraints)


def _grid_resource(report, table, entries) -> Resource:
    def columns():
        return downloads.grid_columns(translated(table, "row_header"))

    rates = all(e.indicator.kind == Indicator.Kind.RATE for e in entries)
    fields = []
    for key, _header in columns():
        kind, constraints = GRID_TYPES.get(key, ("string", {}))
        constraints = dict(constraints)
        if key == "value" and rates:
            constraints["maximum"] = 100
        descriptions = _meaning(key)
        if key == "value":
            descriptions = {
                lang: f"{text} {_both(lambda: NOT_REPORTED)[lang]}"
                for lang, text in descriptions.items()
            }
        fields.append(Field(key, _headers(columns, key), descriptions, kind, constraints))
    return Resource(
        code=table.code,
        name=f"{report.region.slug}-{report.year}-{table.code}".replace("_", "-"),
        title=translated(table, "title"),
        fields=fields,
        primary_key=["indicator"],
        table=table,
        indicators=entries,
        foreign_keys=[("indicator", "indicators", "code")],
    )


def _top_resource(report, code, columns_list, title, primary_key) -> Resource:
    def columns():
        return [(k, str(v)) for k, v in columns_list]

    fields = []
    for key, _header in columns():
        kind, constraints = TOP_TYPES.get(key, ("string", {}))
        fields.append(Field(key, _headers(columns, key), _meaning(key), kind, dict(constraints)))
    return Resource(
        code, f"{report.region.slug}-{report.year}-{code}", str(title), fields, primary_key
    )


def _list_resource(report, code, model, columns_list, title, primary_key) -> Resource:
    def columns():
        return [(k, str(v)) for k, v in columns_list]

    fields = [_model_field(model, key, columns) for key, _header in columns()]
    return Resource(
        code, f"{report.region.slug}-{report.year}-{code}", str(title), fields, primary_key
    )


# The lists of a report beside its figure tables, in the order of the printed report.
LIST_RESOURCES = (
    "top5-departments",
    "top5-categories",
    "sharing-register",
    "policy-documents",
    "episodes",
)


def report_resources(report) -> list[Resource]:
    """Every download of the report, described. Reads the report's figures with their
    catalogue (1 query) and the check rules with their operands (2)."""
    figures = with_indicators(
        list(instances(Figure.private_objects.filter(report=report), streamed=False))
    )
    rules = _rules_by_indicator({f.indicator_id for f in figures})
    by_table: dict = {}
    for figure in figures:
        entry = IndicatorEntry(figure.indicator, figure, rules.get(figure.indicator_id, []))
        by_table.setdefault(figure.indicator.table, []).append(entry)
    resources = [_grid_resource(report, table, entries) for table, entries in by_table.items()]
    resources += [
        _top_resource(
            report,
            "top5-departments",
            downloads.TOP_DEPARTMENT_COLUMNS,
            _("Top 5 departments by appeals handled"),
            ["rank"],
        ),
        _top_resource(
            report,
            "top5-categories",
            downloads.TOP_CATEGORY_COLUMNS,
            _("Top 5 appeal categories"),
            ["appeal_type", "rank"],
        ),
        _list_resource(
            report,
            "sharing-register",
            DataSharingRequest,
            downloads.SHARING_COLUMNS,
            _("Data-sharing register"),
            ["line"],
        ),
        _list_resource(
            report,
            "policy-documents",
            PolicyDocument,
            downloads.POLICY_COLUMNS,
            _("Rules and standards issued"),
            [],
        ),
        _list_resource(
            report,
            "episodes",
            LivestreamEpisode,
            downloads.EPISODE_COLUMNS,
            _("Live-broadcast episodes"),
            ["number"],
        ),
    ]
    return resources


def _rules_by_indicator(indicator_ids) -> dict[int, list[CheckRule]]:
    """The active check rules that compute or read each indicator."""
    found: dict[int, list[CheckRule]] = {}
    for rule in CheckRule.objects.active().prefetch_related("operands"):
        ids = {rule.target_id} | {o.indicator_id for o in rule.operands.all()}
        for indicator_id in ids & indicator_ids:
            found.setdefault(indicator_id, []).append(rule)
    return found


# -- The indicators table: the dictionary's catalogue part as a download -------------------------

INDICATOR_COLUMNS = [
    ("code", gettext_lazy("Indicator code")),
    ("table", gettext_lazy("Table code")),
    ("table_title", gettext_lazy("Table")),
    ("table_title_en", gettext_lazy("Table (English)")),
    ("row", gettext_lazy("Row")),
    ("row_en", gettext_lazy("Row (English)")),
    ("column_group", gettext_lazy("Column group")),
    ("column_group_en", gettext_lazy("Column group (English)")),
    ("column", gettext_lazy("Column")),
    ("column_en", gettext_lazy("Column (English)")),
    ("unit", gettext_lazy("Unit")),
    ("unit_en", gettext_lazy("Unit (English)")),
    ("kind", gettext_lazy("Kind")),
    ("change_kind", gettext_lazy("Year-on-year change expressed as")),
    ("decimals", gettext_lazy("Printed decimals")),
    ("description", gettext_lazy("Description")),
    ("rules", gettext_lazy("Check rules")),
]
INDICATOR_MEANINGS = {
    "code": gettext_lazy("The indicator's code, the same every year and in every city."),
    "kind": gettext_lazy("Count, rate or share (0–100 %), duration, ratio or text."),
    "change_kind": gettext_lazy(
        "Relative change (%) for counts and durations, percentage points for rates."
    ),
    "decimals": gettext_lazy(
        "The decimals this report printed the figure with; empty when not reported."
    ),
    "rules": gettext_lazy("The figure checks that relate this figure to others."),
}


def rule_text(rule) -> str:
    return f"{rule.code} ({rule.get_kind_display()})" + (
        f": {rule.description}" if rule.description else ""
    )


def indicators_resource(report) -> Resource:
    def columns():
        return [(k, str(v)) for k, v in INDICATOR_COLUMNS]

    fields = []
    for key, _header in columns():
        kind, constraints = {
            "code": ("string", {"required": True, "unique": True}),
            "decimals": ("integer", {"minimum": 0}),
        }.get(key, ("string", {}))
        meaning = INDICATOR_MEANINGS.get(key) or dict(INDICATOR_COLUMNS)[key]
        fields.append(
            Field(key, _headers(columns, key), _both(lambda m=meaning: m), kind, constraints)
        )
    return Resource(
        "indicators",
        f"{report.region.slug}-{report.year}-indicators",
        _("Indicators"),
        fields,
        ["code"],
    )


def indicators_dataset(report, resources) -> Table:
    rows = []
    for resource in resources:
        for entry in resource.indicators:
            ind = entry.indicator
            rows.append(
                {
                    "code": ind.code,
                    "table": ind.table.code,
                    "table_title": ind.table.title,
                    "table_title_en": ind.table.title_en,
                    "row": ind.row_label,
                    "row_en": ind.row_label_en,
                    "column_group": ind.column_group,
                    "column_group_en": ind.column_group_en,
                    "column": ind.column_label,
                    "column_en": ind.column_label_en,
                    "unit": ind.unit,
                    "unit_en": ind.unit_en,
                    "kind": ind.get_kind_display(),
                    "change_kind": entry.change_expressed,
                    "decimals": entry.decimals,
                    "description": ind.description,
                    "rules": [rule_text(r) for r in entry.rules],
                }
            )
    resource = indicators_resource(report)
    return Table(
        name=resource.name,
        title=f"{report_title(report)} · {resource.title}",
        columns=[(f.key, f.header) for f in resource.fields],
        rows=rows,
        source=report.source,
    )


# -- The Frictionless Data Package --------------------------------------------------------------


def table_schema(resource: Resource) -> dict:
    fields = []
    for f in resource.fields:
        entry = {"name": f.header, "title": f.headers["en"], "type": f.type}
        entry["description"] = f.description
        if f.type == "number":
            # The writer keeps printed decimals and nothing else: no thousands separators.
            entry["decimalChar"] = "."
        if f.constraints:
            entry["constraints"] = f.constraints
        fields.append(entry)
    schema = {"fields": fields, "missingValues": [""]}
    if resource.primary_key:
        schema["primaryKey"] = [resource.field(k).header for k in resource.primary_key]
    if resource.foreign_keys:
        schema["foreignKeys"] = [
            {
                "fields": [resource.field(key).header],
                "reference": {"resource": target, "fields": [_target_header(target, target_key)]},
            }
            for key, target, target_key in resource.foreign_keys
        ]
    return schema


def _target_header(target, key) -> str:
    assert target == "indicators"
    return str(dict(INDICATOR_COLUMNS)[key])


def datapackage(report, resources, *, path_of, homepage: str) -> dict:
    """The report's Data Package: `path_of(resource)` is each CSV's URL or path in a ZIP."""
    lic = licence()
    package_licence = {"name": lic["name"], "title": lic["title"]}
    if lic["url"]:
        package_licence["path"] = lic["url"]
    described = [indicators_resource(report), *resources]
    package = {
        "profile": "tabular-data-package",
        "name": f"{report.region.slug}-{report.year}",
        "title": report_title(report),
        "description": _(
            "The figures and records of %(title)s, one CSV file (UTF-8) per table of the "
            "report, with the catalogue of its indicators."
        )
        % {"title": report_title(report)},
        "homepage": homepage,
        "keywords": ["12345", _("government service hotline"), translated(report.region, "name")],
        "licenses": [package_licence],
        "sources": [{"title": report.source or publisher()}],
        "contributors": [{"title": publisher(), "role": "publisher"}],
        "citation": citation(report, homepage),
        "resources": [
            {
                "profile": "tabular-data-resource",
                "name": resource.code,
                "path": path_of(resource),
                "title": resource.title,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": table_schema(resource),
            }
            for resource in described
        ],
    }
    if report.published_at:
        package["created"] = report.published_at.isoformat()
    return package


# -- Metadata: schema.org Dataset and the DCAT catalogue ------------------------------------------


def _distributions(report, absolute) -> list[tuple[str, str, str]]:
    """(title, media type, URL) of a report's main files."""
    slug, year = report.region.slug, report.year
    return [
        (
            _("Data package (Frictionless)"),
            "application/json",
            absolute(reverse("reports:datapackage", args=[slug, year])),
        ),
        (
            _("All tables as CSV (ZIP)"),
            "application/zip",
            absolute(reverse("reports:datapackage-zip", args=[slug, year])),
        ),
        (
            _("Indicators (CSV)"),
            "text/csv",
            absolute(reverse("reports:indicators-download", args=[slug, year, "csv"])),
        ),
        (
            _("The report as PDF"),
            "application/pdf",
            absolute(reverse("reports:report-pdf", args=[slug, year])),
        ),
    ]


def _licence_ref():
    lic = licence()
    return lic["url"] or lic["title"]


def schema_org_dataset(report, absolute) -> dict:
    """schema.org `Dataset` for a published report's page (what search engines read)."""
    url = absolute(reverse("reports:report", args=[report.region.slug, report.year]))
    city = translated(report.region, "name")
    return {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": url,
        "url": url,
        "name": report_title(report),
        "description": _(
            "The annual report of the 12345 government service hotline of %(city)s for "
            "%(year)s: appeals, calls, handling, data sharing, live broadcasts and policy "
            "documents, as published, with every table as CSV, XLSX and JSON."
        )
        % {"city": city, "year": report.year},
        "inLanguage": "zh-CN",
        "isAccessibleForFree": True,
        "license": _licence_ref(),
        "creator": {"@type": "GovernmentOrganization", "name": publisher()},
        "publisher": {"@type": "GovernmentOrganization", "name": publisher()},
        "temporalCoverage": f"{report.year}-01-01/{report.year}-12-31",
        "spatialCoverage": {
            "@type": "Place",
            "name": city,
            "address": {
                "@type": "PostalAddress",
                "addressRegion": _("Jiangsu"),
                "addressCountry": "CN",
            },
        },
        "datePublished": report.published_at.date().isoformat() if report.published_at else None,
        "keywords": ["12345", _("government service hotline"), city, str(report.year)],
        "citation": citation(report, url),
        "distribution": [
            {"@type": "DataDownload", "name": title, "encodingFormat": media, "contentUrl": link}
            for title, media, link in _distributions(report, absolute)
        ],
    }


DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def dcat_catalogue(reports, absolute) -> dict:
    """A DCAT catalogue (JSON-LD, its context inline so that it reads without the network) of
    the published reports given."""
    lic = {"@id": licence()["url"]} if licence()["url"] else licence()["title"]
    # Every node has an IRI, no blank node: the Turtle written from it is the same bytes each
    # time (blank nodes get new labels), so that unchanged data makes an unchanged file.
    agent = {"@id": absolute("/") + "#publisher", "@type": "foaf:Agent", "foaf:name": publisher()}
    datasets = []
    for report in reports:
        url = absolute(reverse("reports:report", args=[report.region.slug, report.year]))
        issued = report.published_at.date().isoformat() if report.published_at else None
        dataset = {
            "@id": url,
            "@type": "dcat:Dataset",
            "dct:title": report_title(report),
            "dct:identifier": f"{report.region.slug}-{report.year}",
            "dct:publisher": agent,
            "dct:license": lic,
            "dct:spatial": translated(report.region, "name"),
            "dct:temporal": {
                "@id": url + "#period",
                "@type": "dct:PeriodOfTime",
                "dcat:startDate": {"@value": f"{report.year}-01-01", "@type": "xsd:date"},
                "dcat:endDate": {"@value": f"{report.year}-12-31", "@type": "xsd:date"},
            },
            "dcat:keyword": ["12345", _("government service hotline")],
            "dcat:landingPage": {"@id": url},
            "dcat:distribution": [
                {
                    "@id": link + "#distribution",
                    "@type": "dcat:Distribution",
                    "dct:title": title,
                    "dcat:mediaType": media,
                    "dcat:downloadURL": {"@id": link},
                }
                for title, media, link in _distributions(report, absolute)
            ],
        }
        if issued:
            dataset["dct:issued"] = {"@value": issued, "@type": "xsd:date"}
        datasets.append(dataset)
    return {
        "@context": DCAT_CONTEXT,
        "@id": absolute(reverse("reports:catalog")),
        "@type": "dcat:Catalog",
        "dct:title": _("12345 hotline annual reports"),
        "dct:publisher": agent,
        "dct:license": lic,
        "dcat:dataset": datasets,
    }


def published_reports():
    """Every published report, for the catalogue and the sitemap."""
    return AnnualReport.public_objects.select_related("region").order_by(
        "region__order", "region__slug", "-year"
    )


def json_text(data) -> str:
    """JSON for a file: decimals as strings (the writer's rule), non-ASCII as is."""
    return json.dumps(
        data,
        ensure_ascii=False,
        indent=2,
        default=lambda v: str(v) if isinstance(v, Decimal) else v.isoformat(),
    )
