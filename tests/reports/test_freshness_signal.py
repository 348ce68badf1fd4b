"""Without a shared cache, each process keeps the versions of published data in its memory and
hears of a change through the signal file (hotline.freshness, FRESHNESS_SIGNAL_FILE): a cached
page and a 304 run no query, and a correction is served at once by every process of the
machine. Transactional: versions are remembered only as committed, outside any transaction."""

import os
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from bench.load import Server, get
from hotline import freshness
from hotline.models import PublishedVersion
from hotline.services.reports import report_publish, report_reopen

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("report_2023")]

URL = "/reports/huaian/2023/"


def _signal_size() -> int:
    return Path(settings.FRESHNESS_SIGNAL_FILE).stat().st_size


def test_a_cached_page_and_a_304_run_no_query(client, django_assert_num_queries):
    first = client.get(URL)
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        assert client.get(URL)["X-Page-Cache"] == "hit"
    with django_assert_num_queries(0):
        again = client.get(URL, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304


def test_a_correction_made_here_is_served_once_it_commits(client, report_2023, reviewer_user):
    before = client.get(URL)
    assert "1,438,746" in before.content.decode()
    signalled = _signal_size()
    report_reopen(report=report_2023, by=reviewer_user, reason="correct the total")
    figure = report_2023.figures.get(indicator__code="appeals.total.total")
    figure.value = Decimal(1450799)
    figure.save()
    report_publish(report=report_2023, by=reviewer_user, reason="as printed, corrected")
    assert _signal_size() > signalled  # each commit that moved a version: one byte
    after = client.get(URL)
    assert after["ETag"] != before["ETag"]
    assert "1,450,799" in after.content.decode()


def test_a_change_signalled_by_another_process_is_read_at_once(client):
    before = client.get(URL)["ETag"]
    # Another process's write: the versions change in the database, then the file grows.
    PublishedVersion.objects.filter(scope=freshness.REFERENCE).update(token=uuid.uuid4().hex)
    assert client.get(URL)["ETag"] == before  # remembered: nothing said it changed
    with open(settings.FRESHNESS_SIGNAL_FILE, "ab") as signal:
        signal.write(b".")
    changed = client.get(URL, headers={"if-none-match": before})
    assert changed.status_code == 200 and changed["ETag"] != before


def test_a_change_never_signalled_is_read_within_version_seconds(client, monkeypatch):
    """A writer killed between its commit and its signal: the versions are read again after
    VERSION_SECONDS, as a reader that raced a write to the shared cache is corrected."""
    before = client.get(URL)["ETag"]
    PublishedVersion.objects.filter(scope=freshness.REFERENCE).update(token=uuid.uuid4().hex)
    assert client.get(URL)["ETag"] == before
    monkeypatch.setattr(freshness, "VERSION_SECONDS", 0)
    assert client.get(URL)["ETag"] != before


def test_a_write_rolled_back_is_never_remembered(client, report_2023, reviewer_user):
    before = client.get(URL)["ETag"]
    signalled = _signal_size()
    with pytest.raises(RuntimeError), transaction.atomic():
        report_reopen(report=report_2023, by=reviewer_user, reason="changed my mind")
        freshness.read(freshness.report_scopes("huaian"))  # read inside: not remembered
        raise RuntimeError
    assert _signal_size() == signalled
    assert client.get(URL)["ETag"] == before


def test_without_a_signal_file_every_request_reads_the_versions(
    client, settings, tmp_path, django_assert_num_queries
):
    (tmp_path / "a-file").write_text("")
    settings.FRESHNESS_SIGNAL_FILE = str(tmp_path / "a-file" / "signal")  # cannot be made
    client.get(URL)
    for _ in range(2):
        with django_assert_num_queries(1):
            assert client.get(URL)["X-Page-Cache"] == "hit"


def test_a_correction_by_one_process_is_served_by_every_other_at_once(tmp_path):
    """Two gunicorn instances of one machine on one SQLite database, no Redis: each keeps the
    versions in its memory; a correction made by a third process is served by both at once."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": uuid.uuid4().hex * 2,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "REDIS_URL": "",
        "FRESHNESS_SIGNAL_FILE": str(tmp_path / "freshness-signal"),
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    env.pop("PAGE_CACHE_SECONDS", None)
    for command in (["migrate", "--noinput", "-v0"], ["load_fixtures", "-v0"]):
        _manage(env, *command)
    with Server(env, 1, tmp_path / "a.log") as a, Server(env, 1, tmp_path / "b.log") as b:
        for server in (a, b):
            assert _page(server) == ("miss", True)
            assert _page(server) == ("hit", True)  # remembered versions, the page in memory
        _manage(env, "shell", "-c", CORRECT)
        for server in (a, b):
            assert _page(server, "1,450,799") == ("miss", True)


CORRECT = """
from decimal import Decimal
from django.contrib.auth import get_user_model
from hotline.models import AnnualReport
from hotline.services.reports import report_publish, report_reopen

reviewer = get_user_model().objects.create_superuser("signal-reviewer", password=None)
report = AnnualReport.private_objects.get(region__slug="huaian", year=2023)
report_reopen(report=report, by=reviewer, reason="correct the total")
figure = report.figures.get(indicator__code="appeals.total.total")
figure.value = Decimal(1450799)
figure.save()
report_publish(report=report, by=reviewer, reason="as printed, corrected")
"""


def _manage(env, *args):
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
    )


def _page(server, total="1,450,699"):
    status, body, headers = get(server.port, URL)
    assert status == 200
    return headers.get("X-Page-Cache"), total in body.decode()
