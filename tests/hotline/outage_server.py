"""The site, served for real against a PostgreSQL server that test_outage.py stops mid-write.

Run as a script by test_outage.py (never collected by pytest). It migrates the empty database,
makes a data-entry account and a draft report, then serves hotline.wsgi with wsgiref: Django's
own request handling, so connections are opened, health-checked and closed as in production.
While the file named by OUTAGE_ARMED exists, the OUTAGE_STOP_AFTER-th figure written stops the
database server at once (pg_ctl stop -m immediate), in the middle of the transaction.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models.signals import post_save  # noqa: E402

from hotline import roles  # noqa: E402
from hotline.models import Figure  # noqa: E402
from hotline.wsgi import application  # noqa: E402
from tests.hotline import factories as f  # noqa: E402

ARMED = Path(os.environ["OUTAGE_ARMED"])
STOP_AFTER = int(os.environ["OUTAGE_STOP_AFTER"])
STOP_COMMAND = json.loads(os.environ["OUTAGE_STOP_COMMAND"])
CELLS = int(os.environ["OUTAGE_CELLS"])
written = []


def stop_the_database_midway(sender, instance, **kwargs):
    if not ARMED.exists():
        return
    written.append(instance.pk)
    if len(written) == STOP_AFTER:
        ARMED.unlink()
        subprocess.run(STOP_COMMAND, check=True, capture_output=True)


def set_up():
    call_command("migrate", verbosity=0, interactive=False)
    user = get_user_model().objects.create_user("clerk", password="pw-12345-test", is_staff=True)
    user.groups.add(Group.objects.get(name=roles.DATA_ENTRY))
    table = f.make_table()
    indicators = [f.make_indicator(table, row_label=f"行{n}", row_order=n) for n in range(CELLS)]
    report = f.make_report(f.make_city())
    connection.close()
    return {"report": report.pk, "indicators": [i.pk for i in indicators]}


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


if __name__ == "__main__":
    made = set_up()
    post_save.connect(stop_the_database_midway, sender=Figure)
    server = make_server(
        "127.0.0.1", int(os.environ["OUTAGE_HTTP_PORT"]), application, handler_class=QuietHandler
    )
    print(json.dumps(made), flush=True)
    server.serve_forever()
