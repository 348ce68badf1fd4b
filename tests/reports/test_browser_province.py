"""A real headless Chromium reads the province's view of generated data in both languages, at a
desktop's and a phone's width: every published city a column, each with its figure-check result
linked to the checks; screenshots in var/screenshots/."""

import pytest
from django.core.management import call_command

from hotline.models import AnnualReport

from .test_browser import DESKTOP, PHONE, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADING = {"zh-hans": "各市并列对照", "en": "the cities side by side"}
CHECKS = {"zh-hans": "各市报告的数据核对", "en": "Figure checks of each city's report"}


@pytest.fixture
def demo():
    """generate_demo's data, small: three cities by two years, beside Huai'an's 2023."""
    call_command(
        "generate_demo", cities="3", years=2, until=2023, sharing_requests=60, seed=3, verbosity=0
    )
    return AnnualReport.public_objects.filter(year=2023).count()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_province_in_both_languages_and_widths(live_server, page, errors, demo, language):
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/reports/jiangsu/2023/")
    assert page.locator("html").get_attribute("lang") == language
    assert HEADING[language] in page.locator("h1").inner_text()
    assert page.locator("[data-published]").get_attribute("data-published") == str(demo)
    # Every published city a column of every table, and a row of the checks with its count.
    assert page.locator('table[data-table="appeals"] thead th[data-city]').count() == demo
    checks = page.locator('table[data-table="checks"]')
    assert checks.locator("caption").inner_text() == CHECKS[language]
    assert checks.locator("tbody tr").count() == demo
    shoot(page, f"province-desktop-{language}")

    # The count links to the city's checks, which list as many discrepancies.
    cell = checks.locator("td[data-discrepancies]").first
    found = int(cell.get_attribute("data-discrepancies"))
    href = cell.locator("a").get_attribute("href")
    cell.locator("a").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}{href}" and href.endswith("/checks/")
    answer = page.request.get(f"{live_server.url}{href}", headers={"Accept": "application/json"})
    assert len(answer.json()["discrepancies"]) == found

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/reports/jiangsu/2023/")
    # The page does not scroll sideways; the wide tables do, inside their frames.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    scroller = page.locator('.table-scroll[aria-labelledby="province-appeals"]')
    assert scroller.evaluate("e => e.scrollWidth > e.clientWidth")
    shoot(page, f"province-phone-{language}")
    assert errors == []
