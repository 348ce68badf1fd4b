from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hotline import backups


class Command(BaseCommand):
    help = "Bring a backup made by backup_database back into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--database-url", help="another database than DATABASE_URL's")

    def handle(self, *args, file, database_url=None, **options):
        try:
            backups.restore(Path(file), database_url)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(_("Restored %(path)s") % {"path": file}))
