"""The staff side: every record, the publishing workflow and the figure grid."""

from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import catalogue, checks, records, regions, reports

__all__ = ["catalogue", "checks", "records", "regions", "reports"]

admin.site.site_header = getattr(settings, "ADMIN_SITE_HEADER", _("12345 Hotline Records"))
admin.site.site_title = admin.site.site_header

# The model list in the order of the staff's work: reports and their figures, then the records,
# the imports, and last the catalogue and the reference data (Django sorts it by name, which in
# Chinese is no order a reader knows).
WORK_ORDER = [
    "AnnualReport",
    "Figure",
    "AppealCount",
    "ReportEvent",
    "LivestreamEpisode",
    "EpisodeGuest",
    "DataSharingRequest",
    "PolicyDocument",
    "ImportUpload",
    "CheckRule",
    "CheckOperand",
    "Section",
    "ReportTable",
    "Indicator",
    "AppealCategory",
    "SharingMethod",
    "Region",
    "Department",
    "PublishedVersion",
]
_django_app_list = admin.site.get_app_list


def _app_list_in_work_order(request, app_label=None):
    apps = _django_app_list(request, app_label)
    for app in apps:
        if app["app_label"] == "hotline":
            app["models"].sort(
                key=lambda m: (
                    WORK_ORDER.index(m["object_name"])
                    if m["object_name"] in WORK_ORDER
                    else len(WORK_ORDER)
                )
            )
    # The hotline's own records first; login protection and background jobs after them.
    apps.sort(key=lambda app: app["app_label"] != "hotline")
    return apps


admin.site.get_app_list = _app_list_in_work_order
