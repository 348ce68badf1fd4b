"""The public downloads: each table of the site as a hotline.writers.Table, written as CSV,
XLSX and JSON by the one writer (its rules: hotline/writers.py)."""

from collections.abc import Iterator
from operator import attrgetter

from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.download_store import Stored
from hotline.models import PolicyDocument
from hotline.models.catalogue import translated
from hotline.models.records import related
from hotline.services.province import PROVINCE
from hotline.writers import Table

from .formatting import change_text

# -- Datasets of the report's tables ----------------------------------------------------------


def _report_name(report, code):
    return f"{report.region.slug}-{report.year}-{code}".replace("_", "-")


def grid_columns(row_header="") -> list[tuple[str, str]]:
    """The columns of a catalogue table's download (described by reports.open_data)."""
    return [
        ("indicator", _("Indicator code")),
        ("row", row_header or _("Row")),
        ("column_group", _("Column group")),
        ("column", _("Column")),
        ("value", _("Value")),
        ("text", _("Text")),
        ("unit", _("Unit")),
        ("change", _("Year-on-year change")),
        ("change_unit", _("Change in")),
        ("change_printed", _("Change as printed")),
        ("note", _("Note")),
    ]


def grid_dataset(report, grid) -> Table:
    """A catalogue table, one row per figure (tidy), with its unit and change as published."""
    columns = grid_columns(grid.row_header)
    rows = []
    for row in grid.rows:
        for cell in row.cells:
            figure = cell.figure
            if figure is None:
                continue
            indicator = figure.indicator
            points = indicator.change_kind == indicator.ChangeKind.POINTS
            rows.append(
                {
                    "indicator": indicator.code,
                    "row": row.label,
                    "column_group": cell.column.group,
                    "column": cell.column.label,
                    "value": figure.printed_value,
                    "text": figure.text,
                    "unit": translated(indicator, "unit"),
                    "change": figure.printed_change,
                    "change_unit": (
                        (_("percentage points") if points else "%")
                        if figure.change is not None
                        else ""
                    ),
                    "change_printed": change_text(figure),
                    "note": "\n".join(f.text for f in cell.footnotes),
                }
            )
    notes = [grid.table.shown_note] if grid.table.shown_note else []
    return Table(
        name=_report_name(report, grid.code),
        title=f"{report.title or report} · {translated(grid.table, 'title')}",
        columns=columns,
        rows=rows,
        source=report.source,
        notes=notes,
    )


TOP_DEPARTMENT_COLUMNS = [
    ("rank", gettext_lazy("Rank")),
    ("department", gettext_lazy("Department")),
    ("department_full_name", gettext_lazy("Full name")),
    ("count", gettext_lazy("Appeals (cases)")),
]
TOP_CATEGORY_COLUMNS = [
    ("appeal_type", gettext_lazy("Appeal type")),
    ("rank", gettext_lazy("Rank")),
    ("category", gettext_lazy("Appeal category")),
    ("count", gettext_lazy("Appeals (cases)")),
    ("share", gettext_lazy("Share as published (%)")),
]


def top_departments_dataset(report, counts) -> Table:
    # Outside the f-string, where xgettext sees it (it reads an f-string as one literal).
    table_title = _("Top 5 departments by appeals handled")
    return Table(
        name=_report_name(report, "top5-departments"),
        title=f"{report.title or report} · {table_title}",
        columns=[(k, str(v)) for k, v in TOP_DEPARTMENT_COLUMNS],
        rows=[
            {
                "rank": n,
                "department": str(c.department),
                "department_full_name": c.department.name,
                "count": c.count,
            }
            for n, c in enumerate(counts, start=1)
        ],
        source=report.source,
    )


def top_categories_dataset(report, categories) -> Table:
    rows = []
    for appeal_type, counts in categories:
        for n, c in enumerate(counts, start=1):
            rows.append(
                {
                    "appeal_type": appeal_type,
                    "rank": n,
                    "category": translated(c.category, "name"),
                    "count": c.count,
                    "share": c.printed_share,
                }
            )
    table_title = _("Top 5 appeal categories")  # outside the f-string, for xgettext
    return Table(
        name=_report_name(report, "top5-categories"),
        title=f"{report.title or report} · {table_title}",
        columns=[(k, str(v)) for k, v in TOP_CATEGORY_COLUMNS],
        rows=rows,
        source=report.source,
    )


class _Names:
    """The names a record list's rows share (a report's city, a district's level, a method),
    each worked out once per download, in its language, rather than once per row."""

    MADE = 10_000  # objects kept by identity: a list whose rows share none keeps only some

    def __init__(self):
        self.known, self.made = {}, {}

    def of(self, obj, make=None) -> str:
        """The object's name, or what `make` makes of it."""
        # By the object first: a long list's rows share their related objects (Reader).
        made = self.made.get((id(obj), make))
        if made is not None and made[0] is obj:
            return made[1]
        key = (type(obj), obj.pk, make)
        name = self.known.get(key)
        if name is None:
            name = self.known[key] = make(obj) if make else translated(obj, "name")
        if len(self.made) < self.MADE:
            self.made[id(obj), make] = (obj, name)  # kept alive: its id is not reused
        return name


_LEVEL = attrgetter("level_as_printed")


SHARING_COLUMNS = [
    ("city", gettext_lazy("City")),
    ("year", gettext_lazy("Year")),
    ("group_number", gettext_lazy("Group")),
    ("line", gettext_lazy("Line")),
    ("region", gettext_lazy("Administrative level")),
    ("recipients", gettext_lazy("Recipients")),
    ("methods", gettext_lazy("Methods")),
    ("scope", gettext_lazy("Scope")),
    ("period_start", gettext_lazy("Period from")),
    ("period_end", gettext_lazy("Period to")),
    ("records", gettext_lazy("Appeal records shared (cases)")),
    ("purpose", gettext_lazy("Purpose")),
    ("approval", gettext_lazy("Approval")),
    ("delivered_on", gettext_lazy("Delivered on")),
    ("note", gettext_lazy("Note")),
]


def sharing_rows(requests) -> Iterator[list]:
    """Each request's cells in the order of SHARING_COLUMNS (a list, not a dict: 100,000 of
    them are written at a time)."""
    names = _Names()
    for r in requests:
        report = r.report
        yield [
            names.of(report.region),
            report.year,
            r.group_number,
            r.line,
            names.of(r.region, _LEVEL),
            r.recipients_as_printed,
            [names.of(m) for m in related(r, "methods")],
            r.scope,
            r.period_start,
            r.period_end,
            r.records,
            r.purpose,
            r.approval,
            r.delivered_on,
            r.note,
        ]


def sharing_dataset(name, title, requests, source="") -> Table:
    columns = [(str(k), str(v)) for k, v in SHARING_COLUMNS]
    return Table(name, columns, sharing_rows(requests), title=title, source=source)


POLICY_COLUMNS = [
    ("city", gettext_lazy("City")),
    ("year", gettext_lazy("Year")),
    # The model's label, which the importer knows: the list imports back.
    ("order", capfirst(PolicyDocument._meta.get_field("order").verbose_name)),
    ("title", gettext_lazy("Title")),
    ("doc_number", gettext_lazy("Document number")),
    ("issuers", gettext_lazy("Issued by")),
    ("issued_on", gettext_lazy("Issued on")),
    ("url", gettext_lazy("Link")),
    ("note", gettext_lazy("Note")),
]


def policy_rows(documents) -> Iterator[dict]:
    names = _Names()
    for d in documents:
        yield {
            "city": names.of(d.report.region),
            "year": d.report.year,
            "order": d.order,
            "title": d.title,
            "doc_number": d.doc_number,
            "issuers": d.issuers_as_printed,
            "issued_on": d.issued_on,
            "url": d.url,
            "note": d.note,
        }


def policy_dataset(name, title, documents, source="") -> Table:
    columns = [(str(k), str(v)) for k, v in POLICY_COLUMNS]
    return Table(name, columns, policy_rows(documents), title=title, source=source)


EPISODE_COLUMNS = [
    ("city", gettext_lazy("City")),
    ("year", gettext_lazy("Year")),
    ("number", gettext_lazy("Episode")),
    ("aired_on", gettext_lazy("Aired on")),
    ("title", gettext_lazy("Title")),
    ("guests", gettext_lazy("Officials on air")),
    ("appeals_received", gettext_lazy("Appeals received (cases)")),
    ("answered_on_air", gettext_lazy("Answered on air (cases)")),
    ("supervised_after", gettext_lazy("Supervised after (cases)")),
    ("satisfaction_rate", gettext_lazy("Satisfaction (%)")),
    ("hot_topics_published", gettext_lazy("Hot topics published")),
    ("policy_qa_published", gettext_lazy("Policy Q&A pairs published")),
    ("note", gettext_lazy("Note")),
]


def episode_rows(episodes) -> Iterator[dict]:
    names = _Names()
    for e in episodes:
        yield {
            "city": names.of(e.report.region),
            "year": e.report.year,
            "number": e.number,
            "aired_on": e.aired_on,
            "title": e.title,
            "guests": [f"{g.department} {g.name}".strip() for g in related(e, "guests")],
            "appeals_received": e.appeals_received,
            "answered_on_air": e.answered_on_air,
            "supervised_after": e.supervised_after,
            "satisfaction_rate": e.satisfaction_rate,
            "hot_topics_published": e.hot_topics_published,
            "policy_qa_published": e.policy_qa_published,
            "note": e.note,
        }


def episode_dataset(name, title, episodes, source="") -> Table:
    columns = [(str(k), str(v)) for k, v in EPISODE_COLUMNS]
    return Table(name, columns, episode_rows(episodes), title=title, source=source)


def trend_dataset(region, reports, tables) -> Table:
    years = [r.year for r in reports]
    columns = [
        *indicator_columns(),
        *[(str(y), str(y)) for y in years],
        *[(f"change_{y}", _("Change %(year)s") % {"year": y}) for y in years],
    ]
    rows = []
    for table in tables:
        for trend_row in table.rows:
            ind = trend_row.indicator
            row = indicator_cells(table.table, ind)
            for year, figure in zip(years, trend_row.figures, strict=True):
                if figure is not None:
                    row[str(year)] = figure.printed_cell
                    row[f"change_{year}"] = change_text(figure)
            rows.append(row)
    return Table(
        name=f"{region.slug}-indicators-by-year",
        title=_("%(city)s: indicators by year") % {"city": translated(region, "name")},
        columns=columns,
        rows=rows,
    )


def compare_dataset(page) -> Table:
    indicator = page.indicator
    return Table(
        name=f"compare-{page.year}-{indicator.code}".replace("_", "-").replace(".", "-"),
        title=f"{translated(indicator, 'column_label')} · {page.year}",
        columns=[
            ("city", _("City")),
            ("year", _("Year")),
            ("indicator", _("Indicator code")),
            ("value", _("Value")),
            ("text", _("Text")),
            ("unit", _("Unit")),
            ("change", _("Year-on-year change")),
            ("change_printed", _("Change as printed")),
        ],
        rows=[
            {
                "city": translated(f.report.region, "name"),
                "year": f.report.year,
                "indicator": indicator.code,
                "value": f.printed_value,
                "text": f.text,
                "unit": translated(indicator, "unit"),
                "change": f.printed_change,
                "change_printed": change_text(f),
            }
            for f in page.figures
        ],
    )


def province_workbook(year: int) -> Stored:
    """The province's XLSX in the download store: written by a job (reports.tasks), as its
    13 cities take about a second to render."""
    return Stored(f"{PROVINCE}-{year}", "xlsx", f"province|{year}")


def province_dataset(request, page) -> Table:
    """The province's view of a year: each city a column, then the province total (counts
    every city reported only) and how many cities it covers. `request` gives the address of
    the province's page and the version of the data (a reader's, or a job's stand-in)."""
    cities = [(r.region.slug, translated(r.region, "name")) for r in page.reports]
    columns = [
        *indicator_columns(),
        *cities,
        ("total", _("Province total")),
        ("total_cities", _("Cities in the total")),
    ]
    rows = []
    for table in page.tables:
        for province_row in table.rows:
            ind = province_row.indicator
            row = indicator_cells(table.table, ind)
            for (slug, _name), figure in zip(cities, province_row.figures, strict=True):
                if figure is not None:
                    row[slug] = figure.printed_cell
            if province_row.total is not None:
                row["total"] = province_row.total
                row["total_cities"] = len(cities)
            rows.append(row)
    fresh = getattr(request, "freshness", None)
    return Table(
        name=f"{page.province.slug}-{page.year}",
        title=_("%(province)s %(year)s: the cities side by side")
        % {"province": translated(page.province, "name"), "year": page.year},
        columns=columns,
        rows=rows,
        url=request.build_absolute_uri(reverse("reports:province", args=[page.year])),
        last_modified=fresh.last_modified if fresh else None,
    )


def indicator_columns() -> list[tuple[str, str]]:
    """The headers of indicator_cells(), in the reader's language."""
    return [
        ("indicator", _("Indicator code")),
        ("table", _("Table")),
        ("row", _("Row")),
        ("column", _("Column")),
        ("unit", _("Unit")),
    ]


def indicator_cells(table, indicator) -> dict:
    """The cells that name an indicator in a download of figures side by side (years, cities)."""
    column = [translated(indicator, "column_group"), translated(indicator, "column_label")]
    return {
        "indicator": indicator.code,
        "table": translated(table, "title"),
        "row": translated(indicator, "row_label"),
        "column": " · ".join(part for part in column if part),
        "unit": translated(indicator, "unit"),
    }
