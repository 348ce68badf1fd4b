from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import AnonRateThrottle


class AnonThrottle(AnonRateThrottle):
    """Anonymous clients, at API_ANON_RATE (read at each request, so settings overrides apply).

    The count lives in the site's cache, which with Redis is hotline.cache_guard's: while Redis
    is down the history reads as empty and every request is let through, never a 500."""

    cache = cache

    def get_rate(self):
        return settings.API_ANON_RATE
