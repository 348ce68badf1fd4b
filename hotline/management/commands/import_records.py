import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hotline.importing import jobs
from hotline.importing.columns import SPECS, spec_for
from hotline.importing.service import import_records


class Command(BaseCommand):
    help = _(
        "Import a CSV, XLSX or JSON file of records in one transaction: nothing is saved if "
        "any row is wrong, and every error is printed by row and column."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "model", help=_("The kind of record: %(names)s.") % {"names": ", ".join(SPECS)}
        )
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Check the file and count; save nothing.")
        )
        parser.add_argument("--user", help=_("The username the history names as the importer."))
        parser.add_argument(
            "--no-progress", action="store_true", help=_("No progress bar on the terminal.")
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help=_(
                "Queue the import as a job for a worker (manage.py db_worker) and return at "
                "once; its progress shows in the admin's list of imports."
            ),
        )

    def handle(self, *args, model, file, dry_run, user, no_progress, background, **options):
        try:
            spec = spec_for(model)
        except KeyError:
            raise CommandError(
                _("Unknown kind of record “%(model)s”; one of: %(names)s.")
                % {"model": model, "names": ", ".join(SPECS)}
            ) from None
        if not file.is_file():
            raise CommandError(_("No file %(file)s.") % {"file": file})
        importer = None
        if user:
            try:
                importer = get_user_model().objects.get_by_natural_key(user)
            except get_user_model().DoesNotExist:
                raise CommandError(_("No user %(user)s.") % {"user": user}) from None
        if background:
            job = jobs.queue_file(file, spec=spec, user=importer, dry_run=dry_run)
            self.stdout.write(
                _("Import job %(id)s queued: %(file)s.") % {"id": job.pk, "file": file.name}
            )
            return
        show = not no_progress and options["verbosity"] > 0 and self.stderr.isatty()
        with file.open("rb") as stream:
            outcome = import_records(
                spec,
                stream,
                file_name=file.name,
                user=importer,
                dry_run=dry_run,
                progress=self._bar if show else None,
            )
        if show:
            self.stderr.write("", style_func=str)
        for line in outcome.messages():
            self.stderr.write(f"{file.name}: {line}")
        if not outcome.ok:
            raise CommandError(outcome.summary())
        self.stdout.write(self.style.SUCCESS(outcome.summary()))

    def _bar(self, rows, fraction, width=30):
        done = int(width * fraction)
        line = _("%(rows)s rows") % {"rows": f"{rows:,}"}
        self.stderr.write(
            f"\r[{'#' * done}{'.' * (width - done)}] {fraction:4.0%} {line}",
            style_func=str,  # progress, not an error: not in the error colour
            ending="",
        )
        sys.stderr.flush()
