"""Production settings, the headers every page sends, and the Content-Security-Policy."""

import json
import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)(?![^>]*type=\"application/json\")[^>]*>")


def production_env(**extra):
    """A production environment: nothing of the test run's own (DJANGO_ALLOW_ASYNC_UNSAFE,
    SECURE_SSL_REDIRECT=0, ...) leaks in."""
    kept = {"PATH", "HOME", "LANG", "DATABASE_URL"}
    return {
        **{k: v for k, v in os.environ.items() if k in kept},
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "hotline.example.gov.cn",
        **extra,
    }


def run_manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_finds_nothing_in_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stderr + result.stdout
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert "WARNING" not in result.stderr


SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name) for name in [
    "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "AXES_FAILURE_LIMIT",
    "TRUSTED_PROXY_COUNT", "IMPORT_MAX_UPLOAD_BYTES"]}))
"""


def shown_settings(env):
    result = subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS],
        cwd=settings.BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "hotline.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_is_https_only_and_each_knob_comes_from_the_environment():
    shown = shown_settings(production_env())
    assert shown["SECURE_SSL_REDIRECT"] and shown["SESSION_COOKIE_SECURE"]
    assert shown["CSRF_COOKIE_SECURE"] and shown["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert shown["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and shown["SECURE_HSTS_PRELOAD"]
    assert shown["AXES_FAILURE_LIMIT"] == 5 and shown["TRUSTED_PROXY_COUNT"] == 0
    assert shown["IMPORT_MAX_UPLOAD_BYTES"] == 50 * 1024 * 1024

    shown = shown_settings(
        production_env(
            SECURE_SSL_REDIRECT="0",
            SECURE_HSTS_SECONDS="600",
            SECURE_HSTS_PRELOAD="0",
            AXES_FAILURE_LIMIT="3",
            BEHIND_HTTPS_PROXY="1",
            IMPORT_MAX_UPLOAD_BYTES="1000",
        )
    )
    assert not shown["SECURE_SSL_REDIRECT"] and shown["SESSION_COOKIE_SECURE"]
    assert shown["SECURE_HSTS_SECONDS"] == 600 and not shown["SECURE_HSTS_PRELOAD"]
    assert shown["AXES_FAILURE_LIMIT"] == 3 and shown["TRUSTED_PROXY_COUNT"] == 1
    assert shown["IMPORT_MAX_UPLOAD_BYTES"] == 1000


def test_a_local_site_with_debug_on_stays_plain_http():
    shown = shown_settings(production_env(DEBUG="1"))
    assert not shown["SECURE_SSL_REDIRECT"] and not shown["SESSION_COOKIE_SECURE"]
    assert shown["SECURE_HSTS_SECONDS"] == 0


def directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


PAGES = ["/", "/reports/huaian/2023/", "/admin/login/"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_the_security_headers(client, path):
    response = client.get(path, secure=True)
    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["style-src"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_plain_http_is_redirected_to_https_in_production(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/reports/huaian/2023/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/reports/huaian/2023/"


def test_session_and_csrf_cookies_are_secure_and_http_only(client, reviewer_user):
    page = client.get(reverse("admin:login"), secure=True)
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"]
    response = client.post(
        reverse("admin:login"),
        {"username": "reviewer", "password": "pw-12345-test", "next": "/admin/"},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]


@pytest.mark.parametrize(
    "name",
    [
        "admin:index",
        "admin:hotline_annualreport_changelist",
        "admin:hotline_figure_changelist",
        "admin:hotline_figure_add",
    ],
)
def test_admin_pages_have_no_inline_script_or_style_element(admin_client, name):
    page = admin_client.get(reverse(name)).content.decode()
    assert not INLINE_SCRIPT.search(page)
    assert "<style" not in page
