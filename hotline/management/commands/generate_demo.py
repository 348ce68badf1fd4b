import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from hotline import demo
from hotline.models import Region


class Progress:
    """A one-line progress bar on a terminal; a line every tenth of the way in a log."""

    def __init__(self, stream, label: str, width: int = 30):
        self.stream, self.label, self.width = stream, label, width
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.started = time.monotonic()
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        tenth = done * 10 // max(total, 1)
        if not self.tty and tenth == self.shown and done != total:
            return
        self.shown = tenth
        filled = self.width * done // max(total, 1)
        bar = "#" * filled + "." * (self.width - filled)
        elapsed = time.monotonic() - self.started
        line = f"{self.label} [{bar}] {done}/{total} {elapsed:.0f}s"
        if self.tty:
            self.stream.write("\r" + line + ("\n" if done == total else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


class Command(BaseCommand):
    help = _(
        "Fill the database with synthetic annual reports for load tests and demonstrations, "
        "marked as such; city-years that already have a report are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--cities",
            default="13",
            help=_("How many cities, in the province's order, or their slugs: huaian,nanjing."),
        )
        parser.add_argument(
            "--years", type=int, default=10, help=_("How many years, up to --until.")
        )
        parser.add_argument("--until", type=int, default=2023, help=_("The last year to fill in."))
        parser.add_argument(
            "--sharing-requests",
            type=int,
            default=100_000,
            help=_("Data-sharing requests in all, spread over the reports."),
        )
        parser.add_argument(
            "--seed", type=int, default=12345, help=_("The same seed makes the same data.")
        )
        parser.add_argument(
            "--clear",
            action="store_true",
            help=_("Delete every synthetic record, and nothing else, then stop."),
        )

    def handle(self, *args, **options):
        if options["clear"]:
            deleted = demo.clear()
            self.stdout.write(
                self.style.SUCCESS(
                    _("Deleted the synthetic data: %(reports)d reports, %(rows)d rows in all.")
                    % {
                        "reports": deleted["hotline.AnnualReport"],
                        "rows": sum(deleted.values()),
                    }
                )
            )
            return
        if options["years"] < 1 or options["sharing_requests"] < 0:
            raise CommandError(_("--years must be at least 1 and --sharing-requests not negative."))
        try:
            cities = demo.cities_to_fill(options["cities"])
        except Region.DoesNotExist as missing:
            raise CommandError(_("No such city: %(slugs)s") % {"slugs": missing}) from None
        if not cities:
            raise CommandError(_("No city to fill in: load the fixtures first (make setup)."))
        years = list(range(options["until"] - options["years"] + 1, options["until"] + 1))
        progress = Progress(sys.stderr, _("Synthetic reports")) if options["verbosity"] else None
        summary = demo.generate(
            cities,
            years,
            sharing_requests=options["sharing_requests"],
            seed=options["seed"],
            on_report=progress,
        )
        if connection.vendor == "postgresql":
            # Written in bulk: until autovacuum comes by, PostgreSQL would plan the pages'
            # queries by the statistics of nearly empty tables (a figures list ran 16 × slower).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        for slug, year in summary.skipped:
            self.stdout.write(
                _("Skipped %(city)s %(year)s: it already has a report.")
                % {"city": slug, "year": year}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Made %(reports)d synthetic reports: %(figures)d figures, %(counts)d appeal "
                    "counts, %(episodes)d episodes, %(sharing)d data-sharing requests, "
                    "%(documents)d policy documents, %(departments)d units, %(regions)d "
                    "districts."
                )
                % {
                    "reports": summary.reports,
                    "figures": summary.figures,
                    "counts": summary.appeal_counts,
                    "episodes": summary.episodes,
                    "sharing": summary.sharing_requests,
                    "documents": summary.policy_documents,
                    "departments": summary.departments,
                    "regions": summary.regions,
                }
            )
        )
