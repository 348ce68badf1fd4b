import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = (
        "Create the local site's admin account if there is none. Its password is "
        "DJANGO_SUPERUSER_PASSWORD, or one generated and printed once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--username", default=os.environ.get("DJANGO_SUPERUSER_USERNAME", "admin")
        )

    def handle(self, *args, username, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(
                _("Admin account '%(username)s' exists; its password is unchanged.")
                % {"username": username}
            )
            return
        given = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        password = given or secrets.token_urlsafe(12)
        User.objects.create_superuser(username, email="", password=password)
        shown = "(DJANGO_SUPERUSER_PASSWORD)" if given else password
        self.stdout.write(
            self.style.SUCCESS(
                _("Created admin account '%(username)s' with password: %(password)s")
                % {"username": username, "password": shown}
            )
        )
        self.stdout.write(_("The password is shown only this once; write it down."))
