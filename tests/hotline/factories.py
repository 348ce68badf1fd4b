"""Small made-up records, named so that they never meet the 2023 fixtures' codes and numbers."""

import datetime
from contextlib import contextmanager
from decimal import Decimal
from itertools import count

from django.contrib.auth import get_user_model

from hotline import freshness
from hotline.models import (
    AnnualReport,
    AppealCategory,
    AppealCount,
    CheckOperand,
    CheckRule,
    DataSharingRequest,
    Department,
    EpisodeGuest,
    Figure,
    Indicator,
    LivestreamEpisode,
    PolicyDocument,
    Region,
    ReportEvent,
    ReportTable,
    Section,
    SharingMethod,
)

_seq = count(1)


def _n():
    return next(_seq)


def make_city(**fields):
    n = _n()
    defaults = {"slug": f"test-city-{n}", "name": f"测试市{n}", "level": Region.Level.CITY}
    return Region.objects.create(**{**defaults, **fields})


def make_district(city, **fields):
    n = _n()
    defaults = {
        "slug": f"test-district-{n}",
        "name": f"测试区{n}",
        "level": Region.Level.DISTRICT,
        "parent": city,
    }
    return Region.objects.create(**{**defaults, **fields})


def make_department(region=None, **fields):
    n = _n()
    defaults = {
        "region": region or make_city(),
        "name": f"测试局{n}",
        "kind": Department.Kind.GOVERNMENT,
    }
    return Department.objects.create(**{**defaults, **fields})


def make_report(region=None, *, year=2023, status=AnnualReport.Status.DRAFT, **fields):
    return AnnualReport.private_objects.create(
        region=region or make_city(), year=year, status=status, **fields
    )


@contextmanager
def as_drafts(*reports):
    """Test set-up only: write records into reports that are published (or in review) as a
    bulk load would, without the workflow (tests/hotline/test_workflow.py covers that). The
    reports are drafts inside the block and get their status back, and published data its
    new version, after it."""
    statuses = {report.pk: report.status for report in reports}
    AnnualReport.private_objects.filter(pk__in=statuses).update(status=AnnualReport.Status.DRAFT)
    for report in reports:
        report.status = report._stored_status = AnnualReport.Status.DRAFT
    try:
        yield
    finally:
        for report in reports:
            status = statuses[report.pk]
            AnnualReport.private_objects.filter(pk=report.pk).update(status=status)
            report.status = report._stored_status = status
            if status == AnnualReport.Status.PUBLISHED:
                freshness.report_visibility_changed(report)


def make_section(**fields):
    n = _n()
    defaults = {"code": f"test-section-{n}", "number": 100 + n, "title": f"测试部分{n}"}
    return Section.objects.create(**{**defaults, **fields})


def make_table(section=None, **fields):
    n = _n()
    defaults = {
        "section": section or make_section(),
        "code": f"test-table-{n}",
        "title": f"测试表{n}",
    }
    return ReportTable.objects.create(**{**defaults, **fields})


def make_indicator(table=None, **fields):
    n = _n()
    defaults = {
        "table": table or make_table(),
        "code": f"test-indicator-{n}",
        "column_label": f"列{n}",
        "kind": Indicator.Kind.COUNT,
    }
    return Indicator.objects.create(**{**defaults, **fields})


def make_figure(report, indicator, **fields):
    return Figure.private_objects.create(report=report, indicator=indicator, **fields)


def make_appeals_table():
    """A piece of the printed 诉求类别 table: two rows, a plain column and a column group,
    and a second table with a rate, a duration and a text."""
    section = make_section(title="企业群众诉求办理")
    appeals = make_table(section, title="测试诉求办理", row_header="诉求类别", order=1)
    ind = {}
    for row_order, row in enumerate(["群众诉求", "企业诉求"]):
        key = "people" if row_order == 0 else "firms"
        ind[f"{key}_total"] = make_indicator(
            appeals,
            row_label=row,
            row_order=row_order,
            column_label="诉求总量",
            unit="件",
            column_order=1,
        )
        ind[f"{key}_phone"] = make_indicator(
            appeals,
            row_label=row,
            row_order=row_order,
            column_group="诉求来源",
            column_label="电话",
            unit="件",
            column_order=2,
        )
        ind[f"{key}_web"] = make_indicator(
            appeals,
            row_label=row,
            row_order=row_order,
            column_group="诉求来源",
            column_label="互联网",
            unit="件",
            column_order=3,
        )
    calls = make_table(section, title="测试话务", row_header="话务类别", order=2)
    ind["rate"] = make_indicator(
        calls,
        row_label="接听",
        column_label="30秒人工接通率",
        unit="%",
        kind=Indicator.Kind.RATE,
        change_kind=Indicator.ChangeKind.POINTS,
        column_order=1,
    )
    ind["duration"] = make_indicator(
        calls,
        row_label="接听",
        column_label="平均通话时长",
        unit="秒",
        kind=Indicator.Kind.DURATION,
        column_order=2,
    )
    ind["safety"] = make_indicator(
        calls,
        row_label="呼出",
        column_label="平台安全运行状态",
        kind=Indicator.Kind.TEXT,
        column_order=3,
    )
    return section, (appeals, calls), ind


def make_category(**fields):
    n = _n()
    defaults = {"code": f"test-category-{n}", "name": f"测试类别{n}"}
    return AppealCategory.objects.create(**{**defaults, **fields})


def make_method(**fields):
    n = _n()
    defaults = {"code": f"test-method-{n}", "name": f"测试方式{n}"}
    return SharingMethod.objects.create(**{**defaults, **fields})


def make_appeal_count(report, department=None, **fields):
    if department is None and fields.get("category") is None:
        department = make_department(report.region)
    defaults = {"department": department, "count": 100}
    return AppealCount.private_objects.create(report=report, **{**defaults, **fields})


def make_episode(report, **fields):
    defaults = {
        "number": _n(),
        "aired_on": datetime.date(2023, 3, 1),
        "appeals_received": 10,
        "answered_on_air": 5,
        "supervised_after": 2,
        "satisfaction_rate": Decimal("98.31"),
    }
    return LivestreamEpisode.private_objects.create(report=report, **{**defaults, **fields})


def make_guest(episode, department=None, **fields):
    department = department or make_department(episode.report.region)
    return EpisodeGuest.objects.create(episode=episode, department=department, **fields)


def make_sharing_request(report, recipients=(), methods=(), **fields):
    defaults = {
        "group_number": 1,
        "line": _n(),
        "region": report.region,
        "scope": "全量",
        "records": 1000,
    }
    request = DataSharingRequest.private_objects.create(report=report, **{**defaults, **fields})
    request.recipients.set(recipients or [make_department(report.region)])
    request.methods.set(methods or [make_method()])
    return request


def make_policy_document(report, issuers=(), **fields):
    defaults = {"title": f"《测试文件{_n()}》"}
    document = PolicyDocument.private_objects.create(report=report, **{**defaults, **fields})
    document.issuers.set(issuers or [make_department(report.region)])
    return document


def make_user(**fields):
    n = _n()
    return get_user_model().objects.create_user(f"test-user-{n}", is_staff=True, **fields)


def make_event(report, by=None, action=ReportEvent.Action.SUBMIT, **fields):
    return ReportEvent.objects.create(report=report, action=action, by=by or make_user(), **fields)


# Shorthands for the figure-check tests: small made-up reports in a city of their own, so that
# no other report is last year's by accident. Every test database also holds the 2023
# Huai'an report and the catalogue's rules; on a made-up report those rules are "not checked".


def city():
    return make_city(parent=Region.objects.get(slug="jiangsu"))


def report(year=2023, *, region=None, **fields):
    return make_report(region or city(), year=year, **fields)


def table(code=None):
    return make_table(**({"code": code} if code else {}))


def indicator(code, *, kind=Indicator.Kind.COUNT, in_table=None, **fields):
    change_kind = Indicator.ChangeKind.POINTS if kind == Indicator.Kind.RATE else "relative"
    fields = {"change_kind": change_kind, "column_label": code, "unit": "件", **fields}
    return make_indicator(in_table, code=code, row_label=code, kind=kind, **fields)


def figure(of_report, of_indicator, value=None, *, decimals=0, change=None, change_decimals=0):
    return make_figure(
        of_report,
        of_indicator,
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


def quotient_rule(code, kind, target, top, denominator, *, scale=100):
    """A share (part ÷ whole) or a ratio (numerator ÷ denominator; "population" as in rule)."""
    role = CheckOperand.Role.PART if kind == CheckRule.Kind.SHARE else CheckOperand.Role.NUMERATOR
    return rule(
        code,
        kind,
        target,
        [(role, top, 1), (CheckOperand.Role.DENOMINATOR, denominator, 1)],
        scale=scale,
    )


def weighted_average_rule(code, target, pairs):
    """pairs: (value, weight) indicators, in their printed order."""
    Role = CheckOperand.Role
    operands = [
        operand
        for order, (value, weight) in enumerate(pairs, 1)
        for operand in ((Role.VALUE, value, order), (Role.WEIGHT, weight, order))
    ]
    return rule(code, CheckRule.Kind.WEIGHTED_AVERAGE, target, operands)


def category_count(of_report, category_code, count, share=None, *, appeal_type="all", decimals=2):
    return make_appeal_count(
        of_report,
        appeal_type=appeal_type,
        category=AppealCategory.objects.get(code=category_code),
        count=count,
        published_share=None if share is None else Decimal(share),
        share_decimals=decimals,
    )


def sharing_request(of_report, line, records):
    return make_sharing_request(of_report, line=line, records=records)


def episode(of_report, number, *, received=3, answered=2, supervised=1):
    return make_episode(
        of_report,
        number=number,
        aired_on=datetime.date(of_report.year, 3, number),
        appeals_received=received,
        answered_on_air=answered,
        supervised_after=supervised,
    )


def policy_document(of_report, order):
    return make_policy_document(of_report, order=order, title=f"文件{order}")
