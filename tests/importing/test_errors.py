"""A file with any error stores nothing, and says in Chinese which file, row and column is
wrong and why, all errors at once; a file the system cannot place is refused whole."""

import pytest

from hotline.models import AnnualReport, DataSharingRequest, Figure

from ..hotline import factories as f
from .conftest import data, run

pytestmark = pytest.mark.django_db

GBK = data("sharing-gbk.csv")


def test_one_bad_row_stores_nothing_and_names_its_row_and_column(draft_2024):
    bad = GBK.replace(b"110709", b"12a")
    outcome = run("datasharingrequest", bad, "共享登记.csv")
    assert not outcome.saved
    assert outcome.messages() == ["第 3 行「共享诉求数据量」：“12a”不是整数。"]
    assert outcome.summary() == "共享登记.csv 有 1 处错误，未保存任何数据。"
    assert not DataSharingRequest.private_objects.filter(report=draft_2024).exists()


def test_every_error_of_a_file_is_reported_at_once(draft_2024):
    bad = GBK.replace(b"110709", b"12a").replace(
        "金湖县人民检察院".encode("gbk"), "金湖县法院".encode("gbk")
    )
    bad = bad.replace("2021.1.1—2023.10.31".encode("gbk"), "2023.10.31—2021.1.1".encode("gbk"))
    bad = bad.replace(b"2024.2.1", b"2024.2.30")
    outcome = run("datasharingrequest", bad, "sharing.csv")
    assert outcome.messages() == [
        "第 3 行「共享诉求数据量」：“12a”不是整数。",
        "第 3 行「交付日期」：“2024.2.30”不是日历上存在的日期。",
        "第 4 行「共享部门」：“金湖县法院”不是淮安市的部门"
        "（已按全称、报告中的写法和其他名称查找）。",
        # The model's own constraint, checked in Python.
        "第 5 行「期间」：期间的结束日期不能早于开始日期。",
    ]
    assert outcome.error_count == 4
    assert (
        not DataSharingRequest.private_objects.exists()
        or not DataSharingRequest.private_objects.filter(report=draft_2024).exists()
    )


def test_an_error_after_a_written_batch_still_saves_nothing(draft_2024):
    # Batches of one: the first rows are written before the bad one is read.
    bad = GBK.replace(b"180", b"-180")
    outcome = run("datasharingrequest", bad, "sharing.csv", batch_size=1)
    assert outcome.messages() == ["第 5 行「共享诉求数据量」：数量不能为负数。"]
    assert not DataSharingRequest.private_objects.filter(report=draft_2024).exists()


def test_a_row_repeated_in_the_file_is_an_error(draft_2024):
    lines = data("sharing-utf8.csv").splitlines(keepends=True)
    outcome = run("datasharingrequest", b"".join([*lines, lines[1]]))
    assert outcome.messages() == ["第 6 行「行号」：与第 2 行是同一条记录。"]


def test_an_unknown_header_is_refused_with_the_headers_expected(draft_2024):
    content = GBK.replace("共享主题".encode("gbk"), "主题词".encode("gbk"))
    outcome = run("datasharingrequest", content, "sharing.csv")
    assert outcome.refused == [
        "文件中有系统不认识的列：“主题词”。",
        "数据共享的列应为：城市、年度、序号、行号、行政层级、共享部门、共享方式、共享主题、"
        "期间、期间起、期间止、共享诉求数据量(件)、用途、审批、交付日期、备注。",
    ]
    assert outcome.summary() == "sharing.csv 未被接受，未保存任何数据。"


def test_a_file_without_the_columns_that_identify_a_row_is_refused(draft_2024):
    outcome = run("datasharingrequest", "城市,年度,共享主题\n淮安市,2024,全量\n".encode())
    assert outcome.refused[0] == "文件缺少列“行号”。"


@pytest.mark.parametrize(
    ("status", "said"), [(AnnualReport.Status.PUBLISHED, "已发布"), ("review", "审核中")]
)
def test_a_file_for_a_report_that_is_not_a_draft_is_refused(draft_2024, status, said):
    AnnualReport.private_objects.filter(pk=draft_2024.pk).update(status=status)
    outcome = run("datasharingrequest", GBK, "sharing.csv")
    # The edit guard's one message, as the admin, the figure grid and the API give it.
    assert outcome.refused == [
        f"淮安市 2024{said}：只有草稿报告的数据和记录可以修改。须由审核员重新打开为草稿。",
        "未保存任何数据。",
    ]
    assert not DataSharingRequest.private_objects.filter(report=draft_2024).exists()


def test_the_published_2023_report_refuses_its_own_export(report_2023):
    content = "城市,年度,指标,数值\n淮安市,2023,appeals.public.total,1\n".encode()
    outcome = run("figure", content)
    assert "已发布" in outcome.refused[0]
    assert (
        Figure.private_objects.get(report=report_2023, indicator__code="appeals.public.total").value
        == 1438746
    )


def test_a_year_without_a_report_is_named(draft_2024):
    outcome = run("figure", "城市,年度,指标,数值\n淮安市,2031,appeals.public.total,1\n".encode())
    assert outcome.messages() == [
        "第 2 行「年度」：淮安市还没有2031年度报告，请先在“年度报告”中添加。"
    ]


def test_figure_rules_of_the_model_apply(draft_2024):
    content = (
        "城市,年度,指标,数值,同比变化\n"
        "淮安市,2024,calls.inbound.answer_rate_30s,100.5%,\n"
        "淮安市,2024,appeals.public.total,12.5,\n"
        "淮安市,2024,appeals.public.total_x,1,\n"
        "淮安市,2024,calls.inbound.calls_handled,1,↓↓3\n"
    ).encode()
    outcome = run("figure", content)
    assert outcome.messages() == [
        "第 2 行「数值」：比率须在 0 至 100 之间。",
        "第 3 行「数值」：数量须为整数。",
        "第 4 行「指标」：“appeals.public.total_x”既不是指标代码，也不是报告中某个单元格的名称。",
        "第 5 行「同比变化」：“↓↓3”不是同比变化。请写作 ↓8.77%、-8.77、下降8.77% 或 +240。",
    ]


def test_an_ambiguous_name_asks_for_a_fuller_one(draft_2024):
    city = draft_2024.region
    f.make_department(city, name="淮安市甲局", short_name="市某局")
    f.make_department(city, name="淮安市乙局", short_name="市某局")
    content = "城市,年度,部门,诉求量\n淮安市,2024,市某局,5\n".encode()
    outcome = run("appealcount", content)
    assert outcome.messages() == [
        "第 2 行「部门」：“市某局”对应多条记录（淮安市乙局、淮安市甲局），请写全称。"
    ]


def test_a_file_that_is_not_text_is_refused():
    outcome = run("figure", b"\x00\xff\xfe\x81\x30" * 10)
    assert outcome.refused


JSON = data("sharing.json")


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        # Cut off in the middle of the third record, as an interrupted download leaves it.
        (
            JSON[: JSON.index('"行号": 3'.encode())],
            "共享登记.json",
            "JSON 文件第 3 条记录无法读取：",
        ),
        # GBK, with bytes that are no character in GB18030 far beyond the first rows.
        (
            GBK + b"\r\n" * 20_000 + b"\xff\xff,\r\n",
            "共享登记.csv",
            "文件既不是 UTF-8 也不是 GBK/GB18030 编码的文本",
        ),
    ],
    ids=["json-cut-off", "csv-bad-bytes-late"],
)
def test_a_file_broken_after_its_first_rows_is_refused_whole(draft_2024, content, name, message):
    outcome = run("datasharingrequest", content, name)
    assert not outcome.saved
    [refusal] = outcome.refused
    assert message in refusal
    assert not DataSharingRequest.private_objects.filter(report=draft_2024).exists()
