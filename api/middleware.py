from corsheaders.middleware import CorsMiddleware
from django.urls import reverse

from . import deprecations

CORS_METHODS = {"GET", "HEAD", "OPTIONS"}


class ReadOnlyCorsMiddleware(CorsMiddleware):
    """CORS for reads only: another site's page may read the API but never write through it."""

    def is_enabled(self, request):
        if request.method not in CORS_METHODS:
            return False
        if request.method == "OPTIONS":
            # A preflight asks for the method the browser means to send next.
            wanted = request.headers.get("access-control-request-method")
            if wanted is not None and wanted.upper() not in CORS_METHODS:
                return False
        return super().is_enabled(request)


class DeprecationMiddleware:
    """Every answer of a deprecated operation (api.deprecations) says so in its headers,
    whatever answered it: the view, the page cache or an error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        view = getattr(request.resolver_match, "func", None)
        actions = getattr(view, "actions", None)
        if actions:
            action = actions.get(request.method.lower())
            entry = deprecations.find(view.initkwargs.get("basename"), action)
            if entry is not None:
                for name, value in deprecations.headers(entry, reverse("api:docs")).items():
                    response[name] = value
        return response
