from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from hotline.models import CheckRule, Indicator

# Reference data first, then the reports that refer to it.
FIXTURES = ["regions", "catalogue", "checks", "departments-huaian", "huaian-2023"]


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
                self.stdout.write(self.style.SUCCESS(_("Loaded the figure-check rules.")))
                return
            self.stdout.write(_("The reference data is already loaded; nothing changed."))
            return
        with transaction.atomic():
            call_command("loaddata", *FIXTURES, verbosity=options["verbosity"])
        self.stdout.write(self.style.SUCCESS(_("Loaded the 2023 Huai'an report.")))
