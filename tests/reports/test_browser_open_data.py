"""A real headless Chromium reads the data dictionary in both languages, follows a table's
"what the columns mean" link, and finds the report's JSON-LD; screenshots in var/screenshots/."""

import json

import pytest

from .test_browser import DESKTOP, PHONE, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_data_dictionary_in_both_languages(live_server, page, errors, language):
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/reports/huaian/2023/")
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert data["@type"] == "Dataset"
    page.locator('#t-calls a[href$="/data/calls/"]').click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/reports/huaian/2023/data/calls/"
    title = {"zh-hans": "数据字典", "en": "Data dictionary"}[language]
    assert page.locator("h1").inner_text().startswith(title)
    row = page.locator('tr[data-indicator="calls.inbound.answer_rate_30s"]')
    assert row.locator("td").nth(4).inner_text() == "2"
    assert page.locator(".licence").count() == 1
    shoot(page, f"data-dictionary-table-{language}")

    page.goto(f"{live_server.url}/reports/huaian/2023/data/")
    assert page.locator("section.dictionary").count() == 18
    shoot(page, f"data-dictionary-desktop-{language}")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/reports/huaian/2023/data/sharing-register/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, f"data-dictionary-phone-{language}")
    assert errors == []
