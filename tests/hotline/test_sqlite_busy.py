"""SQLite, the embedded default, while an import holds the write lock: readers are not blocked
(WAL), and a writer that waited past the busy timeout is told, in Chinese, that an import is
running (503, Retry-After), not that the database is gone.

A real server (gunicorn, as deployed) on a SQLite file of its own; the import is a write
transaction held open by another connection.
"""

import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.conf import settings

from bench.load import Server

BUSY_TIMEOUT = 2


@pytest.fixture
def sqlite_site(tmp_path):
    path = tmp_path / "site.sqlite3"
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "test-sqlite-busy",
        "DATABASE_URL": f"sqlite:///{path}",
        "SQLITE_BUSY_TIMEOUT": str(BUSY_TIMEOUT),
        "SECURE_SSL_REDIRECT": "0",
        "API_ANON_RATE": "off",
        "REDIS_URL": "",
    }
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True)
    make_user = (
        "from django.contrib.auth import get_user_model; "
        "get_user_model().objects.create_superuser('busy', password='pw-12345-test')"
    )
    subprocess.run([*manage, "shell", "-c", make_user], env=env, check=True)
    with Server(env, workers=2, log=tmp_path / "gunicorn.log") as server:
        yield server.port, path


def _call(port, path, data=None):
    body = json.dumps(data).encode() if data else None
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=body, headers={"Content-Type": "application/json"}
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, headers, text = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, text = error.code, error.headers, error.read()
    return status, headers, text.decode(), time.monotonic() - started


def test_a_write_during_an_import_is_told_to_retry_and_reads_go_on(sqlite_site):
    port, path = sqlite_site
    assert _call(port, "/api/v1/regions/")[0] == 200  # connections made, pages warm
    importer = sqlite3.connect(path, isolation_level=None)
    assert importer.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    importer.execute("BEGIN IMMEDIATE")  # an import's transaction, holding the write lock
    importer.execute("UPDATE hotline_region SET name = name")
    try:
        status, headers, text, took = _call(port, "/api/v1/regions/")
        assert status == 200 and took < BUSY_TIMEOUT  # a read is not blocked
        credentials = {"username": "busy", "password": "pw-12345-test"}
        status, headers, text, took = _call(port, "/api/v1/auth/token/", credentials)
        assert status == 503 and headers["Retry-After"] == "10"
        assert "正在导入数据，数据库暂时繁忙，本次操作未保存。请一分钟后再试。" in text
        assert took >= BUSY_TIMEOUT  # it waited its turn first
    finally:
        importer.execute("ROLLBACK")
        importer.close()
    status, headers, text, took = _call(port, "/api/v1/auth/token/", credentials)
    assert status == 200 and json.loads(text)["token"]
