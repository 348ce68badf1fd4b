from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Public report pages")

    def ready(self):
        from hotline.signals import report_published

        from . import prewarm

        # A function is connected once however often ready() runs (dispatch_uid not needed).
        report_published.connect(prewarm.after_publication)
