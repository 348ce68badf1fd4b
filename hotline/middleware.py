from django.conf import settings
from django.middleware.gzip import GZipMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers

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
    `Vary: Accept-Encoding`. It runs after the page cache (hotline.caching), which stores and
    serves the uncompressed body: a client without gzip gets it as it is. Formats compressed
    already (PDF, XLSX, ZIP, images) are sent as they are: gzip would only cost time. Django's
    gzip pads each response with random bytes against BREACH (the pages carry a CSRF token)."""

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

    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith(self.COMPRESSED_TYPES):
            return response
        return super().process_response(request, response)
