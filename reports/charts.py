"""Charts for the pages and the PDF: built from figures already fetched, drawn on the server as
SVG (reports/svg.py), so that no script is needed to see one; the same numbers are in a table
under each chart.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from hotline.models.catalogue import translated

from .formatting import escape, format_number
from .svg import chart_svg


@dataclass
class Series:
    label: str
    values: list[Decimal | None]
    decimals: int = 0


@dataclass
class Chart:
    id: str
    title: str
    kind: str  # "bar", "hbar", "doughnut" or "line"
    labels: list[str]
    series: list[Series]
    unit: str = ""
    note: str = ""
    label_header: str = ""
    section: str = ""  # the report section (Section.code) the chart is shown in

    @property
    def svg(self):
        """The chart drawn on the server: the same SVG on the page and in the PDF."""
        return chart_svg(self)

    @property
    def rows(self):
        """The chart's numbers as table rows: label, then one formatted value per series."""
        return [
            (label, [format_number(s.values[i], s.decimals) for s in self.series])
            for i, label in enumerate(self.labels)
        ]


def chart_html(chart: Chart, *, print: bool = False) -> str:
    """A chart, and on screen its numbers in a table under it: written here rather than in a
    template, as the tables are (reports.formatting.grid_html), for a report's ten charts cost
    twice as much through one (issue 15). The markup is byte for byte the template's."""
    title = escape(chart.title)
    unit = f' <span class="unit">({escape(chart.unit)})</span>' if chart.unit else ""
    html = [
        f'\n<figure class="chart" id="{escape(chart.id)}">\n'
        f"  <figcaption>{title}{unit}</figcaption>\n  {chart.svg}\n  "
    ]
    if chart.note:
        html.append(f'<p class="chart-note">{escape(chart.note)}</p>')
    html.append("\n  ")
    if not print:
        heads = "".join(f'<th scope="col">{escape(s.label)}{unit}</th>' for s in chart.series)
        rows = "".join(
            f'<tr><th scope="row">{escape(label)}</th>'
            + "".join(f'<td class="num">{escape(value)}</td>' for value in values)
            + "</tr>"
            for label, values in chart.rows
        )
        numbers = _("The chart's numbers")  # as {% translate %} writes it: not escaped
        html.append(
            '<details class="chart-table">\n'
            f"    <summary>{numbers}</summary>\n"
            f'    <div class="table-scroll" tabindex="0" role="region" aria-label="{title}">\n'
            '    <table class="data">\n'
            f'      <thead><tr><th scope="col">{escape(chart.label_header or "")}</th>{heads}'
            "</tr></thead>\n"
            f"      <tbody>{rows}</tbody>\n"
            "    </table>\n    </div>\n  </details>"
        )
    html.append("\n</figure>\n")
    return mark_safe("".join(html))


def _chart_from_codes(id, title, kind, by_code, codes, label_header, series_label=""):
    figures = [by_code[c] for c in codes if c in by_code and by_code[c].value is not None]
    if not figures:
        return None
    units = {translated(f.indicator, "unit") for f in figures}
    return Chart(
        id=id,
        title=title,
        kind=kind,
        labels=[translated(f.indicator, "column_label") for f in figures],
        series=[
            Series(
                series_label or title,
                [f.printed_value for f in figures],
                max(f.decimals for f in figures),
            )
        ],
        unit=units.pop() if len(units) == 1 else "",
        label_header=label_header,
    )


def report_charts(by_code, departments, categories, sharing) -> list[Chart]:
    """The charts of a report's own figures, each in its section of the page."""
    candidates = [
        _chart_from_codes(
            "chart-appeal-sources",
            _("Where appeals came from"),
            "bar",
            by_code,
            [
                "appeals.total.source_phone",
                "appeals.total.source_internet",
                "appeals.total.source_transfer",
            ],
            _("Appeal source"),
        ),
        _chart_from_codes(
            "chart-appeal-handling",
            _("How appeals were handled"),
            "doughnut",
            by_code,
            [
                "appeals.total.answered_by_agent",
                "appeals.total.answered_by_specialist",
                "appeals.total.dispatched",
            ],
            _("Handled by"),
        ),
        _calls_chart(by_code, "calls_handled", "chart-calls", _("Calls handled by people")),
        _calls_chart(by_code, "avg_talk_s", "chart-talk-time", _("Average talk time")),
        _top_departments_chart(departments),
        *_top_categories_charts(categories),
        *_sharing_charts(sharing),
    ]
    return _in_sections(c for c in candidates if c is not None)


def _in_sections(charts) -> list[Chart]:
    charts = list(charts)
    for chart in charts:
        chart.section = _section_of(chart.id)
    return charts


CHART_SECTIONS = {
    "chart-appeal-": "appeals",
    "chart-calls": "appeals",
    "chart-talk-time": "appeals",
    "chart-top-": "data",
    "chart-sharing-": "data",
    "chart-trend-": "trends",
}


def _section_of(chart_id):
    return next((s for prefix, s in CHART_SECTIONS.items() if chart_id.startswith(prefix)), "")


def _calls_chart(by_code, column, id, title):
    figures = [
        f
        for code, f in by_code.items()
        if code.startswith("calls.")
        and code.endswith("." + column)
        and ".total." not in code
        and f.value is not None
    ]
    if not figures:
        return None
    figures.sort(key=lambda f: f.indicator.row_order)
    return Chart(
        id=id,
        title=title,
        kind="bar",
        labels=[translated(f.indicator, "row_label") for f in figures],
        series=[
            Series(title, [f.printed_value for f in figures], max(f.decimals for f in figures))
        ],
        unit=translated(figures[0].indicator, "unit"),
        label_header=_("Call direction"),
    )


def _top_departments_chart(departments):
    if not departments:
        return None
    return Chart(
        id="chart-top-departments",
        title=_("Top 5 departments by appeals handled"),
        kind="hbar",
        labels=[str(c.department) for c in departments],
        series=[Series(_("Appeals"), [Decimal(c.count) for c in departments])],
        unit=_("cases"),
        label_header=_("Department"),
    )


def _top_categories_charts(categories):
    charts = []
    for n, (appeal_type, counts) in enumerate(categories, start=1):
        charts.append(
            Chart(
                id=f"chart-top-categories-{n}",
                title=_("Top 5 appeal categories: %(type)s") % {"type": appeal_type},
                kind="hbar",
                labels=[translated(c.category, "name") for c in counts],
                series=[Series(_("Appeals"), [Decimal(c.count) for c in counts])],
                unit=_("cases"),
                label_header=_("Appeal category"),
            )
        )
    return charts


def _sharing_charts(sharing):
    """From the register's summary (reports.selectors.sharing_summary), not its rows."""
    if not sharing.requests:
        return []
    methods, kinds = sharing.by_method, sharing.by_kind
    return [
        Chart(
            id="chart-sharing-methods",
            title=_("Data-sharing requests by method"),
            kind="bar",
            labels=[m.label for m in methods],
            series=[Series(_("Requests"), [Decimal(m.requests) for m in methods])],
            unit=_("requests"),
            note=_("A request handed over in several ways counts under each."),
            label_header=_("Method"),
        ),
        Chart(
            id="chart-sharing-recipients",
            title=_("Data-sharing requests by kind of recipient"),
            kind="hbar",
            labels=[k.label for k in kinds],
            series=[Series(_("Requests"), [Decimal(k.requests) for k in kinds])],
            unit=_("requests"),
            note=_("A request shared with several kinds of unit counts under each."),
            label_header=_("Kind of recipient"),
        ),
    ]


def _trend_chart(id, indicator, years, figures):
    values = [None if f is None else f.printed_value for f in figures]
    decimals = max((f.decimals for f in figures if f is not None), default=0)
    title = translated(indicator, "column_label")
    row = translated(indicator, "row_label")
    if row:
        title = f"{row} · {title}"
    return Chart(
        id=id,
        title=title,
        kind="line",
        labels=[str(y) for y in years],
        series=[Series(title, values, decimals)],
        unit=translated(indicator, "unit"),
        label_header=_("Year"),
    )


def trend_charts_for_report(trends) -> list[Chart]:
    """Headline figures over the years, where more than one year is published."""
    charts = []
    for n, (_code, figures) in enumerate(sorted(trends.items()), start=1):
        if len(figures) < 2:
            continue
        years = [f.report.year for f in figures]
        charts.append(_trend_chart(f"chart-trend-{n}", figures[0].indicator, years, figures))
    return _in_sections(charts)


def trend_charts(reports, indicators, series) -> list[Chart]:
    if len(reports) < 2:
        return []
    years = [r.year for r in reports]
    return [
        _trend_chart(f"chart-trend-{n}", indicator, years, series[indicator.code])
        for n, indicator in enumerate(indicators, start=1)
    ]


def compare_charts(indicator, year, figures) -> list[Chart]:
    shown = [f for f in figures if f.value is not None]
    if not shown:
        return []
    return [
        Chart(
            id="chart-compare",
            title=f"{translated(indicator, 'column_label')} · {year}",
            kind="hbar",
            labels=[translated(f.report.region, "name") for f in shown],
            series=[
                Series(
                    translated(indicator, "column_label"),
                    [f.printed_value for f in shown],
                    max(f.decimals for f in shown),
                )
            ],
            unit=translated(indicator, "unit"),
            label_header=_("City"),
        )
    ]
