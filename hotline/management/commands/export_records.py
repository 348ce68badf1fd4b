import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hotline.importing import exporting
from hotline.importing.columns import SPECS, spec_for


class Command(BaseCommand):
    help = _(
        "Export records as CSV (UTF-8 with a BOM), XLSX or JSON, with the headers the "
        "importer reads back; streamed, whatever the number of records."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "model", help=_("The kind of record: %(names)s.") % {"names": ", ".join(SPECS)}
        )
        parser.add_argument("--format", choices=["csv", "xlsx", "json"], default="csv")
        parser.add_argument(
            "--output", "-o", type=Path, help=_("The file; standard output if none.")
        )
        parser.add_argument("--city", help=_("Only this city's records (slug)."))
        parser.add_argument("--year", type=int, help=_("Only this year's records."))

    def handle(self, *args, model, format, output, city, year, **options):
        try:
            spec = spec_for(model)
        except KeyError:
            raise CommandError(
                _("Unknown kind of record “%(model)s”; one of: %(names)s.")
                % {"model": model, "names": ", ".join(SPECS)}
            ) from None
        queryset = spec.model._default_manager.all()
        if spec.scope == "report":
            if city:
                queryset = queryset.filter(report__region__slug=city)
            if year:
                queryset = queryset.filter(report__year=year)
        if output is None:
            exporting.write(spec, queryset, format, sys.stdout.buffer)
            return
        with output.open("wb") as out:
            exporting.write(spec, queryset, format, out)
