"""The whole database to one file and back, exactly: every table, history and accounts too.

PostgreSQL: `pg_dump --format=custom`, restored by `pg_restore` in one transaction.
SQLite: SQLite's online backup API, which copies a live database page by page, consistently.
A restore goes into an empty database only, so that it never mixes two databases' records.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
from glob import glob
from pathlib import Path

import dj_database_url
from django.db import connections
from django.utils.translation import gettext as _

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    pass


def database_settings(url: str | None = None, alias: str = "default") -> dict:
    return dj_database_url.parse(url) if url else connections[alias].settings_dict


def is_sqlite(db: dict) -> bool:
    return db["ENGINE"] == "django.db.backends.sqlite3"


def suffix_for(db: dict) -> str:
    return ".sqlite3" if is_sqlite(db) else ".dump"


def pg_tool(name: str) -> str:
    """pg_dump/pg_restore: on PATH, else the newest Debian version (at least the server's)."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(
        glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[-3])
    )
    if not versions:
        raise BackupError(
            _("%(tool)s is not installed (Debian: postgresql-client).") % {"tool": name}
        )
    return versions[-1]


def pg_env(db: dict) -> dict:
    """Connection settings as libpq's variables: the password never shows in `ps`."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    env["PGDATABASE"] = db["NAME"]
    return env


def _run(command, db):
    result = subprocess.run(command, env=pg_env(db), capture_output=True, text=True)
    if result.returncode:
        raise BackupError(result.stderr.strip() or result.stdout.strip())


def backup(path: Path, url: str | None = None) -> Path:
    """Write the whole database to `path`, via a temporary file so a failure leaves no half."""
    db = database_settings(url)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=".backup-", dir=path.parent)
    os.close(handle)
    try:
        if is_sqlite(db):
            _backup_sqlite(db, url, partial)
        else:
            _run([pg_tool("pg_dump"), "--format=custom", "--file", partial], db)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return path


def _backup_sqlite(db, url, target_path):
    target = sqlite3.connect(target_path)
    try:
        if url:
            source = sqlite3.connect(db["NAME"])
            try:
                source.backup(target)
            finally:
                source.close()
        else:
            # Through Django's own connection: it also reaches an in-memory test database.
            connection = connections["default"]
            connection.ensure_connection()
            connection.connection.backup(target)
    finally:
        target.close()


def restore(path: Path, url: str | None = None) -> None:
    """Bring a backup back into an empty database: all of it, or nothing."""
    db = database_settings(url)
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("There is no backup file %(path)s.") % {"path": path})
    head = path.read_bytes()[:16]
    expected = SQLITE_MAGIC if is_sqlite(db) else PG_DUMP_MAGIC
    if not head.startswith(expected):
        raise BackupError(
            _("%(path)s is not a backup of this kind of database (%(engine)s).")
            % {"path": path, "engine": "SQLite" if is_sqlite(db) else "PostgreSQL"}
        )
    if is_sqlite(db):
        _restore_sqlite(db, url, path)
    else:
        if _pg_tables(db):
            raise BackupError(_not_empty(db))
        _run(
            [
                pg_tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                db["NAME"],
                str(path),
            ],
            db,
        )


def _not_empty(db):
    return _(
        "The database %(name)s is not empty; restore into a new, empty database "
        "(see README, “Backups”)."
    ) % {"name": db["NAME"]}


def _pg_tables(db) -> int:
    import psycopg

    params = {k: v for k, v in pg_env(db).items() if k.startswith("PG")}
    with psycopg.connect(
        host=params.get("PGHOST"),
        port=params.get("PGPORT"),
        user=params.get("PGUSER"),
        password=params.get("PGPASSWORD"),
        dbname=db["NAME"],
    ) as connection:
        return connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()[0]


def _restore_sqlite(db, url, path):
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if url:
            target = sqlite3.connect(db["NAME"])
        else:
            connection = connections["default"]
            connection.ensure_connection()
            target = connection.connection
        try:
            tables = target.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
            if tables.fetchone()[0]:
                raise BackupError(_not_empty(db))
            source.backup(target)
        finally:
            if url:
                target.close()
    finally:
        source.close()
