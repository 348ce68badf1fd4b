"""Real files, as Excel, WPS and LibreOffice save them, in every encoding and format: the
preview counts what will change, and the stored values are what the staff typed."""

import datetime
from decimal import Decimal

import pytest

from hotline.models import DataSharingRequest, Figure

from .conftest import data, run

pytestmark = pytest.mark.django_db

SHARING = {
    "sharing-utf8.csv": data("sharing-utf8.csv"),
    "sharing-utf8-bom.csv": b"\xef\xbb\xbf" + data("sharing-utf8.csv"),  # Excel's "CSV UTF-8"
    "sharing-gbk.csv": data("sharing-gbk.csv"),
    "sharing.xlsx": data("sharing.xlsx"),
    "sharing.json": data("sharing.json"),
}
FIGURES = {
    "figures-utf8.csv": data("figures-utf8.csv"),
    "figures-utf8-bom.csv": b"\xef\xbb\xbf" + data("figures-utf8.csv"),
    "figures-gbk.csv": data("figures-gbk.csv"),
    "figures.xlsx": data("figures.xlsx"),
}


def stored_requests(report):
    return {
        r.line: (
            r.group_number,
            r.region.slug,
            sorted(d.name for d in r.recipients.all()),
            sorted(m.code for m in r.methods.all()),
            r.scope,
            r.period_start,
            r.period_end,
            r.records,
            r.purpose,
            r.approval,
            r.delivered_on,
            r.note,
        )
        for r in DataSharingRequest.private_objects.filter(report=report)
    }


D = datetime.date
EXPECTED_REQUESTS = {
    1: (
        1,
        "huaian",
        ["淮安市审计局"],
        ["usb"],
        "全量（2020.1.1—2023.12.31），含来电, 网络",
        D(2020, 1, 1),
        D(2023, 12, 31),
        1784751,
        "审计分析",
        "市政府分管领导审批",
        D(2024, 1, 5),
        "",
    ),
    2: (
        1,
        "huaian",
        ["中共淮安市委组织部", "淮安市人大常委会"],  # 市人大 (a short name), 市委组织部
        ["disc", "usb"],
        "噪声污染\t物业管理：“小区”问题",  # a tab and full-width punctuation survive
        D(2022, 1, 1),
        D(2023, 6, 30),
        110709,
        "",
        "",
        D(2024, 2, 1),
        "第二批",
    ),
    3: (
        2,
        "huaian-jinhu",
        ["金湖县检察院"],  # written 金湖县人民检察院, one of its other names
        ["network"],
        "公益诉讼线索",
        None,
        None,
        36184,
        "",
        "",
        None,  # "—"
        "",
    ),
    4: (
        2,
        "huaian",
        ["淮安市公安局", "淮安市卫生健康委员会"],  # separated by a full-width comma
        ["db_table"],
        "食品、药品、环境",
        D(2021, 1, 1),
        D(2023, 10, 31),
        180,
        "",
        "",
        None,
        "",
    ),
}


@pytest.mark.parametrize("name", SHARING)
def test_a_sharing_register_imports_from_every_encoding_and_format(name, draft_2024):
    preview = run("datasharingrequest", SHARING[name], name, dry_run=True)
    assert preview.ok, preview.messages()
    assert (preview.new, preview.updated, preview.skipped) == (4, 0, 0)
    assert [row.import_type for row in preview.preview] == ["new"] * 4
    assert not DataSharingRequest.private_objects.filter(report=draft_2024).exists()

    outcome = run("datasharingrequest", SHARING[name], name)
    assert outcome.saved, outcome.messages()
    assert stored_requests(draft_2024) == EXPECTED_REQUESTS


def stored_figures(report):
    return {
        f.indicator.code: (
            f.value,
            f.decimals,
            f.text,
            f.change,
            f.change_decimals,
            f.note,
            f.kind,
        )
        for f in Figure.private_objects.filter(report=report).select_related("indicator")
    }


EXPECTED_FIGURES = {
    "appeals.public.total": (Decimal("1438746"), 0, "", Decimal("-8.77"), 2, "", "count"),
    # Found by its labels, 诉求办理 · 群众诉求 · 诉求来源 · 电话, not its code.
    "appeals.public.source_phone": (
        Decimal("1404566"),
        0,
        "",
        Decimal("-9.53"),
        2,
        "按指标名称匹配",
        "count",
    ),
    "calls.inbound.answer_rate_30s": (Decimal("92.30"), 2, "", Decimal("18.14"), 2, "", "rate"),
    "calls.inbound.avg_wait_s": (Decimal("13.93"), 2, "", Decimal("-72.48"), 2, "", "duration"),
    "calls.outbound.answer_rate_30s": (None, 0, "", None, 0, "呼出不统计接通率", "rate"),
    "security.city_platform.status": (None, 0, "优秀", None, 0, "", "text"),
}


@pytest.mark.parametrize("name", FIGURES)
def test_figures_import_as_typed_from_every_encoding_and_format(name, draft_2024):
    preview = run("figure", FIGURES[name], name, dry_run=True)
    assert preview.ok, preview.messages()
    assert (preview.new, preview.updated, preview.skipped) == (6, 0, 0)

    outcome = run("figure", FIGURES[name], name)
    assert outcome.saved, outcome.messages()
    assert stored_figures(draft_2024) == EXPECTED_FIGURES
    assert (
        str(
            Figure.private_objects.get(
                indicator__code="calls.inbound.answer_rate_30s", report=draft_2024
            ).printed_value
        )
        == "92.30"
    )


def test_the_same_file_again_changes_nothing(draft_2024):
    run("datasharingrequest", SHARING["sharing-gbk.csv"], "sharing-gbk.csv")
    again = run("datasharingrequest", SHARING["sharing.xlsx"], "sharing.xlsx", dry_run=True)
    assert (again.new, again.updated, again.skipped) == (0, 0, 4)


def test_a_changed_cell_is_one_update_and_the_preview_marks_it(draft_2024):
    run("datasharingrequest", SHARING["sharing-utf8.csv"], "a.csv")
    changed = SHARING["sharing-utf8.csv"].replace(b"36184", b'"36,185"')
    changed = changed.replace("金湖县人民检察院".encode(), "金湖县检察院、金湖县纪委".encode())
    preview = run("datasharingrequest", changed, "b.csv", dry_run=True)
    assert (preview.new, preview.updated, preview.skipped) == (0, 1, 3)
    row = next(r for r in preview.preview if r.import_type == "update")
    assert row.number == 4
    headers = preview.headers
    assert {headers[i] for i in row.changed} == {"共享诉求数据量", "共享部门"}

    run("datasharingrequest", changed, "b.csv")
    request = DataSharingRequest.private_objects.get(report=draft_2024, line=3)
    assert request.records == 36185
    assert sorted(d.name for d in request.recipients.all()) == ["金湖县检察院", "金湖县纪委"]


def test_headers_may_be_field_names_or_english(draft_2024):
    content = (
        "city,Year,line,group_number,administrative level,records,Scope,recipients,methods\n"
        "huaian,2024,7,1,huaian,5,全量,市审计局,usb\n"
    ).encode()
    outcome = run("datasharingrequest", content)
    assert outcome.saved, outcome.messages()
    assert DataSharingRequest.private_objects.get(report=draft_2024, line=7).records == 5


def test_a_period_may_be_two_date_cells(draft_2024):
    content = (
        "城市,年度,序号,行号,行政层级,共享部门,共享方式,共享主题,期间起,期间止,共享诉求数据量\n"
        "淮安市,2024,1,8,淮安市,市审计局,U盘拷贝,全量,2020年1月1日,2023.12.31,1\n"
    ).encode("gbk")
    assert run("datasharingrequest", content).saved
    request = DataSharingRequest.private_objects.get(report=draft_2024, line=8)
    assert (request.period_start, request.period_end) == (D(2020, 1, 1), D(2023, 12, 31))


def test_a_tab_separated_file_is_read_too(draft_2024):
    content = data("figures-utf8.csv").decode("utf-8").replace(",", "\t")
    content = content.replace('"1\t438\t746"', "1438746")
    outcome = run("figure", content.encode("utf-8"), "figures.txt")
    assert outcome.saved, outcome.messages()
    assert outcome.new == 6
