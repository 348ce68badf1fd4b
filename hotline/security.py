"""Login lock-out (django-axes): whose address a request comes from, and the page it gets."""

import ipaddress

from django.conf import settings
from django.contrib import admin
from django.template.response import TemplateResponse


def client_ip(request) -> str | None:
    """The client's address, for the login lock-out.

    Behind TRUSTED_PROXY_COUNT proxies it is the address the outermost of them appended to
    X-Forwarded-For (anything left of it is whatever the client claimed), but only when the
    request comes from a proxy (TRUSTED_PROXY_ADDRESSES): a client that reaches gunicorn
    directly writes the whole header itself. An entry that is not an IP address is ignored.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count and remote in settings.TRUSTED_PROXY_ADDRESSES:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count and _is_address(forwarded[-count]):
            return forwarded[-count]
    return remote


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def lockout_response(request, original_response=None, credentials=None):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        **admin.site.each_context(request),
        "title": admin.site.site_header,
        "minutes": minutes,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    return TemplateResponse(request, "admin/locked_out.html", context, status=429).render()
