"""Throttling, CORS, the OpenAPI schema and the self-hosted docs pages."""

import re

import pytest
import yaml
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

pytestmark = pytest.mark.django_db


@override_settings(API_ANON_RATE="3/min")
def test_anonymous_clients_are_throttled_with_a_clear_429(anonymous, reviewer):
    for _ in range(3):
        assert anonymous.get("/api/v1/regions/").status_code == 200
    response = anonymous.get("/api/v1/regions/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["detail"].startswith("Too many requests from this address")
    # Staff with a token are not counted as anonymous.
    assert reviewer.get("/api/v1/regions/").status_code == 200


@override_settings(API_ANON_RATE=None)
def test_throttling_can_be_turned_off(anonymous):
    for _ in range(200):
        assert anonymous.get("/api/v1/sections/").status_code == 200


def test_browsers_of_other_sites_may_read(anonymous):
    response = anonymous.get("/api/v1/regions/", HTTP_ORIGIN="https://data.example.gov.cn")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = anonymous.options(
        "/api/v1/figures/",
        HTTP_ORIGIN="https://data.example.gov.cn",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"


def test_browsers_of_other_sites_may_not_write(data_entry, draft_2024):
    origin = "https://evil.example.com"
    preflight = data_entry.options(
        "/api/v1/figures/", HTTP_ORIGIN=origin, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert "Access-Control-Allow-Origin" not in preflight
    post = data_entry.post("/api/v1/figures/", {}, format="json", HTTP_ORIGIN=origin)
    assert "Access-Control-Allow-Origin" not in post


def test_cors_is_for_the_api_only(client):
    response = client.get("/admin/login/", HTTP_ORIGIN="https://data.example.gov.cn")
    assert "Access-Control-Allow-Origin" not in response


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker):
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    with django_db_blocker.unblock(), translation.override("en"):
        # Fails on any warning, and validates against the OpenAPI 3 specification.
        call_command("spectacular", "--file", str(path), "--validate", "--fail-on-warn")
    return yaml.safe_load(path.read_text())


def test_every_field_has_a_description(schema):
    missing = [
        f"{name}.{prop}"
        for name, component in schema["components"]["schemas"].items()
        for prop, spec in component.get("properties", {}).items()
        if not spec.get("description")
    ]
    assert missing == []


def test_every_parameter_has_a_description(schema):
    missing = [
        f"{method.upper()} {path} {parameter['name']}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for parameter in operation.get("parameters", [])
        if not parameter.get("description")
    ]
    assert missing == []


def test_units_are_in_the_descriptions(schema):
    figure = schema["components"]["schemas"]["Figure"]["properties"]
    assert "unit" in figure["value"]["description"]
    assert "percentage points" in figure["change"]["description"]
    sharing = schema["components"]["schemas"]["SharingRequest"]["properties"]
    assert "cases" in sharing["records"]["description"]


def test_the_schema_is_served(anonymous):
    response = anonymous.get("/api/v1/schema/")
    assert response.status_code == 200
    assert "/api/v1/figures/" in yaml.safe_load(response.content)["paths"]


@pytest.mark.parametrize("page", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_docs_load_nothing_from_another_site(anonymous, page):
    response = anonymous.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    urls += re.findall(r"""["'](https?://[^"']+|//[^"']+)["']""", html)
    assert urls, "no assets found"
    outside = [u for u in urls if not u.startswith("/")]
    assert outside == [], outside
    # Redoc's bundle comes through api/docs.py, with its logo from this site.
    sidecar = ("/static/drf_spectacular_sidecar/", "/api/v1/redoc/redoc.standalone.js")
    assert any(u.startswith(sidecar) for u in urls)
    if page.endswith("docs/"):
        # The set-up is a script of its own (no inline script under the CSP); it turns off the
        # badge Swagger UI would fetch from validator.swagger.io.
        assert "/api/v1/docs/?script=" in urls
        script = anonymous.get("/api/v1/docs/?script=").content.decode()
        assert '"validatorUrl": null' in script


def test_nobody_reads_the_tokens_in_the_admin(admin_client):
    from django.contrib import admin
    from rest_framework.authtoken.models import TokenProxy

    assert not admin.site.is_registered(TokenProxy)
    assert admin_client.get("/admin/authtoken/").status_code == 404
