"""The public pages pass axe-core with no violation of any impact (README "Lighthouse and axe"),
and what axe found once stays fixed in the HTML itself.

axe-core runs in a real Chromium, injected from tools/audit/node_modules (`make audit` or
`npm ci` in tools/audit installs it; never from a CDN); without it those tests skip, and fail
in CI (.ci/run installs it).
"""

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

AXE = Path(settings.BASE_DIR, "tools", "audit", "node_modules", "axe-core", "axe.min.js")
PAGES = ["/", "/reports/huaian/2023/"]
# Lighthouse's emulated screens (tools/audit/audit.mjs).
WIDTHS = {"mobile": {"width": 412, "height": 823}, "desktop": {"width": 1350, "height": 940}}
LANDMARK_TAGS = {"main": "main", "nav": "navigation", "aside": "complementary", "form": "form"}


class Outline(HTMLParser):
    """The landmarks of a page (role and accessible name) and the text of each table header."""

    def __init__(self):
        super().__init__()
        self.ids, self.landmarks, self.headers = {}, [], []
        self._id_stack, self._header = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._id_stack.append(attrs.get("id"))
        role = attrs.get("role") or LANDMARK_TAGS.get(tag)
        if tag == "section" and ("aria-label" in attrs or "aria-labelledby" in attrs):
            role = "region"
        if role in {"region", "navigation", "main", "complementary", "form", "search"}:
            self.landmarks.append((role, attrs.get("aria-label"), attrs.get("aria-labelledby")))
        if tag == "th":
            self._header = []
        for id_ in [i for i in self._id_stack if i]:
            self.ids.setdefault(id_, [])

    def handle_endtag(self, tag):
        if self._id_stack:
            self._id_stack.pop()
        if tag == "th" and self._header is not None:
            self.headers.append("".join(self._header).strip())
            self._header = None

    def handle_data(self, data):
        if self._header is not None:
            self._header.append(data)
        for id_ in [i for i in self._id_stack if i]:
            self.ids[id_].append(data)

    def names(self):
        def name(label, labelledby):
            if label is not None:
                return label.strip()
            parts = (" ".join(self.ids.get(i, [])) for i in (labelledby or "").split())
            return re.sub(r"\s+", " ", " ".join(parts)).strip()

        return [(role, name(label, by)) for role, label, by in self.landmarks]


def outline(client, url):
    parser = Outline()
    parser.feed(client.get(url).content.decode())
    return parser


@pytest.mark.parametrize("url", PAGES)
def test_no_two_landmarks_share_a_role_and_a_name(client, url):
    names = outline(client, url).names()
    assert names, "the page has landmarks"
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


def test_the_index_labels_each_citys_table_once(client):
    names = outline(client, "/").names()
    assert ("region", "淮安市") in names


@pytest.mark.parametrize("url", PAGES)
def test_every_table_header_says_what_it_heads(client, url):
    headers = outline(client, url).headers
    assert headers and "" not in headers


def test_the_register_summary_names_its_label_columns(client):
    html = client.get("/reports/huaian/2023/").content.decode()
    firsts = re.findall(
        r'<table class="data register-summary">.*?<th scope="col">([^<]*)<', html, re.S
    )
    assert firsts == ["行政层级", "共享方式"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("form", WIDTHS)
@pytest.mark.parametrize("url", PAGES)
def test_axe_finds_no_violation(live_server, browser, url, form, language):
    if not AXE.exists():
        reason = "axe-core is not installed: `npm ci` in tools/audit (make audit does)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: in CI the axe tests must run, not skip")
        pytest.skip(reason)
    # axe is injected as a script of the page: the site's CSP (script-src 'self') would refuse it.
    context = browser.new_context(viewport=WIDTHS[form], bypass_csp=True)
    try:
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
        page = context.new_page()
        page.goto(live_server.url + url)
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => `${v.impact} ${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)"
        )
    finally:
        context.close()
    assert violations == []
