from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hotline import backups


class Command(BaseCommand):
    help = "Write the whole database (records, history, accounts) to one file."

    def add_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", help="where to write it (default: var/backups/hotline-<time>)"
        )
        parser.add_argument("--database-url", help="another database than DATABASE_URL's")

    def handle(self, *args, file=None, database_url=None, **options):
        if not file:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            suffix = backups.suffix_for(backups.database_settings(database_url))
            file = Path(settings.BASE_DIR, "var", "backups", f"hotline-{stamp}{suffix}")
        try:
            path = backups.backup(Path(file), database_url)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(_("Backed up to %(path)s") % {"path": path}))
