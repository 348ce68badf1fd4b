"""The Redis cache keeps one redis-py client per connection pool (hotline.cache_guard): Django's
own made one for every call, a third of the Redis time of a cached page's hit.

Needs the Redis of TEST_REDIS_URL (only this test's keys are touched); skipped where it is not
reachable, a failure in CI.
"""

import os
import uuid

import pytest
import redis

from hotline.cache_guard import GuardedRedisCache

pytestmark = pytest.mark.redis

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


@pytest.fixture
def cache():
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping()
    except redis.RedisError as error:
        reason = f"Redis ({REDIS_URL}) is not reachable: {error}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: in CI the Redis tests must run, not skip")
        pytest.skip(reason)
    prefix = f"test-client-{uuid.uuid4().hex}"
    backend = GuardedRedisCache(REDIS_URL, {"KEY_PREFIX": prefix})
    yield backend
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_every_call_of_a_cache_goes_through_one_client(cache, monkeypatch):
    made = []
    original = redis.Redis.__init__

    def counted(self, *args, **kwargs):
        made.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counted)
    for n in range(50):
        cache.set(f"k{n}", n)
        assert cache.add(f"k{n}", -1) is False
        assert cache.get(f"k{n}") == n
        assert cache.get_many([f"k{n}", "absent"]) == {f"k{n}": n}
        cache.delete(f"k{n}")
    assert cache.get("k0") is None
    assert len(made) == 1  # Django's client made 251
