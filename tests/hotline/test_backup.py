"""`make backup` writes the whole database to one file; `make restore` brings every record back."""

import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from hotline.models import Figure
from hotline.services.reports import report_publish, report_reopen

from . import factories as f


def everything(cursor, tables, postgres=False):
    """Every row of every table, in an order that does not depend on the database."""
    rows = {}
    for table in tables:
        # PostgreSQL writes a row as text itself; both sides read it in UTC.
        select = f'SELECT t::text FROM "{table}" t' if postgres else f'SELECT * FROM "{table}"'
        cursor.execute(select)
        rows[table] = sorted(map(repr, cursor.fetchall()))
    return rows


def some_of_everything(reviewer_user):
    """Records, their history, a workflow step and an account, beyond the loaded fixtures."""
    report = f.make_report(f.city())
    figure = f.make_figure(report, f.make_indicator(), value=5, note="原值")
    figure.value = 6
    figure.save()
    f.make_sharing_request(report)
    report_publish(report=report, by=reviewer_user)
    report_reopen(report=report, by=reviewer_user, reason="更正")
    return report


@pytest.fixture
def scratch_database():
    """An empty database of the same kind as the test database, removed afterwards."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        path = Path(settings.BASE_DIR, "var", f"restore-{uuid.uuid4().hex}.sqlite3")
        yield f"sqlite:///{path}"
        path.unlink(missing_ok=True)
        return
    import psycopg

    name = f"hotline_restore_{uuid.uuid4().hex[:12]}"
    params = {
        "host": db["HOST"] or None,
        "port": db["PORT"] or None,
        "user": db["USER"] or None,
        "password": db["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    yield f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def restored_rows(url, tables):
    if url.startswith("sqlite"):
        # Read back with the same column types as Django's own connection.
        types = sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES
        restored = sqlite3.connect(url.removeprefix("sqlite:///"), detect_types=types)
        try:
            return everything(restored.cursor(), tables)
        finally:
            restored.close()
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://")) as restored:
        restored.execute("SET TIME ZONE 'UTC'")
        return everything(restored.cursor(), tables, postgres=True)


# Committed, so that pg_dump (another connection) sees what the test made.
@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_an_empty_database_has_every_record(
    tmp_path, reviewer_user, scratch_database
):
    some_of_everything(reviewer_user)
    backup = tmp_path / "hotline.backup"
    call_command("backup_database", str(backup), verbosity=0)
    assert backup.stat().st_size > 0

    call_command("restore_database", str(backup), database_url=scratch_database, verbosity=0)

    tables = connection.introspection.table_names()
    assert {"auth_user", "hotline_figure", "hotline_historicalfigure", "axes_accessattempt"} <= set(
        tables
    )
    with connection.cursor() as cursor:
        expected = everything(cursor, tables, postgres=connection.vendor == "postgresql")
    found = restored_rows(scratch_database, tables)
    assert found == expected
    assert len(expected["hotline_historicalfigure"]) > Figure.private_objects.count()
    assert any("reviewer" in row for row in expected["auth_user"])

    # Never into a database that already holds something.
    with pytest.raises(CommandError):
        call_command("restore_database", str(backup), database_url=scratch_database)


def test_a_file_that_is_not_a_backup_is_refused(tmp_path, scratch_database):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a backup")
    with pytest.raises(CommandError):
        call_command("restore_database", str(bogus), database_url=scratch_database)


def test_the_make_targets_run_the_commands(tmp_path):
    def dry_run(*args):
        result = subprocess.run(
            ["make", "-n", *args], cwd=settings.BASE_DIR, capture_output=True, text=True
        )
        return result.returncode, result.stdout + result.stderr

    code, out = dry_run("backup", f"FILE={tmp_path}/x.dump")
    assert code == 0 and f"manage.py backup_database {tmp_path}/x.dump" in out
    code, out = dry_run("restore", f"FILE={tmp_path}/x.dump")
    assert code == 0 and f'manage.py restore_database "{tmp_path}/x.dump"' in out
