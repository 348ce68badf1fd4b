"""Conditional GET, caching headers and the server-side page cache of the public pages.

A page's ETag and Last-Modified come from one query (selectors.*freshness*) that says when
what the page shows last changed, so that a repeat visit is answered 304 after that query.
Published pages seen anonymously may be cached by anyone for a short while; pages that show a
draft are private and never stored.

The same freshness token versions the server-side cache (Django's cache: Redis shared by every
instance when REDIS_URL is set). A page rendered once is served from the cache, after the one
freshness query, until anything it shows changes: publishing or correcting a report changes the
token, so every instance asks for a key that is not there yet and renders the new version.
Nothing is ever deleted; outdated versions age out.
"""

import hashlib
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.views.decorators.http import condition

logger = logging.getLogger(__name__)

PUBLIC_MAX_AGE = 300  # seconds; short, so that a correction is seen within minutes


def _render_version() -> str:
    """Changes with the code and templates that render the pages (a deploy must not 304)."""
    digest = hashlib.sha1()
    roots = [
        Path(settings.BASE_DIR, "reports"),
        Path(settings.BASE_DIR, "templates", "reports"),
        Path(settings.BASE_DIR, "static", "reports"),
    ]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in {".py", ".html", ".css", ".js"}:
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


RENDER_VERSION = _render_version()


def cached_page(lookup):
    """Wrap a view with ETag/Last-Modified and Cache-Control.

    `lookup(request, **kwargs)` finds what the page is about (raising Http404 when the user may
    not see it) and returns an object with a `freshness` attribute; it runs once per request
    and the view finds its result in `request.page_object`.
    """

    def decorator(view):
        def page_object(request, **kwargs):
            if not hasattr(request, "page_object"):
                request.page_object = lookup(request, **kwargs)
            return request.page_object

        def etag(request, *args, **kwargs):
            freshness = page_object(request, **kwargs).freshness
            key = f"{freshness.token}|{get_language()}|{request.user.is_staff}|{RENDER_VERSION}"
            return hashlib.sha1(key.encode()).hexdigest()

        def last_modified(request, *args, **kwargs):
            return page_object(request, **kwargs).freshness.last_modified

        conditional = condition(etag_func=etag, last_modified_func=last_modified)(
            server_cached(view)
        )

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = conditional(request, *args, **kwargs)
            freshness = getattr(getattr(request, "page_object", None), "freshness", None)
            if freshness is not None and freshness.draft:
                patch_cache_control(response, private=True, no_store=True)
            elif request.user.is_authenticated:
                patch_cache_control(response, private=True, no_cache=True)
            else:
                patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
            return response

        return wrapped

    return decorator


# Query parameters the pages read; a URL with any other is rendered, not stored, so that made-up
# query strings cannot fill the cache.
PAGE_PARAMETERS = frozenset(
    {"year", "indicator", "city", "district", "department", "method", "page"}
)
# The language switch posts a CSRF token, which is the visitor's own: a stored page keeps a
# placeholder, filled in with the reader's token (and cookie) when it is served.
CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CSRF_PLACEHOLDER = b"__csrf_token__"


def server_cached(view):
    """Serve an anonymous visitor's published page from the cache, keyed by its freshness."""

    @wraps(view)
    def serve(request, *args, **kwargs):
        freshness = request.page_object.freshness
        if (
            settings.PAGE_CACHE_SECONDS <= 0
            or request.method != "GET"
            or freshness.draft
            or request.user.is_authenticated
            or not PAGE_PARAMETERS.issuperset(request.GET)
        ):
            return view(request, *args, **kwargs)
        version = f"{freshness.token}|{RENDER_VERSION}"
        return fetch_or_render(request, version, lambda: view(request, *args, **kwargs))

    return serve


def page_key(request, version: str) -> str:
    """The cache key of a page: what it shows (version), its URL and its language."""
    seed = f"{version}|{get_language()}|{request.get_full_path()}"
    return "page:" + hashlib.sha256(seed.encode()).hexdigest()


class Recent:
    """The pages a process served last, in its own memory in front of the shared cache: a key
    names one version of a page for ever, so a copy kept here can never be out of date."""

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


def _cached(key):
    stored = recent.get(key)
    if stored is None:
        try:
            stored = cache.get(key)
        except Exception:  # the shared cache is unreachable: render as if it were empty
            logger.warning("page cache unavailable", exc_info=True)
        if stored is not None:
            recent.set(key, stored)
    return stored


def fetch_or_render(request, version: str, render: Callable[[], HttpResponse]) -> HttpResponse:
    """The stored response for this request at this version, or `render()`'s, then stored.

    For any read-only response whose version is known before rendering (the API's lists can
    pass their ETag seed). Only complete 200 responses are stored; a cache that is down is
    a slower page, never an error.
    """
    key = page_key(request, version)
    stored = _cached(key)
    if stored is not None:
        content = stored["content"]
        if CSRF_PLACEHOLDER in content:
            content = content.replace(CSRF_PLACEHOLDER, get_token(request).encode())
        response = HttpResponse(content)
        for header, value in stored["headers"]:
            response[header] = value
        response["X-Page-Cache"] = "hit"
        return response
    response = render()
    if callable(getattr(response, "render", None)) and not response.is_rendered:
        response.render()
    if response.status_code == 200 and not response.streaming:
        stored = {
            "content": CSRF_FIELD.sub(rb"\1" + CSRF_PLACEHOLDER + rb"\2", response.content),
            "headers": [(k, v) for k, v in response.items() if k.lower() != "set-cookie"],
        }
        recent.set(key, stored)
        try:
            cache.set(key, stored, settings.PAGE_CACHE_SECONDS)
        except Exception:
            logger.warning("page cache unavailable", exc_info=True)
        response["X-Page-Cache"] = "miss"
    return response
