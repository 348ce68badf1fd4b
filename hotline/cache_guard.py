"""A Redis cache that degrades instead of failing: while Redis is down or hung, the site runs as
if the cache were empty.

Every caller (the page cache, the PDF, the API's throttle, the render lock) goes through
Django's default cache, which is this backend when REDIS_URL is set. A failed call (refused,
reset, timed out: settings give the sockets short timeouts) answers as a miss: `get` the
default, `add` False, `set` and `delete` nothing, `incr` a ValueError as for a missing key.
After a failure the cache is skipped for `SKIP_SECONDS`, so that a dead Redis costs one timeout
per process every few seconds rather than one per request; the outage is logged once when it
starts and once when Redis answers again, never once per request.
"""

import logging
import os
import threading
import time
from functools import wraps

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

SKIP_SECONDS = 10.0


def _failures():
    import redis

    # Refused, reset and timed-out sockets; redis-py wraps most of them in RedisError.
    return (redis.exceptions.RedisError, OSError)


class _Outage:
    """The state of one Redis (by location) in this process: every thread's cache object
    shares it, so that one thread's timeout spares the others theirs."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down_until = 0.0
        self.down = False

    def skipping(self) -> bool:
        return self.down and time.monotonic() < self.down_until

    def failed(self, location: str, error: Exception) -> None:
        with self.lock:
            first = not self.down
            self.down, self.down_until = True, time.monotonic() + SKIP_SECONDS
        if first:
            logger.error(
                "cache unavailable, serving without it (retried every %ss): %s: %s",
                int(SKIP_SECONDS),
                type(error).__name__,
                error,
                extra={"cache": location},
            )

    def answered(self, location: str) -> None:
        if self.down:
            with self.lock:
                was, self.down = self.down, False
            if was:
                logger.warning("cache available again", extra={"cache": location})


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage(location: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(location, _Outage())


def _guarded(miss):
    """The method, or `miss(*args, **kwargs)` while Redis is skipped or when the call fails."""

    def decorator(method):
        @wraps(method)
        def wrapper(self, *args, **kwargs):
            outage = self.outage
            if outage.skipping():
                return miss(*args, **kwargs)
            try:
                result = method(self, *args, **kwargs)
            except _failures() as error:
                outage.failed(self.location, error)
                return miss(*args, **kwargs)
            outage.answered(self.location)
            return result

        return wrapper

    return decorator


def _default(key, default=None, *args, **kwargs):
    return default


def _nothing(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _empty(*args, **kwargs):
    return {}


def _missing(key, *args, **kwargs):
    raise ValueError(f"Key '{key}' not found.")


class _ReusedClient(RedisCacheClient):
    """Django's client, but with one redis-py client per connection pool rather than one made
    for every call: making one builds its table of some 170 response callbacks, which was a
    third of the Redis time of a cached page's hit. A redis-py client is thread-safe; the
    pool it wraps is the one Django's would have wrapped."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class _Listener:
    """This process's subscription to one channel, read without waiting for Redis: `heard()`
    polls its socket (a system call, no round trip) and counts what arrived, announcements
    and reconnections alike. It answers None while it cannot vouch that nothing was missed:
    not yet confirmed subscribed, reconnecting, or Redis down."""

    def __init__(self, cache: "GuardedRedisCache", channel: str):
        self.cache, self.channel, self.lock = cache, channel, threading.Lock()
        self.pid, self.pubsub, self.count, self.confirmed = None, None, 0, False

    def heard(self) -> int | None:
        with self.lock:
            if self.pid != os.getpid():
                # A worker forked from a process that listened: the socket is its parent's.
                self.pid, self.pubsub, self.confirmed = os.getpid(), None, False
            if self.pubsub is None:
                outage = self.cache.outage
                if outage.skipping():
                    return None
                try:
                    self._subscribe()
                except _failures() as error:
                    self._drop()
                    outage.failed(self.cache.location, error)
                    return None
            try:
                while (message := self.pubsub.get_message(timeout=0)) is not None:
                    self.count += 1
                    if message["type"] == "subscribe":
                        self.confirmed = True
            except _failures():
                # The subscription was closed (a Redis restarted, a client killed): subscribe
                # again next time, which tells whether Redis is down.
                self._drop()
                return None
            return self.count if self.confirmed else None

    def _subscribe(self):
        self.pubsub = self.cache._cache.get_client().pubsub()
        self.pubsub.subscribe(self.channel)
        # redis-py reconnects by itself and subscribes again; what was announced in between
        # is lost, so nothing heard before counts until the new subscription is confirmed.
        self.pubsub.connection.register_connect_callback(self._reconnected)

    def _reconnected(self, connection):
        self.count, self.confirmed = self.count + 1, False

    def _drop(self):
        pubsub, self.pubsub, self.confirmed = self.pubsub, None, False
        self.count += 1
        if pubsub is not None:
            try:
                pubsub.close()
            except _failures():
                pass


_listeners: dict[tuple[str, str], _Listener] = {}


class GuardedRedisCache(RedisCache):
    """Django's RedisCache whose failures are misses (see the module's docstring)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClient
        self.location = server if isinstance(server, str) else ",".join(server)
        self.outage = _outage(self.location)
        self._listening = {}  # channel -> this process's _Listener

    def available(self) -> bool:
        """False while an outage is being skipped: callers that would wait on the cache (the
        render lock) do not."""
        return not self.outage.skipping()

    def channel_name(self, channel: str) -> str:
        """The channel in Redis: named as a key is (the site's prefix), and by its database,
        since channels, unlike keys, are shared by every database of a server."""
        db = self._cache._get_connection_pool(False).connection_kwargs.get("db", 0)
        return f"{self.make_key(channel)}:db{db}"

    @_guarded(_nothing)
    def announce(self, channel: str) -> None:
        """Tell every process that listens to `channel` (heard) that something changed: once
        this returns, the news waits on every listener's connection."""
        client = self._cache.get_client(write=True)
        client.publish(self.channel_name(channel), b"")
        # Redis writes a message to its subscribers in the same pass as the reply to PUBLISH,
        # perhaps after it; it reads this client's next command only once that pass is done.
        client.ping()

    def heard(self, channel: str) -> int | None:
        """How many times this process heard of a change on `channel` (announce), None while
        it cannot tell: what it keeps in memory is good while this number stays the same."""
        listener = self._listening.get(channel)
        if listener is None:  # once per thread's cache: every cached hit asks
            key = (self.location, self.channel_name(channel))
            with _outages_lock:
                listener = _listeners.get(key)
                if listener is None:
                    listener = _listeners[key] = _Listener(self, key[1])
            self._listening[channel] = listener
        return listener.heard()

    get = _guarded(_default)(RedisCache.get)
    set = _guarded(_nothing)(RedisCache.set)
    add = _guarded(_false)(RedisCache.add)
    touch = _guarded(_false)(RedisCache.touch)
    delete = _guarded(_false)(RedisCache.delete)
    get_many = _guarded(_empty)(RedisCache.get_many)
    set_many = _guarded(lambda *a, **k: [])(RedisCache.set_many)
    delete_many = _guarded(_nothing)(RedisCache.delete_many)
    has_key = _guarded(_false)(RedisCache.has_key)
    incr = _guarded(_missing)(RedisCache.incr)
    clear = _guarded(_false)(RedisCache.clear)
