from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hotline.importing.workbook import write_workbook
from hotline.models import AnnualReport


class Command(BaseCommand):
    help = _(
        "Write a report as a workbook laid out like the printed report, to fill in and "
        "import back; for a report without figures, the blank template beside last year's."
    )

    def add_arguments(self, parser):
        parser.add_argument("city", help=_("The city's slug, e.g. huaian."))
        parser.add_argument("year", type=int)
        parser.add_argument(
            "--output", "-o", type=Path, help=_("The file; <city>-<year>.xlsx if none.")
        )

    def handle(self, *args, city, year, output, **options):
        try:
            report = AnnualReport.objects.select_related("region").get(region__slug=city, year=year)
        except AnnualReport.DoesNotExist:
            raise CommandError(
                _("No report of %(city)s for %(year)s.") % {"city": city, "year": year}
            ) from None
        output = output or Path(f"{city}-{year}.xlsx")
        with output.open("wb") as out:
            write_workbook(report, out)
        self.stdout.write(self.style.SUCCESS(str(output)))
