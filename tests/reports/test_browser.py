"""A real headless Chromium reads the report: charts show (drawn on the server, no script needed),
the language switches, phones scroll wide tables with the row labels kept in view.

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


def charts_drawn(page):
    """The charts on the page, each an SVG drawn with a size (nothing waits for a script)."""
    return page.evaluate(
        "[...document.querySelectorAll('figure.chart svg.chart-svg')]"
        ".filter(s => s.getBoundingClientRect().width > 100 && s.querySelector('rect, polyline'))"
        ".length"
    )


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    # Sections far below the screen are laid out only when scrolled near (content-visibility):
    # drawn all at once here, or the full-page picture shows them blank.
    page.evaluate(
        "document.querySelectorAll('.report-section')"
        ".forEach(s => { s.style.contentVisibility = 'visible'; })"
    )
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def test_the_report_renders_its_charts_and_switches_language(live_server, page, errors):
    make_report("huaian", 2022, records=1)  # two years: the trend charts appear
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/reports/huaian/2023/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("#cap-appeals").inner_text() == "诉求办理"
    drawn = charts_drawn(page)
    assert drawn >= 12  # sources, handling, calls, talk time, TOP5 ×4, sharing ×2, trends
    assert page.locator("#chart-trend-1 svg").count() == 1
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
    # The row labels stay put while the figures scroll under them.
    label = page.locator("#t-appeals tbody th").first
    before = label.bounding_box()["x"]
    scroller.evaluate("e => { e.scrollLeft = 200; }")
    assert abs(label.bounding_box()["x"] - before) < 1
    # No header is squeezed to one character a line.
    narrowest = page.evaluate(
        "Math.min(...[...document.querySelectorAll('#t-appeals thead th')]"
        ".map(h => h.getBoundingClientRect().width))"
    )
    assert narrowest >= 50
    # The frame shows a shadow at its edge: a background drawn over the scrolled content.
    assert "radial-gradient" in scroller.evaluate("e => getComputedStyle(e).backgroundImage")
    shoot(page, f"report-phone-{language}")
    assert errors == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_charts_footnotes_and_totals_show_without_javascript(
    live_server, browser, language, viewport
):
    context = browser.new_context(java_script_enabled=False, viewport=viewport)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/reports/huaian/2023/")
    assert charts_drawn(page) >= 10
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    worked_back = "按印发的同比倒推 2022 年数值" if language == "zh-hans" else "Worked back from"
    assert worked_back in page.locator("#t-appeals .footnotes").inner_text()
    totals = page.locator('a[href="/reports/huaian/2023/#t-livestream"]')
    assert totals.count() == 1 and totals.is_visible()
    width = viewport["width"]
    shoot(page, f"report-nojs-{language}-{width}")
    context.close()


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


def test_a_link_to_a_table_far_down_lands_on_it_and_shows_it(live_server, page, errors):
    # The report's sections below the screen are laid out only when near it (site.css,
    # content-visibility): a link to one still scrolls to it, drawn, on a phone.
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/reports/huaian/2023/")
    far = page.locator("#t-sharing-register")
    assert far.evaluate("e => e.getBoundingClientRect().top") > 3 * PHONE["height"]
    assert (
        far.evaluate("e => getComputedStyle(e.closest('.report-section')).contentVisibility")
        == "auto"
    )
    page.goto(f"{live_server.url}/reports/huaian/2023/#t-sharing-register")
    top = far.evaluate("e => e.getBoundingClientRect().top")
    # At the top of the screen, give or take the fraction of a pixel that laying out the
    # sections above it may leave (-0.23 px seen in CI).
    assert -2 <= top < PHONE["height"] / 2
    row = far.locator("tbody tr").first
    assert row.is_visible() and row.bounding_box()["height"] > 10
    assert errors == []


# What a reader of the 2023 page sees in each language: (text, where) pairs, read from the
# laid-out page (inner_text: only what is shown), not from the HTML.
AS_PRINTED = {
    "zh-hans": {
        "published": "(按印发原文载入)",
        "updated": "最后更新",
        "city_level": "市本级",
        "total": "总计",
        "worked_back": "按印发的同比倒推 2022 年数值",
        "finding": "咨询类与非咨询类之和为 455,559，与印发的 455,426 相差 133 件",
    },
    "en": {
        "published": "(loaded as printed from the source document)",
        "updated": "Last updated",
        "city_level": "City level",
        "total": "Total",
        "worked_back": "Worked back from the printed changes to 2022",
        "finding": "add up to 455,559; the report prints 455,426, 133 cases apart",
    },
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_the_page_says_what_was_printed_when_and_by_whom(
    live_server, page, errors, language, viewport
):
    words = AS_PRINTED[language]
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.set_viewport_size(viewport)
    response = page.goto(f"{live_server.url}/reports/huaian/2023/")
    assert response.headers.get("content-encoding") == "gzip"
    description = page.locator('meta[name="description"]').get_attribute("content")
    assert "2023" in description and len(description) > 30

    meta = page.locator(".report-meta").inner_text()
    assert words["published"] in meta
    assert page.locator(".report-meta time").first.get_attribute("datetime")
    assert words["updated"] in page.locator("body").inner_text()

    # Derived numbers say how they were derived; a finding leads in plain words.
    page.evaluate(
        "document.querySelectorAll('.report-section')"
        ".forEach(s => { s.style.contentVisibility = 'visible'; })"
    )
    assert words["worked_back"] in page.locator("#t-appeals .footnotes").inner_text()
    assert words["finding"] in page.locator("#t-top5-categories").inner_text()

    # Labels as printed: the city's own level, the TOP5 total, row ③'s recipients in order.
    register = page.locator("#t-sharing-register")
    first_row = register.locator("tbody tr").filter(has_text="市审计局").first
    assert words["city_level"] in first_row.inner_text()
    row_3 = register.locator("tbody tr").filter(has_text="淮阴区委巡察组").first.inner_text()
    assert row_3.index("省委巡视组") < row_3.index("淮阴区委巡察组") < row_3.index("淮阴区纪委")
    total = page.locator("#t-top5-categories tbody th[rowspan]").last
    assert total.inner_text() == words["total"] and total.is_visible()

    # The note for staff (where the population comes from) is nowhere on the page.
    assert "统计公报" not in page.locator("body").inner_text()
    shoot(page, f"report-as-printed-{language}-{viewport['width']}")
    assert errors == []
