"""PostgreSQL drops a worker's connection (a restart, an idle timeout, an administrator's
pg_terminate_backend): the worker's next request is answered, with a new connection, whether
it keeps its own connection (CONN_MAX_AGE) or a pool (DATABASE_POOL_SIZE).

A real gunicorn worker against the session's PostgreSQL test database; runs only when the
suite runs on PostgreSQL.
"""

import os
import time

import pytest
from django.db import connection

from bench.load import Server, get

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

APP = "hotline-recovery-test"


def _site_url():
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{db['USER']}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def _drop_the_sites_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = %s",
            [APP],
        )
        return cursor.fetchone()[0]


@pytest.mark.parametrize("pool", ["0", "2"])
def test_a_worker_whose_connection_was_dropped_answers_its_next_request(tmp_path, pool):
    if connection.vendor != "postgresql":
        pytest.skip("runs when the suite runs on PostgreSQL")
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "test-pg-recovery",
        "DATABASE_URL": _site_url(),
        "DATABASE_POOL_SIZE": pool,
        "PGAPPNAME": APP,  # libpq names the site's connections, so that only they are dropped
        "SECURE_SSL_REDIRECT": "0",
        "API_ANON_RATE": "off",
        "REDIS_URL": "",
    }
    with Server(env, workers=1, log=tmp_path / "gunicorn.log") as server:
        assert get(server.port, "/api/v1/regions/?page=1")[0] == 200
        assert _drop_the_sites_connections() >= 1
        time.sleep(0.2)
        for n in range(2, 5):
            status, body, _headers = get(server.port, f"/api/v1/regions/?page_size={n}")
            assert status == 200, body[:300]
