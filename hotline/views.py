from copy import copy
from urllib.parse import urlsplit

from django.http import HttpResponse, HttpResponseForbidden
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from hotline import download_store


@require_safe
def private_download(request, key):
    """A download written by a job for one member of staff (hotline.download_store)."""
    return download_store.private_response(request, key)


@require_safe
@never_cache
def healthz(request):
    """Liveness for a load balancer or a monitor: the process answers. It reads no database,
    so that one slow database does not take every instance out of the pool at once."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@csrf_exempt
@require_POST
def set_language(request):
    """Django's language switch, with no CSRF token: it changes nothing but the reader's own
    language, and a token would make every public page, cached or not, carry something of its
    reader's own (and draw a random secret for every new visitor). A form posted from another
    site is still refused, by the headers every browser sends with it."""
    if not from_this_site(request):
        return HttpResponseForbidden(_("The language can only be changed from this site."))
    return i18n.set_language(request)


def from_this_site(request) -> bool:
    """Whether a browser says this request comes from a page of this site: Sec-Fetch-Site
    where it sends one, else the Origin, else the Referer, judged by Django's own CSRF origin
    check (so `CSRF_TRUSTED_ORIGINS`, wildcards included, count as this site). A client that
    sends none of them is no browser, and no other site can make it post."""
    fetched_from = request.headers.get("Sec-Fetch-Site")
    if fetched_from is not None:
        return fetched_from in ("same-origin", "none")
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if source is None:
        return True
    parts = urlsplit(source)  # "null", an origin hidden by the browser, is no site of ours
    asked = copy(request)
    asked.META = {**request.META, "HTTP_ORIGIN": f"{parts.scheme}://{parts.netloc}"}
    # A new middleware each time: it caches the trusted origins it reads from the settings.
    return CsrfViewMiddleware(lambda request: None)._origin_verified(asked)
