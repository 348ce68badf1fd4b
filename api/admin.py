from django.contrib import admin
from rest_framework.authtoken.models import TokenProxy

# Staff get their own token from /api/v1/auth/token/ (or `manage.py drf_create_token`); the
# admin's token list would show every staff member's secret to whoever may open it.
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)
