"""The 2023 report prints the 政风热线 totals only (58 episodes): the episode list and the
report's link say so and point to the totals, instead of an unexplained "0 条记录"."""

import pytest

from .factories import make_report

pytestmark = pytest.mark.django_db

ZH = "淮安市 2023 年度报告只印发政风热线的合计数（共 58 期），未逐期列出。"
EN = "The Huai&#x27;an 2023 report prints the live-broadcast (政风热线) totals only (58 episodes)"
TOTALS = 'href="/reports/huaian/2023/#t-livestream"'


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})


@pytest.mark.parametrize("url", ["/episodes/", "/episodes/?city=huaian&year=2023"])
def test_the_episode_list_says_the_report_prints_totals_only(client, url):
    page = client.get(url).content.decode()
    assert ZH in page and TOTALS in page
    english(client)
    page = client.get(url).content.decode()
    assert EN in page and TOTALS in page


def test_the_report_links_to_its_totals_not_to_an_empty_list(client):
    page = client.get("/reports/huaian/2023/").content.decode()
    assert ZH in page and TOTALS in page
    assert "/episodes/?city=huaian&amp;year=2023" not in page
    assert 'id="t-livestream"' in page


def test_a_report_that_lists_its_episodes_links_to_them(client):
    make_report("huaian", 2022, records=1)
    page = client.get("/reports/huaian/2022/").content.decode()
    assert "/episodes/?city=huaian&amp;year=2022" in page
    listed = client.get("/episodes/?city=huaian&year=2022").content.decode()
    assert "totals-only" not in listed
