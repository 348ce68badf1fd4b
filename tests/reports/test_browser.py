"""A real headless Chromium reads the report: charts draw, the language switches, phones scroll.

Screenshots go to var/screenshots/ (git-ignored) to be looked at.
"""

from pathlib import Path

import pytest
from django.conf import settings

from .factories import make_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR, "var", "screenshots")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def errors(page):
    """Console errors and uncaught exceptions of the page."""
    found = []
    page.on("console", lambda m: found.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: found.append(str(e)))
    return found


def charts_drawn(page):
    page.wait_for_function(
        "[...document.querySelectorAll('canvas[data-chart]')]"
        ".every(c => c.dataset.rendered === 'true')"
    )
    return page.locator("canvas[data-rendered=true]").count()


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(400)  # let the charts' short animation finish
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def test_the_report_renders_its_charts_and_switches_language(live_server, page, errors):
    make_report("huaian", 2022, records=1)  # two years: the trend charts appear
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/reports/huaian/2023/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("#cap-appeals").inner_text() == "诉求办理"
    drawn = charts_drawn(page)
    assert drawn >= 12  # sources, handling, calls, talk time, TOP5 ×4, sharing ×2, trends
    assert page.locator("#chart-trend-1 canvas").count() == 1
    shoot(page, "report-desktop-zh")

    page.locator(".lang-switch button[value=en]").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/reports/huaian/2023/"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#cap-appeals").inner_text() == "Appeals handled"
    assert charts_drawn(page) == drawn
    shoot(page, "report-desktop-en")
    assert errors == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_on_a_phone_tables_scroll_sideways_inside_the_page(live_server, page, errors, language):
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/reports/huaian/2023/")
    charts_drawn(page)
    # The page itself does not scroll sideways; the wide tables do, inside their frames.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    scroller = page.locator("#t-appeals .table-scroll")
    assert scroller.evaluate("e => e.scrollWidth > e.clientWidth")
    shoot(page, f"report-phone-{language}")
    assert errors == []


def test_the_index_city_and_lists_load_without_errors(live_server, page, errors):
    make_report("huaian", 2022, records=2)
    page.set_viewport_size(DESKTOP)
    for path, name in [
        ("/", "index"),
        ("/reports/huaian/", "city"),
        ("/compare/", "compare"),
        ("/data-sharing/?district=huaian-jinhu", "data-sharing"),
    ]:
        page.goto(live_server.url + path)
        charts_drawn(page)
        shoot(page, f"{name}-desktop-zh")
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    shoot(page, "index-phone-zh")
    assert errors == []
