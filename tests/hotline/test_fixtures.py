"""The fixtures hold the published 2023 report: checked against the seed text kept beside them."""

import re
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from hotline.models import (
    AnnualReport,
    AppealCount,
    DataSharingRequest,
    Department,
    Figure,
    Indicator,
    PolicyDocument,
)

pytestmark = pytest.mark.django_db

SEED = Path(settings.BASE_DIR, "fixtures", "seed", "huaian-12345-2023-annual-report.txt")
# A data cell: an optional label (参评数603032), a number, an optional % and either a change
# "(↑x%)" or a share "(x%)".
CELL = re.compile(
    r"^(?:参评数|参评率)?(?P<value>\d+(?:\.\d+)?)%?\s*"
    r"(?:\((?P<arrow>[↑↓])?(?P<paren>\d+(?:\.\d+)?)%\))?$"
)


def seed_lines():
    return SEED.read_text(encoding="utf-8").splitlines()


def seed_cells():
    """Every numeric cell of every table of the seed, as (value, change, share) strings."""
    cells = Counter()
    for line in seed_lines():
        for cell in line.split("\t"):
            match = CELL.match(cell.strip())
            if not match:
                continue
            paren, arrow = match["paren"], match["arrow"]
            change = None if arrow is None else ("-" if arrow == "↓" else "") + paren
            share = paren if paren is not None and arrow is None else None
            cells[(match["value"], change, share)] += 1
    return cells


def stored_cells(report):
    cells = Counter()
    for figure in Figure.private_objects.filter(report=report, value__isnull=False):
        change = figure.printed_change
        cells[(str(figure.printed_value), None if change is None else str(change), None)] += 1
    for count in AppealCount.private_objects.filter(report=report):
        share = count.printed_share
        cells[(str(count.count), None, None if share is None else str(share))] += 1
    for request in DataSharingRequest.private_objects.filter(report=report):
        cells[(str(request.records), None, None)] += 1
    return cells


def test_every_number_of_the_seed_is_stored_with_its_change_and_nothing_else(report_2023):
    seed, stored = seed_cells(), stored_cells(report_2023)
    assert sum(seed.values()) > 140  # the parser really read every table
    assert seed - stored == Counter(), "in the seed but not in the fixtures"
    assert stored - seed == Counter(), "in the fixtures but not in the seed"


def test_text_figures_are_stored_as_text(report_2023):
    printed = sum(line.split("\t").count("优秀") for line in seed_lines())
    stored = Figure.private_objects.filter(report=report_2023, text="优秀").count()
    assert printed == stored == 2


def test_not_reported_is_never_zero(report_2023):
    not_reported = Figure.private_objects.filter(report=report_2023, value__isnull=True, text="")
    codes = set(not_reported.values_list("indicator__code", flat=True))
    assert "calls.outbound.answer_rate_30s" in codes
    assert "livestream.hot_topics" in codes
    # The only zeros are the two printed zeros of 引用答复量.
    zeros = Figure.private_objects.filter(report=report_2023, value=0)
    assert sorted(zeros.values_list("indicator__code", flat=True)) == [
        "qa_desk.city.cited_answers",
        "qa_desk.total.cited_answers",
    ]


def test_every_indicator_of_the_catalogue_has_a_figure_in_2023(report_2023):
    assert report_2023.status == AnnualReport.Status.PUBLISHED
    assert Figure.private_objects.filter(report=report_2023).count() == Indicator.objects.count()


def test_rates_change_in_points_and_counts_in_percent():
    rate = Indicator.objects.get(code="calls.inbound.answer_rate_30s")
    count = Indicator.objects.get(code="appeals.public.total")
    assert (rate.kind, rate.change_kind) == ("rate", "points")
    assert (count.kind, count.change_kind) == ("count", "relative")
    assert not Indicator.objects.filter(kind="rate", change_kind="relative").exists()


def test_merged_and_shifted_cells_are_placed_by_arithmetic_and_explained(report_2023):
    def value(code):
        return Figure.private_objects.get(report=report_2023, indicator__code=code).value

    # 问答总量 = 引用答复量 + 部门答复量, so the merged 145 belongs to the whole table.
    assert value("qa_desk.total.qa_total") == value("qa_desk.total.cited_answers") + value(
        "qa_desk.total.dept_answers"
    )
    # 参评率 = 群众参评数 / 回访征集评价, both printed in one merged cell.
    rate = value("effectiveness.total.evaluations_answered") / value(
        "effectiveness.total.evaluations_asked"
    )
    assert float(rate * 100) == pytest.approx(
        float(value("effectiveness.total.evaluation_rate")), abs=0.01
    )
    # The talent line prints 10 values under 9 headers: the last six add up.
    assert value("talent.total") == value("talent.source_phone") + value("talent.source_internet")
    assert value("talent.total") == (
        value("talent.answered_by_agent")
        + value("talent.answered_by_specialist")
        + value("talent.dispatched")
    )
    assert value("talent.unlabelled") == 52
    moved = Figure.private_objects.filter(
        report=report_2023,
        indicator__code__in=[
            "knowledge.total.item_lookups",
            "qa_desk.total.page_views",
            "talent.unlabelled",
            "effectiveness.total.evaluation_rate",
            "team.citywide.seats_per_100k",
        ],
    )
    assert all(figure.note for figure in moved)
    for code in ["talent", "knowledge", "qa_desk", "effectiveness", "team"]:
        assert Indicator.objects.filter(table__code=code).first().table.note


def seed_sharing_rows():
    """The data-sharing table of the seed, blank cells filled down from the row above."""
    lines = seed_lines()
    start = next(i for i, line in enumerate(lines) if line.startswith("序号")) + 1
    rows, previous = [], None
    for line in lines[start:]:
        if line.startswith("总计"):
            break
        cells = line.split("\t")
        if previous:
            cells = [cell or previous[i] for i, cell in enumerate(cells)]
        rows.append(cells)
        previous = cells
    return rows


def test_the_22_sharing_requests_as_printed_with_blanks_filled_down(report_2023):
    printed = seed_sharing_rows()
    stored = list(
        DataSharingRequest.private_objects.filter(report=report_2023)
        .select_related("region")
        .prefetch_related("recipients", "methods")
        .order_by("line")
    )
    assert len(printed) == len(stored) == 22
    circled = "①②③④⑤⑥⑦⑧⑨⑩"
    for cells, request in zip(printed, stored, strict=True):
        number, level, recipients, methods, scope, records = cells
        assert circled.index(number) + 1 == request.group_number
        assert request.region.name == ("淮安市" if level == "市本级" else level)
        for name in recipients.split("、"):
            assert any(name in d.names for d in request.recipients.all()), name
        assert request.recipients.count() == len(recipients.split("、"))
        # Shown as printed: the words, the order, 市本级 (the unit stays the same unit).
        assert request.level_as_printed == level
        assert request.recipients_as_printed == recipients.split("、")
        assert sorted(methods.split("、")) == sorted(m.name for m in request.methods.all())
        assert request.scope == scope
        assert request.records == int(records)
    total = next(line for line in seed_lines() if line.startswith("总计\t\t"))
    assert sum(r.records for r in stored) == int(total.split("\t")[-1])


def test_periods_are_dates_that_match_the_scope(report_2023):
    request = DataSharingRequest.private_objects.get(report=report_2023, line=1)
    assert (str(request.period_start), str(request.period_end)) == ("2020-01-01", "2023-12-31")
    for request in DataSharingRequest.private_objects.filter(
        report=report_2023, period_start__isnull=False
    ):
        assert request.period_start.year != request.period_end.year or "年" in request.scope
        assert str(request.period_start.year) in request.scope


def test_the_three_policy_documents(report_2023):
    text = SEED.read_text(encoding="utf-8")
    documents = PolicyDocument.private_objects.filter(report=report_2023).prefetch_related(
        "issuers"
    )
    assert documents.count() == 3
    for document in documents:
        assert f"《{document.title}》" in text
        if document.doc_number:
            assert f"({document.doc_number})" in text
        for issuer in document.issuers.all():
            assert any(name in text for name in issuer.names)
        # Issued by the units in the order the report names them.
        assert "、".join(document.issuers_as_printed) in text.replace(" ", "、")
    assert [d.doc_number for d in documents] == ["淮办字[2023]14号", "淮政办函[2023]7号", ""]


def test_top5_departments_in_printed_order(report_2023):
    lines = seed_lines()
    start = lines.index("部门\t诉求量(件)") + 1
    printed = [line.split("\t") for line in lines[start : start + 5]]
    stored = AppealCount.private_objects.filter(
        report=report_2023, department__isnull=False, appeal_type="all"
    ).top(5)
    assert [(name, int(n)) for name, n in printed] == [
        (c.department.short_name, c.count) for c in stored
    ]


def test_departments_are_found_by_any_of_their_names():
    police = Department.objects.get(region__slug="huaian", short_name="市公安局")
    assert police.names[:2] == ["淮安市公安局", "市公安局"]
    inspection = Department.objects.get(name="江苏省委巡视组")
    assert "省委巡视组" in inspection.names
    assert inspection.region.slug == "jiangsu"
