from django.conf import settings
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
