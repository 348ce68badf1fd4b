"""Redis down or hung: pages, the PDF and the throttled API answer 200, uncached, and the
outage is logged once (hotline.cache_guard).

A real Redis client against a port where nothing listens (refused at once) and against a
server that accepts and never answers (every call times out).
"""

import contextlib
import logging
import socket
import threading

import pytest
from django.core.cache import caches

from hotline import cache_guard

from ..jobs import immediately

pytestmark = pytest.mark.django_db

PAGES = ["/reports/huaian/2023/", "/reports/huaian/2023/report.pdf", "/api/v1/reports/"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def hung_port():
    """A server that accepts every connection and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held, stop = [], threading.Event()

    def accept():
        server.settimeout(0.1)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                held.append(server.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def _redis_at(settings, port):
    location = f"redis://127.0.0.1:{port}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "hotline.cache_guard.GuardedRedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.API_ANON_RATE = "120/min"
    settings.FRESHNESS_IN_CACHE = True  # as REDIS_URL sets it: versions kept and heard through it
    cache_guard._outages.pop(location, None)


def _outage_lines(caplog):
    return [r for r in caplog.records if r.name == "hotline.cache_guard" and r.levelname == "ERROR"]


@pytest.mark.parametrize("kind", ["dead", "hung"])
def test_a_redis_down_or_hung_serves_everything_uncached_and_logs_once(
    client, settings, caplog, hung_port, monkeypatch, kind
):
    _redis_at(settings, _free_port() if kind == "dead" else hung_port)
    # The PDF's job runs when queued: the PDF is rendered and sent in this request.
    immediately(settings)
    caplog.set_level(logging.WARNING, logger="hotline.cache_guard")
    monkeypatch.setattr(cache_guard, "SKIP_SECONDS", 3600)  # however slow the machine
    attempts = []
    failed = cache_guard._Outage.failed
    monkeypatch.setattr(
        cache_guard._Outage, "failed", lambda self, *a: attempts.append(1) or failed(self, *a)
    )
    for _round in range(2):
        for url in PAGES:
            response = client.get(url)
            assert response.status_code == 200, url
    # One refused or timed-out call, then the cache is skipped: a hung Redis costs one
    # timeout, not one per call (a page makes several: lock, page, throttle).
    assert len(attempts) == 1
    assert len(_outage_lines(caplog)) == 1


def test_the_cache_is_tried_again_after_a_while_and_its_return_is_logged(
    client, settings, caplog, monkeypatch
):
    _redis_at(settings, _free_port())
    caplog.set_level(logging.WARNING, logger="hotline.cache_guard")
    cache = caches["default"]
    assert cache.get("k", "default") == "default"
    assert not cache.available()
    calls = []
    monkeypatch.setattr(cache._cache, "get", lambda key, default: calls.append(key))
    assert cache.get("k") is None and calls == []  # skipped, not tried
    cache.outage.down_until = 0
    cache.get("k")
    assert calls == [":1:k"] and cache.available()
    assert [r.getMessage() for r in caplog.records][-1] == "cache available again"
    assert len(_outage_lines(caplog)) == 1


def test_the_api_throttle_counts_in_the_guarded_cache(settings):
    from api.throttling import AnonThrottle

    _redis_at(settings, _free_port())
    assert AnonThrottle.cache.get("anything", []) == []  # let through, not a 500
