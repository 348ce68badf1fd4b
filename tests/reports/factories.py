"""More cities, years and records: for query counts that must not grow, and for drafts."""

import datetime
from decimal import Decimal

from hotline.models import (
    AnnualReport,
    AppealCategory,
    AppealCount,
    DataSharingRequest,
    Department,
    EpisodeGuest,
    Figure,
    LivestreamEpisode,
    PolicyDocument,
    Region,
    SharingMethod,
)
from tests.hotline.factories import as_drafts


def _shifted(figure, year):
    """A different but valid value for another year: rates stay, counts move by the years."""
    if figure.value is None or figure.kind == "rate":
        return figure.value
    return max(figure.value + (year - 2023), Decimal(0))


def make_report(city, year, *, status=AnnualReport.Status.PUBLISHED, title="", records=3):
    """A report with a figure for every indicator of the 2023 Huai'an report, and records."""
    region = Region.objects.get(slug=city)
    report = AnnualReport.private_objects.create(
        region=region,
        year=year,
        status=status,
        title=title or f"{region.name}12345热线{year}年度工作情况",
        source=f"测试数据 {city} {year}",
    )
    with as_drafts(report):
        _fill(report, region, year, records)
    return report


def _fill(report, region, year, records):
    template = Figure.private_objects.filter(report__region__slug="huaian", report__year=2023)
    Figure.private_objects.bulk_create(
        Figure(
            report=report,
            indicator_id=f.indicator_id,
            kind=f.kind,
            value=_shifted(f, year),
            decimals=f.decimals,
            text=f.text,
            change=f.change,
            change_decimals=f.change_decimals,
        )
        for f in template
    )
    department, _ = Department.objects.get_or_create(
        region=region,
        name=f"{region.name}公安局",
        defaults={"short_name": "市公安局", "kind": "government"},
    )
    for n in range(1, records + 1):
        AppealCount.private_objects.create(
            report=report,
            department=Department.objects.create(
                region=region, name=f"{region.name}测试局{year}-{n}", kind="government"
            ),
            count=1000 * n,
        )
        AppealCount.private_objects.create(
            report=report,
            appeal_type="consultation",
            category=AppealCategory.objects.order_by("order")[n - 1],
            count=500 * n,
            published_share=Decimal("1.50"),
        )
        request = DataSharingRequest.private_objects.create(
            report=report,
            group_number=n,
            line=n,
            region=region,
            scope=f"测试主题{n}",
            records=100 * n,
            period_start=datetime.date(year, 1, 1),
            period_end=datetime.date(year, 6, 30),
        )
        request.recipients.add(department)
        request.methods.add(*SharingMethod.objects.order_by("order")[: 1 + n % 2])
        document = PolicyDocument.private_objects.create(
            report=report, order=n, title=f"测试文件{n}", doc_number=f"测字[{year}]{n}号"
        )
        document.issuers.add(department)
        episode = LivestreamEpisode.private_objects.create(
            report=report,
            number=n,
            aired_on=datetime.date(year, n, 10),
            appeals_received=10 * n,
            answered_on_air=5 * n,
            supervised_after=5 * n,
            satisfaction_rate=Decimal("98.50"),
        )
        EpisodeGuest.objects.create(episode=episode, department=department, is_principal=True)
