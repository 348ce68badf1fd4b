"""Public responses, cached: conditional GET (ETag, Last-Modified, 304), Cache-Control and the
server-side page cache, for the public site and the API alike.

A response is keyed by the freshness of what it shows (hotline.freshness), the code that
renders it, its URL and its language. A viewer who may see drafts gets a response rendered
for them, private and never stored, with no validators: what they see is not public.

The page cache (Django's cache: Redis shared by every instance when REDIS_URL is set, else
each process's memory) keeps the body of each version of a response; a publication moves the
version, so every instance asks for a key that is not there yet and renders the new one once.
Nothing is ever deleted; outdated versions age out. A cache that is down makes a slower
response, never an error (hotline.cache_guard).
"""

import hashlib
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language

from hotline import freshness
from hotline.middleware import CompressionMiddleware
from hotline.roles import sees_drafts, viewer


def _render_version() -> str:
    """Changes with the code, templates, styles and translations that render a response, so
    that a deploy never answers 304 nor serves a page stored by the code before it."""
    digest = hashlib.sha1()
    base = Path(settings.BASE_DIR)
    for name in ("hotline", "reports", "api", "templates", "static", "locale"):
        for path in sorted((base / name).rglob("*")):
            if path.is_file() and path.suffix in {".py", ".html", ".css", ".js", ".mo", ".svg"}:
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


RENDER_VERSION = _render_version()

# A stored page keeps a placeholder for the visitor's own CSRF token (the language switch
# posts one), filled in with the reader's token when it is served.
CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CSRF_PLACEHOLDER = b"__csrf_token__"


def respond(
    request,
    scopes: Iterable[str],
    render: Callable[[], HttpResponse],
    *,
    reads: Iterable[str] | None = None,
    store: bool = True,
    variant: str = "",
) -> HttpResponse:
    """The response `render()` makes, conditional and cached for everyone who sees what the
    public sees; `scopes` are what it shows (hotline.freshness), `variant` what else it
    depends on beside its URL and language (the API's media type). `reads` names the query
    parameters the view reads: any other is dropped before it renders and from the cache key,
    so that `?x=1` cannot buy an uncached render (None keeps the whole query string).
    `store=False` answers conditionally but keeps nothing (the browsable API)."""
    if reads is not None:
        canonical_query(request, frozenset(reads))
    user = viewer(request)
    if sees_drafts(user):
        response = render()
        patch_cache_control(response, private=True, no_store=True)
        return response
    fresh = freshness.read(scopes)
    request.freshness = fresh
    key = page_key(request, f"{fresh.token}|{RENDER_VERSION}|{variant}")
    etag = f'"{key.removeprefix(KEY_PREFIX)[:32]}"'  # the key's own digest: one hash for both
    stamp = int(fresh.last_modified.timestamp()) if fresh.last_modified else None
    response = None
    if any(header in request.META for header in CONDITIONAL_HEADERS):
        response = get_conditional_response(request, etag=etag, last_modified=stamp)
    public = user is None or not user.is_authenticated
    if response is None:
        if store and request.method == "GET" and settings.PAGE_CACHE_SECONDS > 0:
            response = fetch_or_render(request, key, render, finished=public)
            if response.finished:
                return response
        else:
            response = render()
    if response.status_code in (200, 304):
        response["ETag"] = etag
        if stamp is not None:
            response["Last-Modified"] = http_date(stamp)
    if "no-store" in response.get("Cache-Control", ""):
        pass  # a passing answer (202 "生成中", hotline.download_store): kept by no one
    elif public:
        patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_MAX_AGE)
    else:
        patch_cache_control(response, private=True, no_cache=True)
    # A shared cache must not hand an anonymous copy to a signed-in client, or back.
    patch_vary_headers(response, ("Cookie", "Authorization"))
    kept = getattr(response, "kept", None)
    if kept is not None and public:
        # What the lines above make of this stored copy for every anonymous reader, who gets
        # it as it is from now on: they were half of a hit.
        kept["finished"] = list(response.items())
    return response


# Without any of these, get_conditional_response() has nothing to answer but the response.
CONDITIONAL_HEADERS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
)


def canonical_query(request, reads: frozenset[str]) -> None:
    """Keep only the parameters in `reads`, sorted by name (each one's values in their order),
    in the request's GET and query string: the view, its links and the cache key see the same
    canonical URL whatever else a visitor appends."""
    raw = getattr(request, "_request", request)  # a REST framework request wraps Django's
    if not raw.META.get("QUERY_STRING"):
        return  # most requests: two QueryDicts were a tenth of a cached hit
    kept = QueryDict(mutable=True)
    for name in sorted(raw.GET):
        if name in reads:
            kept.setlist(name, raw.GET.getlist(name))
    query = kept.urlencode()
    if query != raw.META.get("QUERY_STRING", ""):
        raw.GET = QueryDict(query, encoding=raw.encoding)
        raw.META["QUERY_STRING"] = query


KEY_PREFIX = "page:"


def page_key(request, version: str) -> str:
    """The cache key of a response: what it shows (version), its URL and its language."""
    seed = f"{version}|{get_language()}|{request.get_full_path()}"
    return KEY_PREFIX + hashlib.sha256(seed.encode()).hexdigest()


# -- What a published report's pages make of its data -------------------------------------

# How long it is kept; a new version of the data it reads makes a new key long before.
KEPT_SECONDS = 24 * 3600
T = TypeVar("T")


def report_keys(name: str, reports) -> list[str]:
    """The cache keys of what `name` makes of each of these reports' data: one per version of
    what its pages show (hotline.freshness.report_scopes), of the code and of the language."""
    scopes = [freshness.report_scopes(r.region.slug) for r in reports]
    keys = []
    for report, fresh in zip(reports, freshness.read_each(scopes), strict=True):
        seed = f"{report.pk}|{fresh.token}|{RENDER_VERSION}|{get_language()}"
        keys.append(f"{name}:" + hashlib.sha256(seed.encode()).hexdigest())
    return keys


def kept_for_report(name: str, report, make: Callable[[], T]) -> T:
    """What `make()` makes of a report's data. A published report's is a function of published
    data, so it is made once per version of it and kept in the cache (shared through Redis),
    for the public and staff alike; a draft's is made afresh, since its edits move no version.
    A Redis that is down is a miss (hotline.cache_guard)."""
    if not report.is_published:
        return make()
    key = report_keys(name, [report])[0]
    made = cache.get(key)
    if made is None:
        made = make()
        cache.set(key, made, KEPT_SECONDS)
    return made


class Recent:
    """The responses a process served last, in its own memory in front of the shared cache: a
    key names one version of a response for ever, so a copy kept here is never out of date."""

    def __init__(self, size: int):
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def set(self, key, value):
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self):
        with self.lock:
            self.items.clear()


recent = Recent(size=32)


def _stored(key):
    stored = recent.get(key)
    if stored is None:
        stored = cache.get(key)  # a Redis that is down answers None (hotline.cache_guard)
        if stored is not None:
            recent.set(key, stored)
    return stored


# One render of a given version of a response at a time, by whichever process takes the lock
# (in the shared cache); the others wait for its copy rather than render the same page again,
# so that a burst of visitors after a publication costs one render, not one per worker. The
# lock expires by itself should its holder die; a waiter renders after RENDER_WAIT_SECONDS.
RENDER_LOCK_SECONDS = 60
RENDER_WAIT_SECONDS = 20
RENDER_POLL_SECONDS = 0.05


def fetch_or_render(
    request, key: str, render: Callable[[], HttpResponse], *, finished: bool = False
) -> HttpResponse:
    """The stored response under `key` (page_key), or `render()`'s, then stored.

    Only complete 200 responses are stored; a streamed one is passed through. A stored copy's
    response is `finished` when asked for and respond() has finished one for an anonymous
    reader before: its headers are those.
    """
    stored = _stored(key)
    if stored is None:
        lock = "render:" + key
        locked = cache.add(lock, 1, RENDER_LOCK_SECONDS)
        # A cache that is down takes no lock (hotline.cache_guard): render without waiting.
        if not locked and getattr(cache, "available", lambda: True)():
            stored = _wait_for(key, lock)
        if stored is None:
            try:
                return _render_and_store(key, render)
            finally:
                if locked:
                    cache.delete(lock)
    content = stored["content"]
    if stored["csrf"]:  # known when stored: searching the page on every hit cost a tenth of it
        content = content.replace(CSRF_PLACEHOLDER, get_token(request).encode())
    headers = stored.get("finished") if finished else None
    response = HttpResponse(content, headers=headers or stored["headers"])
    # Sent instead of the body to a client that accepts gzip (hotline.middleware).
    response.compressed = stored["gzip"]
    response.finished = headers is not None
    if headers is None:
        response["X-Page-Cache"] = "hit"
        response.kept = stored
    return response


def _wait_for(key: str, lock: str):
    """The copy another renderer stores, or None when it gave up (its response was not one to
    store, it died) or took too long."""
    deadline = time.monotonic() + RENDER_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(RENDER_POLL_SECONDS)
        stored = _stored(key)
        if stored is not None or cache.get(lock) is None:
            return stored
    return None


def _render_and_store(key: str, render: Callable[[], HttpResponse]) -> HttpResponse:
    response = render()
    if callable(getattr(response, "render", None)) and not response.is_rendered:
        response.render()
    # A response that names a file for the proxy to send names a file of this host only.
    if (
        response.status_code == 200
        and not response.streaming
        and "X-Accel-Redirect" not in response
    ):
        content, fields = CSRF_FIELD.subn(rb"\1" + CSRF_PLACEHOLDER + rb"\2", response.content)
        stored = {
            "content": content,
            "csrf": bool(fields),
            # A page with a reader's CSRF token is compressed for each reader, padded.
            "gzip": None if fields else CompressionMiddleware.compress_once(response),
            "headers": [(k, v) for k, v in response.items() if k.lower() != "set-cookie"],
        }
        recent.set(key, stored)
        cache.set(key, stored, settings.PAGE_CACHE_SECONDS)
        response.compressed = stored["gzip"]
        response["X-Page-Cache"] = "miss"
    response.finished = False
    return response
