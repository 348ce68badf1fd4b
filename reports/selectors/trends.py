"""A city across its published years, and the cities side by side on one indicator."""

from collections import defaultdict
from dataclasses import dataclass

from hotline.models import (
    AnnualReport,
    Figure,
    Indicator,
    Region,
    ReportTable,
)
from hotline.reference import with_indicators

from .. import charts
from .report import HEADLINE_CODES
from .streams import read_records


@dataclass
class TrendRow:
    indicator: Indicator
    figures: list[Figure | None]  # one per year, None where the year has no such figure


@dataclass
class TrendTable:
    table: ReportTable
    rows: list[TrendRow]


@dataclass
class CityPage:
    region: Region
    reports: list[AnnualReport]
    tables: list[TrendTable]
    charts: list[charts.Chart]
    indicators: list[Indicator]
    selected: Indicator | None


def city_page(user, region: Region, reports: list[AnnualReport], selected_code=None) -> CityPage:
    figures = with_indicators(
        read_records(Figure.private_objects.filter(report__in=[r.pk for r in reports]))
    )
    years = [r.pk for r in reports]
    cells: dict[int, dict[int, Figure]] = defaultdict(dict)
    indicators: dict[int, Indicator] = {}
    for figure in figures:
        indicators.setdefault(figure.indicator_id, figure.indicator)
        cells[figure.indicator_id][figure.report_id] = figure
    ordered = sorted(
        indicators.values(),
        key=lambda i: (i.table.section.number, i.table.order, i.row_order, i.column_order),
    )
    tables: dict[int, TrendTable] = {}
    for indicator in ordered:
        row = TrendRow(indicator, [cells[indicator.pk].get(pk) for pk in years])
        tables.setdefault(indicator.table_id, TrendTable(indicator.table, [])).rows.append(row)
    by_code = {i.code: i for i in ordered}
    selected = by_code.get(selected_code) if selected_code else None
    codes = [c for c in HEADLINE_CODES if c in by_code]
    if selected and selected.code not in codes:
        codes.insert(0, selected.code)
    series = {code: [cells[by_code[code].pk].get(r.pk) for r in reports] for code in codes}
    return CityPage(
        region=region,
        reports=reports,
        tables=list(tables.values()),
        charts=charts.trend_charts(reports, [by_code[c] for c in codes], series),
        indicators=ordered,
        selected=selected,
    )


@dataclass
class ComparePage:
    years: list[int]
    year: int | None
    indicators: list[Indicator]
    indicator: Indicator | None
    figures: list[Figure]
    charts: list[charts.Chart]


def compare_page(user, year=None, code=None) -> ComparePage:
    years = sorted(
        set(AnnualReport.private_objects.visible_to(user).values_list("year", flat=True)),
        reverse=True,
    )
    indicators = list(Indicator.objects.select_related("table__section"))
    by_code = {i.code: i for i in indicators}
    indicator = by_code.get(code or HEADLINE_CODES[0])
    year = year if year in years else (years[0] if years else None)
    figures = []
    if indicator and year:
        figures = list(
            Figure.private_objects.filter(
                report__in=AnnualReport.private_objects.visible_to(user).for_year(year),
                indicator=indicator,
            ).select_related("report__region", "indicator")
        )
        figures.sort(key=lambda f: (f.report.region.order, f.report.region.slug))
    return ComparePage(
        years=years,
        year=year,
        indicators=indicators,
        indicator=indicator,
        figures=figures,
        charts=charts.compare_charts(indicator, year, figures) if figures else [],
    )
