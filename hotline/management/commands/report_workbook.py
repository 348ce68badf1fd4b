from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hotline.importing.workbook import write_template
from hotline.models import Region


class Command(BaseCommand):
    help = _(
        "Write a report as a workbook laid out like the printed report, to fill in and "
        "import back; for a year without figures or without a report yet, the blank "
        "template beside the year before's figures."
    )

    def add_arguments(self, parser):
        parser.add_argument("city", help=_("The city's slug, e.g. huaian."))
        parser.add_argument("year", type=int)
        parser.add_argument(
            "--output", "-o", type=Path, help=_("The file; <city>-<year>.xlsx if none.")
        )

    def handle(self, *args, city, year, output, **options):
        try:
            region = Region.objects.cities().get(slug=city)
        except Region.DoesNotExist:
            raise CommandError(_("No city %(city)s.") % {"city": city}) from None
        output = output or Path(f"{city}-{year}.xlsx")
        with output.open("wb") as out:
            write_template(region, year, out)
        self.stdout.write(self.style.SUCCESS(str(output)))
