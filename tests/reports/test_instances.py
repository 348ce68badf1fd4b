"""Two gunicorn instances share one PostgreSQL database and one Redis: a correction made
through one is served by the other at once.

Needs the PostgreSQL server of TEST_POSTGRES_URL (a scratch database is made on it and dropped)
and the Redis of TEST_REDIS_URL (only this test's keys are touched). Skipped where they are not
reachable; in CI that is a failure.
"""

import os
import subprocess
import sys
import textwrap
import uuid

import dj_database_url
import pytest
from django.conf import settings

from bench.load import Server, get

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/hotline")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
URL = "/reports/huaian/2023/"
CORRECT = textwrap.dedent(
    """
    from decimal import Decimal
    from django.contrib.auth import get_user_model
    from hotline.models import AnnualReport
    from hotline.services.reports import report_publish, report_reopen

    reviewer = get_user_model().objects.create_superuser("instances-reviewer", password=None)
    report = AnnualReport.private_objects.get(region__slug="huaian", year=2023)
    report_reopen(report=report, by=reviewer, reason="correct the total")
    figure = report.figures.get(indicator__code="appeals.total.total")
    figure.value = Decimal(1450799)
    figure.save()
    report_publish(report=report, by=reviewer, reason="as printed, corrected")
    """
)


def _postgres(dbname="postgres"):
    import psycopg

    config = dj_database_url.parse(POSTGRES_URL)
    return psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"] or "postgres",
        password=config["PASSWORD"] or None,
        dbname=dbname,
        autocommit=True,
        connect_timeout=3,
    )


def _unreachable() -> str | None:
    try:
        _postgres().close()
    except Exception as error:
        return f"PostgreSQL ({POSTGRES_URL}) is not reachable: {error}"
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping()
    except Exception as error:
        return f"Redis ({REDIS_URL}) is not reachable: {error}"
    return None


@pytest.fixture(scope="module")
def database():
    """A scratch database on the PostgreSQL server, set up as `make setup` does."""
    reason = _unreachable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: in CI the multi-instance test must run, not skip")
        pytest.skip(reason)
    name = f"hotline_instances_{uuid.uuid4().hex[:8]}"
    with _postgres() as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    config = dj_database_url.parse(POSTGRES_URL)
    password = f":{config['PASSWORD']}" if config["PASSWORD"] else ""
    host = f"{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 5432}"
    url = f"postgres://{config['USER'] or 'postgres'}{password}@{host}/{name}"
    try:
        env = environment(url, prefix="setup")
        for command in (["migrate", "--noinput", "-v0"], ["load_fixtures", "-v0"]):
            manage(env, *command)
        yield url
    finally:
        with _postgres() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def environment(database_url, prefix):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": uuid.uuid4().hex * 2,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": prefix,
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    env.pop("PAGE_CACHE_SECONDS", None)
    return env


def manage(env, *args):
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def redis_prefix():
    import redis

    prefix = f"instances-{uuid.uuid4().hex[:8]}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def page(server):
    status, body, headers = get(server.port, URL)
    assert status == 200
    return body.decode(), headers.get("X-Page-Cache")


def test_a_correction_through_one_instance_is_served_by_the_other_at_once(
    database, redis_prefix, tmp_path
):
    env = environment(database, redis_prefix)
    with Server(env, 1, tmp_path / "a.log") as a, Server(env, 1, tmp_path / "b.log") as b:
        body, cache = page(a)
        assert cache == "miss" and "1,450,699" in body
        body, cache = page(b)
        assert cache == "hit" and "1,450,699" in body  # rendered by A, shared through Redis

        manage(env, "shell", "-c", CORRECT)  # reopen, correct, publish: the same database

        body, cache = page(b)
        assert cache == "miss" and "1,450,799" in body
        body, cache = page(a)
        assert cache == "hit" and "1,450,799" in body  # rendered by B this time
