from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class AnonThrottle(AnonRateThrottle):
    """Anonymous clients, at API_ANON_RATE (read at each request, so settings overrides apply)."""

    def get_rate(self):
        return settings.API_ANON_RATE
