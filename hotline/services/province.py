"""The province's view: every city's published report of one year side by side, each city a
column, with province totals where they add up.

Drafts are never read, and the public page does not even count them: its cache moves only with
published data (hotline.freshness), so a count of drafts would go stale, and a draft started
would change a public page. The public sees how many of the province's cities have published;
staff who see drafts (hotline.roles.sees_drafts) are served afresh and also see how many of
the others are drafts.

It lives here, not in reports/, because the site's page and the API's answer read it alike.
Each city's figure-check result is its count of discrepancies, from the results that its
report's page keeps (hotline.checks.check_reports: the same fixed queries for every city)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q

from hotline.checks import check_reports
from hotline.models import AnnualReport, Figure, Indicator, Region, ReportTable
from hotline.reading import instances
from hotline.reference import with_indicators
from hotline.roles import sees_drafts

PROVINCE = "jiangsu"  # fixtures/regions.yaml: the province above the thirteen cities


@dataclass
class ProvinceRow:
    indicator: Indicator
    figures: list[Figure | None]  # one per published city, None where it has no such figure
    total: Decimal | None  # counts only, and only when every city reported a number


@dataclass
class ProvinceTable:
    table: ReportTable
    rows: list[ProvinceRow]


@dataclass
class ProvinceCity:
    report: AnnualReport
    discrepancies: int | None  # what the public figure checks of its report find


@dataclass
class ProvincePage:
    province: Region
    year: int
    reports: list[AnnualReport]  # the published ones, in the province's order of cities
    # Per published report, what its public figure checks find; None when not asked for.
    discrepancies: list[int] | None
    cities: int  # how many cities the province has
    drafts: int | None  # how many of the year's reports are drafts: for staff only, else None
    tables: list[ProvinceTable]

    @property
    def rows(self) -> list[ProvinceRow]:
        """Every table's rows, in the order of the report."""
        return [row for table in self.tables for row in table.rows]

    @property
    def published(self) -> list[ProvinceCity]:
        """Each published city with its figure-check result."""
        found = self.discrepancies or [None] * len(self.reports)
        return [ProvinceCity(*pair) for pair in zip(self.reports, found, strict=True)]


def province_total(indicator: Indicator, figures: list[Figure | None]) -> Decimal | None:
    """The sum of a count that every city reported as a number. A city's "—" (no value) or
    missing figure is never a 0: then there is no total. Rates, averages and durations are
    not summed."""
    if indicator.kind != Indicator.Kind.COUNT or not figures:
        return None
    if any(f is None or f.value is None for f in figures):
        return None
    return sum((f.printed_value for f in figures), Decimal(0))


def _in_province(year: int) -> dict:
    """The reports of the province's cities of `year`: what its view compares."""
    return {
        "year": year,
        "region__parent__slug": PROVINCE,
        "region__parent__level": Region.Level.PROVINCE,
    }


def has_published(year: int) -> bool:
    """Whether a city of the province has published its report of `year`: whether the
    province's view of it exists, in one query, without building it."""
    return AnnualReport.public_objects.filter(**_in_province(year)).exists()


def province_page(user, year: int, *, checks: bool = True) -> ProvincePage:
    """Published reports only, for everyone: the province's page is a public comparison.
    `checks`: with each city's figure-check result (the downloads, tables only, go without).
    Raises Region.DoesNotExist, or AnnualReport.DoesNotExist when no city has published."""
    province = Region.objects.annotate(
        cities=Count("children", filter=Q(children__level=Region.Level.CITY))
    ).get(slug=PROVINCE, level=Region.Level.PROVINCE)
    in_province = _in_province(year)
    reports = list(
        AnnualReport.public_objects.filter(**in_province)
        .select_related("region")
        .order_by("region__order", "region__slug")
    )
    if not reports:
        raise AnnualReport.DoesNotExist
    drafts = None
    if sees_drafts(user):
        drafts = AnnualReport.private_objects.editable().filter(**in_province).count()
    figures = with_indicators(
        list(
            instances(
                Figure.public_objects.filter(report__in=[r.pk for r in reports]), streamed=False
            )
        )
    )
    cells: dict[int, dict[int, Figure]] = {}
    indicators: dict[int, Indicator] = {}
    for figure in figures:
        indicators.setdefault(figure.indicator_id, figure.indicator)
        cells.setdefault(figure.indicator_id, {})[figure.report_id] = figure
    ordered = sorted(
        indicators.values(),
        key=lambda i: (i.table.section.number, i.table.order, i.row_order, i.column_order),
    )
    tables: dict[int, ProvinceTable] = {}
    for indicator in ordered:
        row_figures = [cells[indicator.pk].get(r.pk) for r in reports]
        row = ProvinceRow(indicator, row_figures, province_total(indicator, row_figures))
        tables.setdefault(indicator.table_id, ProvinceTable(indicator.table, [])).rows.append(row)
    results = check_reports(reports) if checks else None
    return ProvincePage(
        province=province,
        year=year,
        reports=reports,
        discrepancies=[len(results[r.pk].discrepancies) for r in reports] if results else None,
        cities=province.cities,
        drafts=drafts,
        tables=list(tables.values()),
    )
