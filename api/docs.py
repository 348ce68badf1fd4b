"""Redoc's bundle as drf-spectacular-sidecar ships it, but with its maker's logo taken from this
site: Redoc draws the logo from its maker's CDN, which the Content-Security-Policy (rightly)
refuses, leaving an error in every reader's console. Everything else is the file unchanged."""

import hashlib
from functools import cache

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition, require_safe

BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
LOCAL_LOGO = "api/redoc-logo.svg"


@cache
def bundle() -> tuple[bytes, str]:
    """(the patched bundle, its ETag): read once per process."""
    with open(finders.find(BUNDLE), encoding="utf-8") as source:
        text = source.read()
    body = text.replace(CDN_LOGO, static(LOCAL_LOGO)).encode("utf-8")
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


@require_safe
@condition(etag_func=lambda request: bundle()[1])
def redoc_bundle(request):
    response = HttpResponse(bundle()[0], content_type="text/javascript; charset=utf-8")
    patch_cache_control(response, public=True, max_age=24 * 3600)
    return response
