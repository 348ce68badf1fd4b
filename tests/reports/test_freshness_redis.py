"""With Redis, each process keeps the versions of published data in its memory while it
listens to the writes' announcements (hotline.freshness, hotline.cache_guard): a cached page
then sends nothing to Redis, and a write made anywhere is heard before the next request.

Needs the Redis of TEST_REDIS_URL (only this test's keys and channel are touched); skipped where
it is not reachable, a failure in CI. Two gunicorn instances: tests/reports/test_instances.py.
"""

import os
import time
import uuid

import pytest
import redis
from django.core.cache import caches

from hotline import cache_guard, freshness
from hotline.caching import recent
from hotline.models import PublishedVersion

pytestmark = [pytest.mark.django_db, pytest.mark.redis, pytest.mark.usefixtures("report_2023")]

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
URL = "/reports/huaian/2023/"
SCOPES = freshness.report_scopes("huaian")


@pytest.fixture
def server():
    """A client of the test's Redis of its own: what another instance of the site would do."""
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_timeout=3)
        client.ping()
    except redis.RedisError as error:
        reason = f"Redis ({REDIS_URL}) is not reachable: {error}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: in CI the Redis tests must run, not skip")
        pytest.skip(reason)
    return client


@pytest.fixture
def prefix(server, settings):
    """The site's cache in Redis, as REDIS_URL makes it, under a prefix of this test's own."""
    prefix = f"test-freshness-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "hotline.cache_guard.GuardedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 3, "socket_timeout": 3},
        }
    }
    settings.FRESHNESS_IN_CACHE = True
    recent.clear()
    freshness.forget_remembered()
    yield prefix
    listener = cache_guard._listeners.pop(
        (REDIS_URL, caches["default"].channel_name(freshness.CHANNEL)), None
    )
    if listener is not None and listener.pubsub is not None:
        listener.pubsub.close()
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


def _listening():
    """Until its subscription is confirmed, a process reads the versions from Redis."""
    deadline = time.monotonic() + 10  # Redis answers in a millisecond; a loaded CI machine
    while freshness._mark() is None:
        if time.monotonic() > deadline:
            raise AssertionError("the subscription was never confirmed")
        time.sleep(0.005)


def _written_elsewhere(server, prefix, announce: bool) -> str:
    """What another instance's correction does: the city's version moved in the database, its
    entry deleted from Redis, and, unless the announcement is lost, the change announced."""
    token = uuid.uuid4().hex
    PublishedVersion.objects.filter(scope=freshness.city("huaian")).update(token=token)
    server.delete(f"{prefix}:1:{freshness._key(freshness.city('huaian'))}")
    if announce:
        caches["default"].announce(freshness.CHANNEL)  # on a connection of its own
    return token


def _commands_sent(monkeypatch) -> list:
    sent = []
    execute = redis.Redis.execute_command
    monkeypatch.setattr(
        redis.Redis,
        "execute_command",
        lambda self, *a, **k: sent.append(a[0]) or execute(self, *a, **k),
    )
    return sent


def test_a_cached_page_sends_nothing_to_redis(
    client, prefix, monkeypatch, django_assert_num_queries
):
    assert client.get(URL)["X-Page-Cache"] == "miss"
    _listening()
    client.get(URL)
    sent = _commands_sent(monkeypatch)
    with django_assert_num_queries(0):
        for _hit in range(5):
            assert client.get(URL)["X-Page-Cache"] == "hit"
    assert sent == []  # before: an MGET of the versions on every hit


def test_a_write_announced_elsewhere_is_heard_at_once(client, prefix, server):
    before = client.get(URL)["ETag"]
    _listening()
    kept = freshness.read(SCOPES)
    # Not announced: this process goes on with what it keeps (so the check below is a test).
    _written_elsewhere(server, prefix, announce=False)
    assert freshness.read(SCOPES) == kept
    _written_elsewhere(server, prefix, announce=True)
    assert freshness.read(SCOPES) != kept
    assert client.get(URL)["ETag"] != before


def test_a_process_that_lost_its_subscription_trusts_nothing_it_kept(client, prefix, server):
    _listening()
    kept = freshness.read(SCOPES)
    listener = cache_guard._listeners[
        (REDIS_URL, caches["default"].channel_name(freshness.CHANNEL))
    ]
    port = listener.pubsub.connection._sock.getsockname()[1]
    # Redis drops the subscription (restarted, the client killed); what was announced while it
    # was gone is lost: the correction is written but never heard.
    ours = [c for c in server.client_list() if c["addr"].endswith(f":{port}")]
    assert len(ours) == 1
    server.client_kill_filter(_id=ours[0]["id"])
    token = _written_elsewhere(server, prefix, announce=False)
    assert freshness.read(SCOPES) != kept
    assert PublishedVersion.objects.get(scope=freshness.city("huaian")).token == token
    _listening()  # subscribed again, and then kept again
    assert freshness._mark() is not None
