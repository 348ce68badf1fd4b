"""The soak counts a worker that gunicorn replaced for cause, not one recycled as configured."""

import json
import os
import subprocess
import threading
import time
import uuid
from pathlib import Path

import psycopg
import pytest

from bench import load, soak
from bench.soak import FAILED_WORKER

# Lines as gunicorn's arbiter and sync worker write them (gunicorn/arbiter.py, workers/sync.py).
LOG = """\
[2026-12-02 05:25:01 +0000] [100] [INFO] Booting worker with pid: 101
[2026-12-02 05:25:09 +0000] [100] [CRITICAL] WORKER TIMEOUT (pid:102)
[2026-12-02 05:25:09 +0000] [100] [ERROR] Worker (pid:102) was sent SIGKILL! Perhaps out of memory?
[2026-12-02 05:25:10 +0000] [100] [ERROR] Worker (pid:103) exited with code 1.
[2026-12-02 05:25:11 +0000] [100] [WARNING] Worker (pid:104) was sent SIGSEGV!
[2026-12-02 05:25:12 +0000] [105] [INFO] Autorestarting worker after current request.
[2026-12-02 05:25:12 +0000] [100] [INFO] Worker (pid:105) was sent SIGTERM!
"""


def test_workers_replaced_for_cause_are_counted_once_each():
    failed = {a or b for a, b in FAILED_WORKER.findall(LOG)}
    assert failed == {"102", "103", "104"}


@pytest.mark.postgres
def test_another_client_takes_every_connection_the_role_may_open_until_released(monkeypatch):
    """The `connections` scenario's fault is real: past the limit the role can open no
    connection; released, it can again; its database and role are gone after."""
    server = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/hotline")
    monkeypatch.setenv("SOAK_POSTGRES_URL", server.rsplit("/", 1)[0] + "/postgres")
    name = f"hotline_test_soak_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("SOAK_DATABASE_NAME", name)
    with soak.postgres_database() as scratch:
        if scratch is None:
            if os.environ.get("CI"):
                pytest.fail(f"PostgreSQL ({server}) is not reachable: in CI this must run")
            pytest.skip(f"PostgreSQL ({server}) is not reachable")
        with psycopg.connect(scratch.url) as site_process:  # as a gunicorn worker holds one
            hog = soak.ConnectionHog(scratch)
            assert hog.held == soak.CONNECTION_LIMIT - 1
            with pytest.raises(psycopg.OperationalError, match="too many connections"):
                psycopg.connect(scratch.url, connect_timeout=3)
            assert site_process.execute("SELECT 1").fetchone() == (1,)
            hog.release()
            psycopg.connect(scratch.url, connect_timeout=3).close()
    with psycopg.connect(server.rsplit("/", 1)[0] + "/postgres") as admin:
        left = admin.execute(
            "SELECT (SELECT count(*) FROM pg_database WHERE datname = %s),"
            " (SELECT count(*) FROM pg_roles WHERE rolname = %s)",
            [name, f"{name}_owner"],
        ).fetchone()
    assert left == (0, 0)


def test_a_worker_that_exited_unreaped_counts_as_gone_not_as_a_foreign_system():
    """A gunicorn worker recycled as the soak sums the others' memory is a zombie for a moment:
    its /proc status holds no memory lines (CI's soak once stopped on that)."""
    process = subprocess.Popen(["true"])
    status = Path(f"/proc/{process.pid}/status")
    for _wait in range(100):
        if "State:\tZ" in status.read_text():
            break
        time.sleep(0.01)
    try:
        assert load.status_mb(process.pid, "VmRSS") is None
        assert load.status_mb(os.getpid(), "VmRSS") > 0
    finally:
        process.wait()


def test_a_worker_on_its_way_out_counts_as_gone(monkeypatch, tmp_path):
    """Between releasing its memory and showing as a zombie, an exiting worker's status has
    neither memory lines nor the state Z (CI's soak stopped on that on 4 December)."""
    exiting = tmp_path / "status"
    exiting.write_text("Name:\tgunicorn\nState:\tR (running)\nPid:\t4242\n")
    real = load.Path
    monkeypatch.setattr(load, "Path", lambda p: exiting if p == "/proc/4242/status" else real(p))
    assert load.status_mb(4242, "VmRSS") is None
    assert load.status_mb(os.getpid(), "VmRSS") > 0


def test_a_failed_requests_exception_is_printed_not_cut():
    line = json.dumps(
        {
            "message": "Internal Server Error: /data-sharing.csv",
            "exc_info": "T\n" * 40 + "FileNotFoundError: gone",
        }
    )
    printed = soak.error_line(line)
    assert printed.startswith("Internal Server Error: /data-sharing.csv")
    assert printed.endswith("FileNotFoundError: gone") and printed.count("\n") == 6
    assert soak.error_line("[ERROR] plain " + "x" * 400) == ("[ERROR] plain " + "x" * 400)[:300]


def test_a_scenario_that_fails_stops_its_clients_and_raises():
    """CI's soak once hung until its own timeout: a scenario raised, and its client threads,
    never told to stop, kept the process alive."""

    class Broken:
        port, tokens = load.free_port(), {"soak-editor": "e", "soak-reviewer": "r"}

        def failed_workers(self):
            return set()

        def recycled(self):
            return 0

        def memory_mb(self):
            raise RuntimeError("memory unreadable")

    before = set(threading.enumerate())
    with pytest.raises(RuntimeError, match="memory unreadable"):
        soak.run_scenario(Broken(), "baseline-without-import", 0)
    left = [thread for thread in threading.enumerate() if thread not in before]
    assert left == []
