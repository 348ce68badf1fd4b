"""Conditional GET and caching headers for the public pages.

A page's ETag and Last-Modified come from one query (selectors.*freshness*) that says when
what the page shows last changed, so that a repeat visit is answered 304 after that query.
Published pages seen anonymously may be cached by anyone for a short while; pages that show a
draft are private and never stored.
"""

import hashlib
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.views.decorators.http import condition

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

        conditional = condition(etag_func=etag, last_modified_func=last_modified)(view)

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
