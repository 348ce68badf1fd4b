"""Hostile requests from outside (issue 13): numbers out of range, forged proxy headers, methods
a page does not take. Run on SQLite and on PostgreSQL (DATABASE_URL): a year that SQLite
shrugs off was a 500 on PostgreSQL."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


# 2. Every number taken from a URL is range-checked: 404 for a path


@pytest.mark.parametrize("year", ["32768", "65536", HUGE, "1999", "2101", "0000"])
@pytest.mark.parametrize(
    "tail",
    ["", "report.pdf", "tables/appeals/", "tables/appeals.csv", "tables/appeals.xlsx"],
)
def test_a_report_path_with_a_year_out_of_range_is_a_404(client, year, tail):
    response = client.get(f"/reports/huaian/{year}/{tail}")
    assert response.status_code == 404


@pytest.mark.parametrize("kind", ["episodes", "data-sharing", "policies"])
@pytest.mark.parametrize("number", [HUGE, "2147483648", "32768"])
def test_a_record_path_with_a_number_out_of_range_is_a_404(client, kind, number):
    assert client.get(f"/reports/huaian/2023/{kind}/{number}/").status_code == 404


def test_the_years_in_range_still_resolve(client):
    assert client.get("/reports/huaian/2023/").status_code == 200
    assert reverse("reports:report", args=["huaian", 2023]) == "/reports/huaian/2023/"


# ... and 400 naming the parameter for a query string

API_LISTS = [
    "reports",
    "figures",
    "appeal-counts",
    "top5",
    "episodes",
    "sharing-requests",
    "policy-documents",
]


@pytest.mark.parametrize("year", ["32768", HUGE, "1999", "2101", "2023,40000"])
@pytest.mark.parametrize("collection", API_LISTS)
def test_an_api_year_out_of_range_is_a_400_naming_it(client, collection, year):
    response = client.get(f"/api/v1/{collection}/", {"year": year})
    assert response.status_code == 400
    assert list(response.json()) == ["year"]


@pytest.mark.parametrize("year", ["32768", "9999", "1999"])
@pytest.mark.parametrize("tail", ["", "checks/"])
def test_an_api_report_path_out_of_range_is_a_404(client, year, tail):
    assert client.get(f"/api/v1/reports/huaian/{year}/{tail}").status_code == 404


# 8. Only the proxy's X-Forwarded-For is trusted, and only an address


LOGIN = "/admin/login/"


def log_in(client, address, forwarded, password="wrong"):
    return client.post(
        LOGIN,
        {"username": "reviewer", "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_ADDRESSES = ["127.0.0.1", "::1"]


@pytest.mark.parametrize("forwarded", ["not-an-ip", "1.2.3.4, <script>", "999.1.1.1", "::g"])
def test_a_forwarded_for_that_is_not_an_address_is_ignored(
    client, reviewer_user, behind_proxy, forwarded
):
    for _ in range(4):
        assert log_in(client, "127.0.0.1", forwarded).status_code == 200
    # Counted against the proxy's own address, as a request without the header would be.
    assert log_in(client, "127.0.0.1", "").status_code == 429


def test_rotating_the_header_past_the_proxy_does_not_defeat_the_lock_out(
    client, reviewer_user, behind_proxy
):
    """gunicorn reached without nginx: the header is whatever the client wrote."""
    for n in range(4):
        assert log_in(client, "203.0.113.7", f"198.51.100.{n}").status_code == 200
    assert log_in(client, "203.0.113.7", "198.51.100.99").status_code == 429
    assert (
        log_in(client, "203.0.113.7", "198.51.100.98", password="pw-12345-test").status_code == 429
    )


def test_behind_the_proxy_each_client_is_counted_apart(client, reviewer_user, behind_proxy):
    for _ in range(4):
        log_in(client, "127.0.0.1", "1.2.3.4, 198.51.100.1")
    assert log_in(client, "127.0.0.1", "198.51.100.1").status_code == 429
    ok = log_in(client, "127.0.0.1", "198.51.100.2", password="pw-12345-test")
    assert ok.status_code == 302


# 10. Methods a page does not take, cookies, browser features, the CSP of the API's pages

PUBLIC = [
    "/",
    "/healthz",
    "/compare/?year=2023&indicator=appeals.total.total",
    "/episodes/",
    "/data-sharing.csv",
    "/reports/huaian/",
    "/reports/huaian/2023/",
    "/reports/huaian/2023/tables/appeals/",
    "/reports/huaian/2023/tables/appeals.json",
]


@pytest.mark.parametrize("method", ["TRACE", "OPTIONS", "PUT", "DELETE", "POST", "PATCH"])
@pytest.mark.parametrize("path", PUBLIC)
def test_a_public_page_answers_405_to_methods_it_does_not_take(client, path, method):
    response = client.generic(method, path)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.parametrize("path", PUBLIC)
def test_a_public_page_still_answers_get_and_head(client, path):
    assert client.get(path).status_code == 200
    assert client.head(path).status_code == 200


def test_the_language_cookie_is_secure_same_site_and_http_only(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, secure=True)
    cookie = response.cookies["django_language"]
    assert cookie.value == "en"
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"


@pytest.mark.parametrize("path", ["/", "/reports/huaian/2023/", "/admin/login/", "/api/v1/"])
def test_every_page_refuses_browser_features_it_does_not_use(client, path):
    policy = client.get(path, secure=True)["Permissions-Policy"]
    features = dict(part.strip().split("=") for part in policy.split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"


def test_the_browsable_api_has_no_style_element_and_its_code_style_is_pygments(client, settings):
    from rest_framework.compat import pygments_css
    from rest_framework.renderers import BrowsableAPIRenderer

    page = client.get("/api/v1/regions/", headers={"Accept": "text/html"}).content.decode()
    assert "<style" not in page
    assert "/static/api/code-style.css" in page
    shipped = (settings.BASE_DIR / "static" / "api" / "code-style.css").read_text()
    css = pygments_css(BrowsableAPIRenderer.code_style)
    if css is not None:  # Pygments installed: the file is exactly what DRF would inline
        assert shipped.strip() == css.strip()


def test_redoc_draws_its_logo_from_this_site(client):
    page = client.get("/api/v1/redoc/").content.decode()
    assert '<script src="/api/v1/redoc/redoc.standalone.js">' in page
    bundle = client.get("/api/v1/redoc/redoc.standalone.js")
    body = b"".join(bundle.streaming_content) if bundle.streaming else bundle.content
    assert b"cdn.redoc.ly" not in body and b'src:"/static/api/redoc-logo.svg"' in body
    assert bundle["Content-Type"].startswith("text/javascript")
    again = client.get(
        "/api/v1/redoc/redoc.standalone.js", headers={"If-None-Match": bundle["ETag"]}
    )
    assert again.status_code == 304
