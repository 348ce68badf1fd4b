from django.conf import settings
from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string

API_PREFIX = "/api/"


class ChosenLanguageMiddleware:
    """Simplified Chinese unless the user chose English with the site's switch (the language
    cookie). Unlike LocaleMiddleware, a browser's Accept-Language is not followed on the pages:
    a government site speaks Chinese first, whatever the machine it is read on. API clients
    choose with Accept-Language, as programs do."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.codes = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        if request.path.startswith(API_PREFIX):
            language = translation.get_language_from_request(request)
        else:
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            language = chosen if chosen in self.codes else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        # The same URL speaks both languages, chosen by the cookie.
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        response.headers.setdefault("Content-Language", language)
        return response


class CompressionMiddleware(GZipMiddleware):
    """Pages, API answers and text downloads gzip-compressed for a client that accepts it, with
    `Vary: Accept-Encoding`. It runs after the page cache (hotline.caching), which stores the
    uncompressed body: a client without gzip gets it as it is. Formats compressed already (PDF,
    XLSX, ZIP, images) are sent as they are: gzip would only cost time. Django's gzip pads each
    response with random bytes against BREACH, for a body that carries a secret (a CSRF
    token); a stored page without one is the same for every reader, so the page cache keeps it
    compressed once (`compress_once`) and it is sent as it was kept: compressing a 100 kB page
    on every hit halved the cached page's throughput for browsers, which all ask for gzip."""

    COMPRESSED_TYPES = (
        "application/pdf",
        "application/zip",
        "application/gzip",
        "application/vnd.openxmlformats",
        "image/png",
        "image/jpeg",
        "image/webp",
        "font/woff",
    )
    # Below this, gzip's own header outweighs what it saves (GZipMiddleware's threshold).
    SHORTEST = 200

    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith(self.COMPRESSED_TYPES):
            return response
        kept = getattr(response, "compressed", None)
        if kept is None or not re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Encoding",))
        response.content = kept
        response["Content-Length"] = str(len(kept))
        # As GZipMiddleware: a compressed body is a weak validator of the page (RFC 9110 §8.8.1).
        if response.get("ETag", "").startswith('"'):
            response["ETag"] = "W/" + response["ETag"]
        response["Content-Encoding"] = "gzip"
        return response

    @classmethod
    def compress_once(cls, response) -> bytes | None:
        """`response`'s body compressed for every reader, for a body that carries no secret;
        None when it would not be compressed."""
        content = response.content
        if (
            len(content) < cls.SHORTEST
            or response.has_header("Content-Encoding")
            or response.get("Content-Type", "").startswith(cls.COMPRESSED_TYPES)
        ):
            return None
        compressed = compress_string(content)
        return compressed if len(compressed) < len(content) else None
