"""What the site logs (issue 13): one JSON object a line on stderr, the request's id on each
line and in the response, every unhandled error once with its traceback."""

import io
import json
import logging
import re

import pytest
from django.test import Client, override_settings
from pythonjsonlogger.json import JsonFormatter

pytestmark = pytest.mark.django_db

HEX32 = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def log_lines():
    """What the configured stderr handler writes, as it would reach journald."""
    (handler,) = [h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter)]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        handler.setStream(previous)


@override_settings(ROOT_URLCONF="tests.hotline.failing_urls")
def test_an_unhandled_error_is_logged_once_with_its_traceback_and_request_id(log_lines):
    client = Client(raise_request_exception=False)
    response = client.get("/forced-failure/")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert HEX32.fullmatch(request_id)
    errors = [line for line in log_lines() if line["level"] == "ERROR"]
    assert len(errors) == 1
    (error,) = errors
    assert error["logger"] == "django.request"
    assert error["request_id"] == request_id
    assert error["message"] == "Internal Server Error: /forced-failure/"
    assert "Traceback (most recent call last)" in error["exc_info"]
    assert "Forced: forced for the test" in error["exc_info"]
    assert error["time"]


def test_every_response_carries_a_request_id_and_a_sane_one_from_the_proxy_is_kept(client):
    first, second = client.get("/healthz")["X-Request-ID"], client.get("/healthz")["X-Request-ID"]
    assert HEX32.fullmatch(first) and first != second
    from_nginx = "3f2b8c0d9e1a4b5c8d7e6f5a4b3c2d1e"
    kept = client.get("/healthz", headers={"X-Request-ID": from_nginx})
    assert kept["X-Request-ID"] == from_nginx


@pytest.mark.parametrize(
    "claimed", ["not-an-id", "x" * 500, "3f2b8c0d\r\nSet-Cookie: a=b", "'; DROP TABLE x; --"]
)
def test_an_incoming_request_id_that_is_not_sane_is_replaced(client, claimed, log_lines):
    response = client.get("/healthz", headers={"X-Request-ID": claimed})
    assert HEX32.fullmatch(response["X-Request-ID"])
    assert claimed not in json.dumps(log_lines())


def test_the_api_exposes_the_request_id_to_other_sites(client):
    response = client.get("/api/v1/", headers={"Origin": "https://other.example"})
    exposed = [h.strip() for h in response["Access-Control-Expose-Headers"].split(",")]
    assert {"ETag", "X-Request-ID"} <= set(exposed)


def test_a_404_is_one_warning_line(client, log_lines):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    (line,) = log_lines()
    assert (line["level"], line["logger"]) == ("WARNING", "django.request")
    assert line["request_id"] == response["X-Request-ID"]
