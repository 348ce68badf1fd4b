"""Simplified Chinese by default; English by the switch on the page, under the same URLs."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

URL = "/reports/huaian/2023/"


def test_the_page_speaks_chinese_by_default(client):
    page = client.get(URL).content.decode()
    assert '<html lang="zh-hans">' in page
    assert '<caption id="cap-appeals">诉求办理</caption>' in page
    assert "一、企业群众诉求办理" in page
    assert "1,438,746" in page


def test_the_switch_posts_to_setlang_and_the_page_answers_in_english(client):
    page = client.get(URL).content.decode()
    assert 'action="/i18n/setlang/"' in page and 'name="language" value="en"' in page
    response = client.post("/i18n/setlang/", {"language": "en", "next": URL})
    assert response.status_code == 302 and response["Location"] == URL
    english = client.get(URL).content.decode()
    assert '<html lang="en">' in english
    assert '<caption id="cap-appeals">Appeals handled</caption>' in english
    assert '<th scope="row">Public appeals</th>' in english
    assert "1. Appeal handling" in english
    assert "1,438,746" in english and "</span>18.14 pp</span>" in english
    assert 'name="language" value="zh-hans"' in english  # and back

    back = client.post("/i18n/setlang/", {"language": "zh-hans", "next": URL})
    assert back.status_code == 302
    assert "诉求办理" in client.get(URL).content.decode()


def test_downloads_follow_the_language_too(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/reports/huaian/2023/tables/appeals.csv").content.decode("utf-8-sig")
    assert "Public appeals" in body and "Total appeals" in body


def test_an_english_browser_still_gets_chinese_until_the_reader_switches(client):
    page = client.get(URL, headers={"accept-language": "en-US,en;q=0.9"}).content.decode()
    assert '<html lang="zh-hans">' in page


def test_a_public_page_carries_nothing_of_its_readers_own():
    """No CSRF token in the page nor a cookie for it: a cached copy is served as it is."""
    reader = Client(enforce_csrf_checks=True)
    for _ in range(2):  # rendered, then from the page cache
        response = reader.get(URL)
        assert b"csrfmiddlewaretoken" not in response.content
        assert "csrftoken" not in response.cookies
    assert response["X-Page-Cache"] == "hit"


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "http://testserver"},
        {"sec-fetch-site": "same-origin", "origin": "http://testserver"},
        {"referer": "http://testserver/reports/huaian/2023/"},
        {},  # no browser: no other site can make it post
    ],
)
def test_the_switch_takes_a_post_from_this_site_without_a_token(headers):
    reader = Client(enforce_csrf_checks=True)
    response = reader.post("/i18n/setlang/", {"language": "en", "next": URL}, headers=headers)
    assert response.status_code == 302 and response["Location"] == URL
    assert '<html lang="en">' in reader.get(URL).content.decode()


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example"},
        {"origin": "null"},
        {"origin": "https://testserver"},  # another scheme is another site
        {"sec-fetch-site": "cross-site", "origin": "http://testserver"},
        {"sec-fetch-site": "same-site"},
        {"referer": "https://evil.example/form.html"},
    ],
)
def test_the_switch_refuses_a_form_posted_from_another_site(headers):
    reader = Client(enforce_csrf_checks=True)
    response = reader.post("/i18n/setlang/", {"language": "en", "next": URL}, headers=headers)
    assert response.status_code == 403
    assert "只能在本网站的页面上切换语言" in response.content.decode()
    assert "django_language" not in response.cookies
    assert '<html lang="zh-hans">' in reader.get(URL).content.decode()


@pytest.mark.parametrize("trusted", ["https://12345.example.gov.cn", "https://*.example.gov.cn"])
@pytest.mark.parametrize("header", ["origin", "referer"])
def test_a_trusted_origin_may_post_the_switch(settings, trusted, header):
    """As Django's CSRF check takes them: exactly, or any subdomain of a wildcard."""
    settings.CSRF_TRUSTED_ORIGINS = [trusted]
    page = "https://12345.example.gov.cn/reports/huaian/2023/"
    response = Client().post("/i18n/setlang/", {"language": "en"}, headers={header: page})
    assert response.status_code == 302
    elsewhere = page.replace("example.gov.cn", "example.com")
    response = Client().post("/i18n/setlang/", {"language": "en"}, headers={header: elsewhere})
    assert response.status_code == 403
