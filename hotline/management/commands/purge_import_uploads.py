from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hotline.importing.uploads import purge_expired


class Command(BaseCommand):
    help = _(
        "Remove the admin's import uploads that were never confirmed within "
        "IMPORT_UPLOAD_MAX_AGE_HOURS, and files in IMPORT_UPLOAD_DIR that no upload names. "
        "Run it from cron; each new upload does the same."
    )

    def handle(self, *args, **options):
        removed = purge_expired()
        self.stdout.write(
            ngettext(
                "Removed %(count)d expired upload.",
                "Removed %(count)d expired uploads.",
                removed,
            )
            % {"count": removed}
        )
