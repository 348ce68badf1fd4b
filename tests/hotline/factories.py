"""Small made-up reports for tests: a city of their own, tables, indicators, figures and rules.

Every test database also holds the 2023 Huai'an report and the catalogue's rules; a made-up
report has none of those figures, so the catalogue's rules are merely "not checked" on it.
"""

import datetime
import itertools
from decimal import Decimal

from hotline.models import (
    AnnualReport,
    AppealCategory,
    AppealCount,
    CheckOperand,
    CheckRule,
    DataSharingRequest,
    Figure,
    Indicator,
    LivestreamEpisode,
    PolicyDocument,
    Region,
    ReportTable,
    Section,
)

_numbers = itertools.count(100)


def city():
    """A city of its own, so that no other report is last year's by accident."""
    number = next(_numbers)
    return Region.objects.create(
        slug=f"testville-{number}",
        name=f"测试市{number}",
        level=Region.Level.CITY,
        parent=Region.objects.get(slug="jiangsu"),
    )


def report(year=2023, *, region=None, **fields):
    return AnnualReport.objects.create(region=region or city(), year=year, **fields)


def table(code=None):
    number = next(_numbers)
    section = Section.objects.create(code=f"s{number}", number=number, title=f"Section {number}")
    code = code or f"t{number}"
    return ReportTable.objects.create(section=section, code=code, title=f"表{number}")


def indicator(code, *, kind=Indicator.Kind.COUNT, in_table=None, **fields):
    change_kind = Indicator.ChangeKind.POINTS if kind == Indicator.Kind.RATE else "relative"
    fields = {"change_kind": change_kind, "column_label": code, "unit": "件", **fields}
    return Indicator.objects.create(
        table=in_table or table(), code=code, row_label=code, kind=kind, **fields
    )


def figure(of_report, of_indicator, value=None, *, decimals=0, change=None, change_decimals=0):
    return Figure.objects.create(
        report=of_report,
        indicator=of_indicator,
        value=None if value is None else Decimal(value),
        decimals=decimals,
        change=None if change is None else Decimal(change),
        change_decimals=change_decimals,
    )


def rule(code, kind, target=None, operands=(), **fields):
    """operands: (role, indicator or "population", order) triples."""
    made = CheckRule.objects.create(code=code, kind=kind, target=target, **fields)
    for role, what, order in operands:
        if what == "population":
            CheckOperand.objects.create(
                rule=made, role=role, order=order, source=CheckOperand.Source.POPULATION
            )
        else:
            CheckOperand.objects.create(rule=made, role=role, order=order, indicator=what)
    return made


def category_count(of_report, category_code, count, share=None, *, appeal_type="all", decimals=2):
    return AppealCount.objects.create(
        report=of_report,
        appeal_type=appeal_type,
        category=AppealCategory.objects.get(code=category_code),
        count=count,
        published_share=None if share is None else Decimal(share),
        share_decimals=decimals,
    )


def sharing_request(of_report, line, records):
    return DataSharingRequest.objects.create(
        report=of_report,
        group_number=1,
        line=line,
        region=of_report.region,
        scope="全量",
        records=records,
    )


def episode(of_report, number, *, received=3, answered=2, supervised=1):
    return LivestreamEpisode.objects.create(
        report=of_report,
        number=number,
        aired_on=datetime.date(of_report.year, 3, number),
        appeals_received=received,
        answered_on_air=answered,
        supervised_after=supervised,
    )


def policy_document(of_report, order):
    return PolicyDocument.objects.create(report=of_report, order=order, title=f"文件{order}")
