"""A footnote calls printed (印发) only what the report prints; a number worked back from a
printed change says so. It leads with the finding, numbers as the page writes them, then the
arithmetic; the same words on the page, in the PDF, in the downloads, in both languages."""

import io
import json

import pytest
from django.urls import reverse
from pypdf import PdfReader

from hotline.models import AnnualReport

from ..jobs import pdf_bytes

pytestmark = pytest.mark.django_db

URL = "/reports/huaian/2023/"
WORKED_BACK_ZH = (
    "按印发的同比倒推 2022 年数值（报告未印发 2022 年数值）：分项之和为 1,581,379.00，"
    "而本项倒推为 1,577,053.60，相差 4,325.40 件。 算式："
)
WORKED_BACK_EN = (
    "Worked back from the printed changes to 2022 (the report prints no 2022 values): the parts "
    "add up to 1,581,379.00, while this figure works back to 1,577,053.60, 4,325.40 cases apart."
)
# What the footnotes said: the derived 2022 value called printed, numbers ungrouped.
MISLABELLED = ["印发 1577053.60", "印发 1,577,053.60", "published 1577053.60", "1577053.60"]


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})


def assert_honest(text, lead):
    assert lead in text
    for wrong in MISLABELLED:
        assert wrong not in text, wrong


def test_the_page_says_the_2022_value_was_worked_back_not_printed(client):
    page = client.get(URL).content.decode()
    assert_honest(page, WORKED_BACK_ZH)
    # The finding first, then the working, each figure named as the page names it.
    assert "群众诉求 · 诉求总量: 1,438,746 ÷ (1 − 8.77%) = 1,577,053.60" in page
    # A printed number is called printed: the TOP5 总计 row.
    assert "咨询类与非咨询类之和为 455,559，与印发的 455,426 相差 133 件。 算式：" in page
    english(client)
    assert_honest(client.get(URL).content.decode(), WORKED_BACK_EN)


def test_the_downloads_carry_the_same_footnote(client):
    rows = json.loads(client.get(URL + "tables/appeals.json").content)["rows"]
    note = next(r["note"] for r in rows if r["indicator"] == "appeals.public.total")
    assert_honest(note, WORKED_BACK_ZH)
    english(client)
    csv = client.get(URL + "tables/appeals.csv").content.decode("utf-8-sig")
    assert_honest(csv, WORKED_BACK_EN)


def test_the_pdf_carries_the_same_footnote(client):
    reader = PdfReader(io.BytesIO(pdf_bytes(client, URL + "report.pdf")))
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert_honest(text, "而本项倒推为 1,577,053.60，相差 4,325.40 件")


def test_the_table_page_and_the_staff_grid_say_it_too(client, admin_client):
    finding = WORKED_BACK_ZH.split(" 算式")[0]
    assert_honest(client.get(URL + "tables/appeals/").content.decode(), finding)
    report = AnnualReport.private_objects.get(region__slug="huaian", year=2023)
    grid = admin_client.get(reverse("admin:hotline_annualreport_figures", args=[report.pk]))
    assert_honest(grid.content.decode(), finding)
