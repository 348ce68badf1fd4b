"""The admin and the public pages work under the Content-Security-Policy the site sends.

A real Chromium loads each page from the live server (DEBUG off, as in production) and reports
every CSP violation, from its console and from `securitypolicyviolation` events.
"""

import pytest

from hotline.models import AnnualReport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Injected by Playwright through the browser's debugging protocol, so not itself under the CSP.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""


@pytest.fixture
def violations(page):
    found = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda m: (
            found.append(m.text)
            if m.type == "error" and "Content Security Policy" in m.text
            else None
        ),
    )
    return found


def visit(page, url, violations):
    response = page.goto(url)
    assert response.status == 200, url
    policy = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    page.wait_for_load_state("networkidle")
    violations.extend(page.evaluate("window.__csp"))
    return response


def test_the_admin_and_the_report_work_under_the_csp(
    live_server, page, violations, django_user_model
):
    django_user_model.objects.create_superuser("csp-admin", password="pw-12345-test")
    report = AnnualReport.private_objects.get(region__slug="huaian", year=2023)
    base = live_server.url

    visit(page, f"{base}/admin/login/", violations)
    page.fill("#id_username", "csp-admin")
    page.fill("#id_password", "pw-12345-test")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")

    for path in [
        "/admin/",
        f"/admin/hotline/annualreport/{report.pk}/change/",
        f"/admin/hotline/annualreport/{report.pk}/figures/",
        "/admin/hotline/figure/",
        "/admin/hotline/figure/add/",
        f"/admin/hotline/annualreport/{report.pk}/history/",
    ]:
        visit(page, base + path, violations)
    # The admin's scripts ran: the action checkbox selects every row, the autocomplete opens.
    page.goto(f"{base}/admin/hotline/figure/")
    page.click("#action-toggle")
    assert page.locator("tr.selected").count() > 0

    visit(page, f"{base}/reports/huaian/2023/", violations)
    assert page.locator("figure.chart svg.chart-svg").count() >= 5
    for docs in ("/api/v1/docs/", "/api/v1/redoc/"):
        visit(page, base + docs, violations)
    page.wait_for_selector(".api-content, .swagger-ui")
    assert violations == []


def test_the_api_pages_load_whole_under_the_csp_with_no_console_error(live_server, page):
    """The browsable API's code styles and Redoc's logo come from this site (issue 13)."""
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.add_init_script(RECORD_VIOLATIONS)
    base = live_server.url

    response = page.goto(f"{base}/api/v1/regions/?format=api")
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    # The code styles DRF inlined are a stylesheet of this site, loaded and applied.
    rules = page.evaluate(
        "[...document.styleSheets].filter(s => (s.href || '').endsWith('/api/code-style.css'))"
        ".map(s => s.cssRules.length)"
    )
    assert len(rules) == 1 and rules[0] > 50
    assert page.evaluate("window.__csp") == []

    assert page.goto(f"{base}/api/v1/redoc/").status == 200
    logo = page.wait_for_selector("img[alt='redocly logo']")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=logo)
    assert logo.get_attribute("src") == "/static/api/redoc-logo.svg"
    assert page.evaluate("window.__csp") == []
    assert errors == []
