"""A real Chromium imports a GBK CSV, as Chinese Excel saves it, through the admin: upload,
preview, confirm."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings

from hotline.models import DataSharingRequest, Region

from ..hotline import factories as f
from ..jobs import run_queued_tasks
from .conftest import DATA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR, "var", "screenshots")


@pytest.fixture
def browser_context_args(browser_context_args):
    # Staff's browsers ask for Chinese; the admin follows the browser.
    return {**browser_context_args, "locale": "zh-CN"}


def test_staff_import_a_gbk_csv_through_preview_and_confirm(live_server, page, data_entry_user):
    report = f.make_report(Region.objects.get(slug="huaian"), year=2024)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/hotline/datasharingrequest/import/")
    page.fill("#id_username", data_entry_user.username)
    page.fill("#id_password", "pw-12345-test")
    page.click("input[type=submit]")
    assert page.locator("h1").inner_text() == "导入"
    assert "CSV、XLSX 或 JSON（自动识别）" in page.content()

    page.set_input_files("input[name=import_file]", DATA / "sharing-gbk.csv")
    page.click("form[enctype] input[type=submit]")
    summary = page.locator(".import-summary").inner_text()
    assert summary == "sharing-gbk.csv：将新增 4 条，修改 0 条，0 条保持不变。"
    preview = page.locator("table.import-preview")
    assert preview.locator("tbody tr").count() == 4
    assert "金湖县人民检察院" in preview.inner_text()
    assert "噪声污染" in preview.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "admin-import-preview-zh.png", full_page=True)
    assert not DataSharingRequest.private_objects.filter(report=report).exists()

    page.click("input[name=confirm]")
    page.wait_for_url(f"{live_server.url}/admin/hotline/datasharingrequest/")
    assert "导入成功，新增4条记录" in page.locator("ul.messagelist").inner_text()
    assert DataSharingRequest.private_objects.filter(report=report).count() == 4
    page.screenshot(path=SHOTS / "admin-import-done-zh.png", full_page=True)


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}]
)
def test_the_export_has_the_columns_its_page_lists(live_server, page, data_entry_user, viewport):
    """The export page lists 期间起 and 期间止; the downloaded file has those columns, in
    that order, and no single 期间 column."""
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/admin/hotline/datasharingrequest/export/")
    page.fill("#id_username", data_entry_user.username)
    page.fill("#id_password", "pw-12345-test")
    page.click("input[type=submit]")
    listed = page.locator("#content form code").inner_text().split(", ")
    assert listed.index("期间起") + 1 == listed.index("期间止") and "期间" not in listed

    page.select_option("#id_format", label="csv")
    with page.expect_download() as download:
        page.click(".submit-row input[type=submit]")
    text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    header, *rows = text.splitlines()
    assert header.split(",") == listed
    assert len(rows) == DataSharingRequest.private_objects.count() > 0
    period = header.split(",").index("期间起")
    audit = next(row.split(",") for row in rows if "市审计局" in row)
    assert audit[period : period + 2] == ["2020-01-01", "2023-12-31"]


def test_a_long_workbook_comes_down_once_its_job_wrote_it(
    live_server, page, data_entry_user, settings
):
    """A workbook too long for a request (hotline.admin.exports): the export answers 生成中,
    and the page that says so brings the file down by itself once the job has written it."""
    settings.DOWNLOAD_BACKGROUND_ROWS = DataSharingRequest.private_objects.count() - 1
    page.goto(f"{live_server.url}/admin/hotline/datasharingrequest/export/")
    page.fill("#id_username", data_entry_user.username)
    page.fill("#id_password", "pw-12345-test")
    page.click("input[type=submit]")
    page.select_option("#id_format", label="xlsx")
    page.click(".submit-row input[type=submit]")
    assert "生成中" in page.content()

    with page.expect_download(timeout=15_000) as download:
        [ran] = run_queued_tasks()  # the worker's turn; the page comes back every 3 s
        assert ran.status == "SUCCESSFUL", ran.traceback
    assert download.value.suggested_filename.endswith(".xlsx")
    [sheet] = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert sheet.max_row == 1 + DataSharingRequest.private_objects.count()
