from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hotline.checks import Period, check_report
from hotline.models import AnnualReport


class Command(BaseCommand):
    help = _(
        "Print every published figure of a report that disagrees with its parts or with last "
        "year. Exits 1 when there are discrepancies, 0 when there are none, 2 when the report "
        "does not exist."
    )

    def add_arguments(self, parser):
        parser.add_argument("city", help=_("The city's slug, e.g. huaian."))
        parser.add_argument("year", type=int)

    def handle(self, *args, city, year, **options):
        try:
            report = AnnualReport.private_objects.select_related("region").get(
                region__slug=city, year=year
            )
        except AnnualReport.DoesNotExist:
            raise CommandError(
                _("No report of %(city)s for %(year)s.") % {"city": city, "year": year},
                returncode=2,
            ) from None
        result = check_report(report, drafts=True)
        write = self.stdout.write
        if result.prior_report is None:
            basis = _("%(year)s is not stored: changes checked through the values they imply")
        else:
            basis = _("changes checked against the stored %(year)s report")
        write(f"{report} · {basis % {'year': report.year - 1}}")
        for group, discrepancies in result.by_group.items():
            write("")
            write(self.style.MIGRATE_HEADING(group))
            for d in discrepancies:
                where = d.indicator_code or d.rule_code
                write(f"  [{Period.label(d.period)}] {d.label}  ({where})")
                write(f"    {d.finding}")
                write(f"    {d.arithmetic}")
                for line in d.details:
                    write(f"      {line}")
        if options["verbosity"] >= 2 and result.not_checked:
            write("")
            write(self.style.MIGRATE_HEADING(_("Not checked")))
            for skipped in result.not_checked:
                write(f"  [{Period.label(skipped.period)}] {skipped.rule_code}: {skipped.reason}")
        current = sum(d.period == Period.CURRENT for d in result.discrepancies)
        summary = _(
            "%(found)d discrepancies (%(current)d current year, %(yoy)d year on year); "
            "%(passed)d checks passed; %(skipped)d not checked."
        ) % {
            "found": len(result.discrepancies),
            "current": current,
            "yoy": len(result.discrepancies) - current,
            "passed": result.checks_made - len(result.discrepancies),
            "skipped": len(result.not_checked),
        }
        write("")
        if result.discrepancies:
            write(self.style.ERROR(summary))
            raise SystemExit(1)
        write(self.style.SUCCESS(summary))
