from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline import freshness
from hotline.models import AnnualReport, CheckRule, Indicator, ReportEvent

# Reference data first, then the reports that refer to it.
FIXTURES = ["regions", "catalogue", "checks", "departments-huaian", "huaian-2023"]
LOADED = "Loaded from the fixtures"
# The printed text each published report of the fixtures was typed from.
SOURCE_DOCUMENTS = {("huaian", 2023): "fixtures/seed/huaian-12345-2023-annual-report.txt"}


def record_publications():
    """A report loaded as published gets its publish step and date, so that its pages can say
    when and how it was published: loaded as printed, by no person."""
    loaded = AnnualReport.private_objects.published().filter(published_at__isnull=True)
    for report in loaded.select_related("region"):
        document = SOURCE_DOCUMENTS.get((report.region.slug, report.year), "")
        reason = _("Loaded as printed by load_fixtures from %(source)s %(document)s") % {
            "source": report.source,
            "document": document,
        }
        event = ReportEvent.objects.create(
            report=report, action=ReportEvent.Action.PUBLISH, by=None, reason=reason.strip()
        )
        # update(): loaddata's reports are not edited, only dated.
        AnnualReport.private_objects.filter(pk=report.pk).update(published_at=event.at)


def record_first_versions():
    """loaddata saves raw, which django-simple-history does not record: give every record that
    has no history its first version, so that a later correction shows what it corrected."""
    now = timezone.now()
    for model in apps.get_app_config("hotline").get_models():
        manager_name = getattr(model._meta, "simple_history_manager_attribute", None)
        if manager_name is None:
            continue
        history = getattr(model, manager_name)
        pk = model._meta.pk.attname
        recorded = history.model.objects.values(pk)
        missing = list(model._default_manager.exclude(pk__in=recorded).order_by())
        history.bulk_history_create(missing, default_change_reason=LOADED, default_date=now)


class Command(BaseCommand):
    help = "Load the reference data and the published 2023 Huai'an report into an empty database."

    def handle(self, *args, **options):
        # Loading again would overwrite corrections staff made in the admin: load once only.
        if Indicator.objects.exists():
            # A database set up before the figure checks existed has no rules: without them
            # every report would look clean.
            if not CheckRule.objects.exists():
                with transaction.atomic():
                    call_command("loaddata", "checks", verbosity=options["verbosity"])
                    record_first_versions()
                    freshness.changed(freshness.REFERENCE)
                self.stdout.write(self.style.SUCCESS(_("Loaded the figure-check rules.")))
                return
            self.stdout.write(_("The reference data is already loaded; nothing changed."))
            return
        with transaction.atomic():
            call_command("loaddata", *FIXTURES, verbosity=options["verbosity"])
            record_publications()
            record_first_versions()
            freshness.everything_changed()  # loaddata's raw saves told no receiver
        self.stdout.write(self.style.SUCCESS(_("Loaded the 2023 Huai'an report.")))
