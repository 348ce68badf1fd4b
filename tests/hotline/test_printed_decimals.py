"""A figure keeps the decimals it was printed or typed with on every way in and out that is not
the API's (tests/api/test_decimals.py), the files' (tests/importing/test_round_trip.py) or the
public downloads' (tests/reports/test_downloads.py): the admin's forms and lists, the figure
grid, the report workbook, the public page and its PDF."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from hotline.importing.workbook import write_workbook
from hotline.models import Indicator
from hotline.numbers import format_number

from ..jobs import pdf_bytes
from . import factories as f
from .admin_forms import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def rate(admin_client):
    report = f.make_report()
    indicator = f.make_indicator(kind=Indicator.Kind.RATE, unit="%")
    return f.make_figure(report, indicator, value=Decimal("92.30"), decimals=2)


def test_the_admin_form_shows_a_value_with_its_printed_decimals(admin_client, rate):
    page = admin_client.get(reverse("admin:hotline_figure_change", args=[rate.pk]))
    assert page.context["adminform"].form["value"].value() == Decimal("92.30")
    assert 'value="92.30"' in page.content.decode()
    assert "decimals" not in page.context["adminform"].form.fields


@pytest.mark.parametrize(
    ("typed", "decimals", "printed"), [("91.50", 2, "91.50"), ("91.5", 1, "91.5"), ("92", 0, "92")]
)
def test_a_value_typed_in_the_admin_keeps_its_decimals(
    admin_client, rate, typed, decimals, printed
):
    url = reverse("admin:hotline_figure_change", args=[rate.pk])
    response = admin_client.post(url, form_data(admin_client.get(url), value=typed, change="-0.80"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    rate.refresh_from_db()
    assert (rate.decimals, str(rate.printed_value)) == (decimals, printed)
    assert (rate.change_decimals, str(rate.printed_change)) == (2, "-0.80")


def test_a_share_typed_in_the_admin_keeps_its_decimals(admin_client):
    count = f.make_appeal_count(f.make_report(), count=10, published_share=Decimal("7.10"))
    url = reverse("admin:hotline_appealcount_change", args=[count.pk])
    page = admin_client.get(url)
    assert 'value="7.10"' in page.content.decode()
    response = admin_client.post(url, form_data(page, published_share="7.1"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    count.refresh_from_db()
    assert (count.share_decimals, str(count.printed_share)) == (1, "7.1")
    listed = admin_client.get(reverse("admin:hotline_appealcount_changelist"))
    assert "7.1<" in listed.content.decode() and "7.1000" not in listed.content.decode()


def test_the_figure_grid_draws_and_keeps_the_printed_decimals(admin_client, rate):
    url = reverse("admin:hotline_annualreport_figures", args=[rate.report.pk])
    page = admin_client.get(url)
    assert 'value="92.30"' in page.content.decode()


def test_the_workbook_writes_the_printed_decimals(report_2023):
    out = io.BytesIO()
    write_workbook(report_2023, out)
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    cells = [
        c
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, float) and c.value == pytest.approx(92.3)
    ]
    assert cells and all(c.number_format == "0.00" for c in cells)


def test_the_public_page_and_its_pdf_print_the_decimals(client):
    assert "92.30" in client.get("/reports/huaian/2023/tables/calls/").content.decode()
    content = pdf_bytes(client, "/reports/huaian/2023/report.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "92.30" in text


@pytest.mark.parametrize(
    "value, decimals, written",
    [
        (Decimal("92.30"), None, "92.30"),  # the decimals it was typed with, the 0 kept
        (Decimal("1438746"), None, "1,438,746"),
        (1438746, None, "1,438,746"),  # a count: no decimals
        (Decimal("0.5"), 2, "0.50"),  # the printed decimals, when given
        (Decimal("1577053.6"), 2, "1,577,053.60"),
        (Decimal("-8.77"), 2, "-8.77"),
        (None, None, "—"),  # not reported, never 0
    ],
)
def test_numbers_are_grouped_by_three_with_their_printed_decimals(value, decimals, written):
    for language in ("zh-hans", "en"):  # the same in both: as the report prints them
        with translation.override(language):
            assert format_number(value, decimals) == written
