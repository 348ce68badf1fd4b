"""The staff side: every record, the publishing workflow and the figure grid."""

from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import catalogue, checks, records, regions, reports

__all__ = ["catalogue", "checks", "records", "regions", "reports"]

admin.site.site_header = getattr(settings, "ADMIN_SITE_HEADER", _("12345 Hotline Records"))
admin.site.site_title = admin.site.site_header
