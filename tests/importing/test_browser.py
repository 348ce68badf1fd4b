"""A real Chromium imports a GBK CSV, as Chinese Excel saves it, through the admin: upload,
preview, confirm."""

from pathlib import Path

import pytest
from django.conf import settings

from hotline.models import DataSharingRequest, Region

from ..hotline import factories as f
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
