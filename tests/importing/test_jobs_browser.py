"""A real Chromium follows a background import through the admin, with a real worker: the
progress bar moves without a reload, staff leave and come back from their list of imports,
confirm, and cancel the import while it runs (nothing is saved)."""

import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from hotline.models import DataSharingRequest, ImportJob, Region

from ..hotline import factories as f
from .workers import register, start_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR, "var", "screenshots")
# Enough that the preview outlasts a few of the page's polls (one a second) on a fast machine:
# 20,000 rows were previewed in under 2 s, before the bar could be seen to move twice.
ROWS = 60_000


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}


def bar_value(page) -> float:
    return float(page.locator("progress.import-job-progress").get_attribute("value") or 0)


def test_a_large_import_shows_progress_waits_for_confirmation_and_is_cancelled(
    live_server, page, data_entry_user, settings, tmp_path, worker_env
):
    settings.IMPORT_BACKGROUND_ROWS = 1000
    report = f.make_report(Region.objects.get(slug="huaian"), year=2024)
    path = tmp_path / "共享登记.csv"
    path.write_bytes(register(ROWS))
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/hotline/datasharingrequest/import/")
    page.fill("#id_username", data_entry_user.username)
    page.fill("#id_password", "pw-12345-test")
    page.click("input[type=submit]")
    page.set_input_files("input[name=import_file]", path)
    page.click("form[enctype] input[type=submit]")
    page.wait_for_url("**/admin/hotline/importjob/*/change/")
    assert page.locator("h1").inner_text() == "导入「共享登记.csv」"
    assert "排队中" in page.locator(".import-job-state").inner_text()

    worker = start_worker(worker_env)
    try:
        # Running: the bar moves, twice, while the page stays (the same document throughout).
        try:
            page.wait_for_selector("#import-job[data-state=running]", timeout=90_000)
        except Exception:
            worker.terminate()
            pytest.fail(f"no job ran: {worker.communicate(timeout=30)[1].decode()[-3000:]}")
        page.evaluate("window.samePage = true")
        for _move in range(2):
            before = bar_value(page)
            page.wait_for_function(
                "value => Number(document.querySelector('progress.import-job-progress')"
                "?.value) > value",
                arg=before,
                timeout=60_000,
            )
        assert page.evaluate("window.samePage === true")
        rows_line = page.locator(".import-job-rows").inner_text()
        assert "已读行数" in rows_line and "行/秒" in rows_line and "约剩" in rows_line, rows_line
        page.screenshot(path=SHOTS / "admin-import-job-progress-zh.png", full_page=True)

        # The preview ends: the page draws it, and asks for a confirmation.
        page.wait_for_selector(".import-job-confirm", timeout=120_000)
        assert f"将新增 <strong>{ROWS}</strong> 条" in page.content().replace(",", "")
        page.screenshot(path=SHOTS / "admin-import-job-preview-zh.png", full_page=True)

        # Staff leave and come back from their list of imports.
        page.goto(f"{live_server.url}/admin/")
        page.goto(f"{live_server.url}/admin/hotline/importjob/")
        row = page.locator("#result_list tbody tr").first
        assert "共享登记.csv" in row.inner_text() and "等待确认" in row.inner_text()
        row.locator("a").first.click()
        page.wait_for_selector(".import-job-confirm")

        # Confirmed, then cancelled while it runs: nothing is saved.
        page.click(".import-job-confirm input[type=submit]")
        page.wait_for_function(
            "() => Number(document.querySelector('progress.import-job-progress')?.value) > 0",
            timeout=60_000,
        )
        page.click(".import-job-cancel input[type=submit]")
        page.wait_for_selector(".import-job-error", timeout=60_000)
        assert "已取消" in page.locator(".import-job-state").inner_text()
        assert "未保存任何记录" in page.locator(".import-job-error").inner_text()
        page.screenshot(path=SHOTS / "admin-import-job-cancelled-zh.png", full_page=True)
    finally:
        worker.terminate()  # the task at hand finishes first: not waited for
        try:
            worker.wait(10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(10)
        worker.stderr.close()
    job = ImportJob.objects.get()
    assert job.state == ImportJob.CANCELLED and job.step == ImportJob.IMPORT
    assert not DataSharingRequest.private_objects.filter(report=report).exists()
