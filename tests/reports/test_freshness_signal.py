"""Without a shared cache, each process keeps the versions of published data in its memory and
hears of a change through the signal file (hotline.freshness, FRESHNESS_SIGNAL_FILE); what
both ways of keeping them share is in tests/reports/test_freshness_cache.py."""

import uuid
from pathlib import Path

import pytest
from django.conf import settings

from hotline import freshness
from hotline.models import PublishedVersion
from hotline.services.reports import report_publish, report_reopen

from .test_instances import CORRECT, environment, manage, page

URL = "/reports/huaian/2023/"


@pytest.mark.django_db
def test_a_change_signalled_by_another_process_is_read_at_once(client, report_2023):
    before = client.get(URL)["ETag"]
    # Another process's write: the versions change in the database, then the file grows.
    PublishedVersion.objects.filter(scope=freshness.REFERENCE).update(token=uuid.uuid4().hex)
    assert client.get(URL)["ETag"] == before  # remembered: nothing said it changed
    with open(settings.FRESHNESS_SIGNAL_FILE, "ab") as signal:
        signal.write(b".")
    changed = client.get(URL, headers={"if-none-match": before})
    assert changed.status_code == 200 and changed["ETag"] != before


@pytest.mark.django_db
def test_a_write_is_signalled_when_it_commits_never_before(
    report_2023, reviewer_user, django_capture_on_commit_callbacks
):
    signal = Path(settings.FRESHNESS_SIGNAL_FILE)
    freshness.read(freshness.report_scopes("huaian"))  # the file is made by a first reader
    with django_capture_on_commit_callbacks(execute=False) as rolled_back:
        report_reopen(report=report_2023, by=reviewer_user, reason="changed my mind")
    assert signal.stat().st_size == 0 and len(rolled_back) == 1  # nothing until it commits
    with django_capture_on_commit_callbacks(execute=True):
        report_publish(report=report_2023, by=reviewer_user, reason="as it was")
    assert signal.stat().st_size == 1  # one byte a commit that moved versions


@pytest.mark.django_db
def test_without_a_signal_file_every_request_reads_the_versions(
    client, report_2023, settings, tmp_path, django_assert_num_queries
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
    from bench.load import Server

    env = {
        **environment(f"sqlite:///{tmp_path / 'site.sqlite3'}", prefix="unused"),
        "REDIS_URL": "",
        "FRESHNESS_SIGNAL_FILE": str(tmp_path / "freshness-signal"),
    }
    for command in (["migrate", "--noinput", "-v0"], ["load_fixtures", "-v0"]):
        manage(env, *command)
    with Server(env, 1, tmp_path / "a.log") as a, Server(env, 1, tmp_path / "b.log") as b:
        for server in (a, b):
            body, cache = page(server)
            assert cache == "miss" and "1,450,699" in body
            body, cache = page(server)
            assert cache == "hit" and "1,450,699" in body  # versions remembered, page in memory
        manage(env, "shell", "-c", CORRECT)  # reopen, correct, publish: the same database
        for server in (a, b):
            body, cache = page(server)
            assert cache == "miss" and "1,450,799" in body
