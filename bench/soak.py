"""`make soak`: the site under mixed load with faults, on SQLite and on PostgreSQL.

gunicorn as README "Deploying" runs it (gunicorn.conf.py, 4 sync workers; beside it a background
worker, `manage.py db_worker`, per queue: the imports', the PDFs') against a scratch database of
its own and a Redis of its own (redis-server on a free loopback port): never the machine's
shared services, except the PostgreSQL server, on which a scratch database and its owner role
are made and dropped (SOAK_POSTGRES_URL names the server; the run is skipped where it is
unreachable).

In every scenario 8 readers read the public pages (unknown query parameters included), an
editor adds records to a draft over the API, and a reviewer reopens and publishes a report
every 2 s. Scenarios: `baseline` (and an import of a data-sharing file into the draft),
`redis-killed`, `redis-hung` (SIGSTOP), `downloads` (parallel downloads of the register, two
of them read slowly) and, on PostgreSQL, `connections` (another client takes every connection
the role's limit leaves; a 503 with Retry-After is then allowed, none once they come back).
Printed per scenario: requests, 5xx, the 503s allowed, p50/p99, failed writes, workers
replaced for cause (a timeout, a crash, a kill) and workers recycled as configured
(gunicorn's max_requests, not a fault), the workers' memory, and whether the data ended
consistent (every acknowledged write stored once, with one history row; the import whole or
not at all).

    python -m bench.soak [--short] [--databases sqlite,postgres]
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench import load

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
BIN = Path(sys.executable).parent
READERS = 8
# The `connections` scenario's limit on the site's role: gunicorn's 4 workers and the two
# db_workers hold one each (CONN_MAX_AGE), another client takes the rest (3); then
# RECOVERY_SECONDS more.
CONNECTION_LIMIT = 9
RECOVERY_SECONDS = 5
READS = [
    "/",
    "/reports/huaian/2023/",
    "/reports/huaian/2023/?soak={n}",
    "/reports/nanjing/2022/",
    "/reports/nanjing/2022/tables/sharing-register/?page=2",
    "/data-sharing/?city=nanjing",
    "/compare/?year=2023&indicator=appeals.total.total",
    "/api/v1/reports/",
    "/api/v1/figures/?city=huaian&year=2023",
    "/reports/huaian/2023/report.pdf",
]
SET_UP = """
import json
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from hotline import roles
from hotline.models import AnnualReport, Department, Region

User = get_user_model()
tokens = {}
for name, group in (("soak-editor", roles.DATA_ENTRY), ("soak-reviewer", roles.REVIEWERS)):
    user = User.objects.create_user(name, password=None, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    tokens[name] = Token.objects.create(user=user).key
nanjing = Region.objects.get(slug="nanjing")
AnnualReport.private_objects.create(region=nanjing, year=2023, status="draft", source="soak")
Department.objects.get_or_create(region=nanjing, name="南京市浸泡测试局", kind="government")
print(json.dumps(tokens))
"""
COUNT = """
import json
from hotline.models import AnnualReport, DataSharingRequest, PolicyDocument, ReportEvent
draft = AnnualReport.private_objects.get(region__slug="nanjing", year=2023)
documents = PolicyDocument.private_objects.filter(report=draft)
history = PolicyDocument.history.filter(report_id=draft.pk, history_type="+")
print(json.dumps({
    "documents": documents.count(),
    "created_history": history.count(),
    "one_history_each": history.values("id").distinct().count() == history.count(),
    "imported": DataSharingRequest.private_objects.filter(report=draft).count(),
    "events": ReportEvent.objects.filter(report__region__slug="nanjing", report__year=2022).count(),
}))
"""


def request(port, method, path, *, body=None, headers=None, timeout=60, slow=0.0):
    """(status, seconds, complete, retry_after) of one request; status 0 when the connection
    failed; retry_after whether the answer said when to come back."""
    started = time.monotonic()
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        size, expected = 0, response.getheader("Content-Length")
        while chunk := response.read(16384 if slow else 262144):
            size += len(chunk)
            if slow:
                time.sleep(16384 / slow)
        complete = expected is None or int(expected) == size
        retry_after = response.getheader("Retry-After") is not None
        return response.status, time.monotonic() - started, complete, retry_after
    except (OSError, http.client.HTTPException):
        return 0, time.monotonic() - started, False, False
    finally:
        connection.close()


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    truncated: int = 0
    over_30s: int = 0
    writes: int = 0
    failed_writes: int = 0
    errors: int = 0  # 5xx or no answer, but for the 503s allowed below
    unavailable: int = 0  # 503 with Retry-After while the database refuses connections
    errors_after: int = 0  # of errors, those once the fault has ended
    database_out: bool = False
    failures: list[str] = field(default_factory=list)
    recovering: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def read(self, path, status, seconds, complete, retry_after):
        with self.lock:
            self.statuses.append(status)
            self.latencies.append(seconds)
            self.truncated += status == 200 and not complete
            self.over_30s += seconds > 30
            if status == 503 and retry_after and self.database_out:
                self.unavailable += 1
            elif status == 0 or status >= 500:
                self.errors += 1
                self.errors_after += self.recovering
                # What failed, for the printout: the status (0: no answer), the path, how long.
                self.failures.append(f"{status} {path} {seconds:.1f} s")

    def wrote(self, ok):
        with self.lock:
            self.writes += ok
            self.failed_writes += not ok


ERROR_LINE = re.compile(r"ERROR|CRITICAL|Traceback|Error:|WORKER TIMEOUT")
# gunicorn's arbiter's lines for a worker that ended other than as planned.
FAILED_WORKER = re.compile(
    r"WORKER TIMEOUT \(pid:(\d+)\)|Worker \(pid:(\d+)\) (?:exited with code|was sent (?!SIGTERM))"
)


def error_line(line: str) -> str:
    """A server log's error line, short: a JSON record's message and its traceback's last lines
    (where the exception was raised, and what it was), else the line's start."""
    try:
        record = json.loads(line)
    except ValueError:
        record = None
    if not isinstance(record, dict):
        return line[:300]
    last = "\n".join(str(record.get("exc_info", "")).splitlines()[-6:])
    return f"{str(record.get('message'))[:200]}\n{last}".strip().replace("\n", "\n          |   ")


class Site:
    """A scratch database, its own Redis, gunicorn with gunicorn.conf.py."""

    def __init__(self, name: str, url: str, folder: Path, rows: int):
        self.name, self.url, self.folder, self.rows = name, url, folder, rows
        self.port, self.redis_port = load.free_port(), load.free_port()
        self.env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(32),
            "DATABASE_URL": url,
            "SECURE_SSL_REDIRECT": "0",
            "API_ANON_RATE": "off",
            "REDIS_URL": f"redis://{HOST}:{self.redis_port}/0",
            "GUNICORN_BIND": f"{HOST}:{self.port}",
            "GUNICORN_WORKERS": "4",
            "GUNICORN_TIMEOUT": "60",
            "DOWNLOADS_DIR": str(folder / "downloads"),
            "PYTHONPATH": str(ROOT),
        }
        self.log = folder / f"{name}.log"

    def manage(self, *args, capture=False) -> str:
        with open(self.log, "a") as log:
            done = subprocess.run(
                [sys.executable, "manage.py", *args],
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.PIPE if capture else log,
                stderr=log,
                text=True,
            )
        if done.returncode:
            tail = self.log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"manage.py {args[0]} failed ({done.returncode}):\n{tail}")
        return done.stdout or ""

    def set_up(self):
        self.manage("migrate", "--noinput", "-v0")
        self.manage("load_fixtures", "-v0")
        self.manage(
            "generate_demo", "--cities", "nanjing", "--years", "1", "--until", "2022",
            "--sharing-requests", str(self.rows), "-v0",
        )  # fmt: skip
        self.tokens = json.loads(self.manage("shell", "-c", SET_UP, capture=True).splitlines()[-1])
        self.import_file = self.folder / "import.csv"
        with open(self.import_file, "w", encoding="utf-8", newline="") as f:
            out = csv.writer(f)
            out.writerow(["城市", "年度", "序号", "行号", "行政层级", "共享部门", "共享方式",
                          "共享主题", "共享诉求数据量"])  # fmt: skip
            for n in range(1, self.rows + 1):
                out.writerow(["nanjing", 2023, 1, n, "nanjing", "南京市浸泡测试局", "网络传输",
                              f"浸泡{n}", n])  # fmt: skip

    def counts(self) -> dict:
        return json.loads(self.manage("shell", "-c", COUNT, capture=True).splitlines()[-1])

    def start_redis(self):
        self.redis = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                HOST,
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.5)

    def start(self):
        self.start_redis()
        self._log = open(self.log, "ab")  # noqa: SIM115 (closed by stop())
        self.gunicorn = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        # A worker per queue beside it, as "Deploying" runs them: the PDF readers' jobs (202,
        # then the file) on the downloads queue; the imports' (the import here runs in the
        # foreground, import_records, but a site serves both).
        self.job_workers = [
            load.db_worker(self.env, queue=queue, stdout=self._log, stderr=subprocess.STDOUT)
            for queue in ("default", "downloads")
        ]
        deadline = time.monotonic() + 60
        while request(self.port, "GET", "/healthz", timeout=2)[0] != 200:
            if time.monotonic() > deadline or self.gunicorn.poll() is not None:
                raise RuntimeError(f"gunicorn did not start: {self.log}")
            time.sleep(0.3)

    def stop(self):
        for process in (self.gunicorn, *self.job_workers, self.redis):
            if process.poll() is None:
                os.kill(process.pid, signal.SIGCONT)
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        self._log.close()

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.gunicorn.pid}/task/{self.gunicorn.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def memory_mb(self) -> float:
        return sum(filter(None, (load.status_mb(pid, "VmRSS") for pid in self.workers())))

    def failed_workers(self) -> set[str]:
        """The pids of workers that gunicorn replaced for cause: timed out, crashed or killed
        (a worker stopped with SIGTERM, or recycled after max_requests, is not one)."""
        return {a or b for a, b in FAILED_WORKER.findall(self.log.read_text(errors="replace"))}

    def recycled(self) -> int:
        return self.log.read_text(errors="replace").count("Autorestarting worker")


class ConnectionHog:
    """Another client of the site's role (a cron job gone wrong) that takes every connection
    the role's limit leaves, until released. The site's processes already hold theirs."""

    def __init__(self, scratch: Scratch):
        import psycopg

        self.scratch = scratch
        role = urllib.parse.urlsplit(scratch.url).username
        scratch.sql(f'ALTER ROLE "{role}" CONNECTION LIMIT {CONNECTION_LIMIT}')
        self.connections = []
        while len(self.connections) < CONNECTION_LIMIT:
            try:
                self.connections.append(psycopg.connect(scratch.url, connect_timeout=3))
            except psycopg.OperationalError:
                break  # too many connections for role: the limit is reached
        self.held = len(self.connections)

    def release(self):
        for connection in self.connections:
            connection.close()
        role = urllib.parse.urlsplit(self.scratch.url).username
        self.scratch.sql(f'ALTER ROLE "{role}" CONNECTION LIMIT -1')


def run_scenario(site: Site, name: str, seconds: float) -> dict:
    tally, stop = Tally(), threading.Event()
    failed, recycled = site.failed_workers(), site.recycled()
    editor = {
        "Authorization": f"Token {site.tokens['soak-editor']}",
        "Content-Type": "application/json",
    }
    reviewer = {
        "Authorization": f"Token {site.tokens['soak-reviewer']}",
        "Content-Type": "application/json",
    }
    site.order = getattr(site, "order", 0)

    def reader(seed):
        rng = random.Random(seed)
        while not stop.is_set():
            path = rng.choice(READS).format(n=rng.randrange(10**6))
            tally.read(path, *request(site.port, "GET", path))

    def edit():
        while not stop.is_set():
            site.order += 1
            body = json.dumps({"city": "nanjing", "year": 2023, "order": site.order,
                               "title": f"浸泡测试文件{site.order}", "issuers": []})  # fmt: skip
            status = request(
                site.port, "POST", "/api/v1/policy-documents/", body=body, headers=editor
            )[0]
            tally.wrote(status == 201)
            time.sleep(0.5)

    def publish():
        while not stop.is_set():
            for step in ("reopen", "publish"):
                body = json.dumps({"reason": "soak"})
                path = f"/api/v1/reports/nanjing/2022/{step}/"
                tally.wrote(request(site.port, "POST", path, body=body, headers=reviewer)[0] == 200)
                time.sleep(1)

    def download(slow):
        while not stop.is_set():
            path = "/data-sharing.csv"
            tally.read(path, *request(site.port, "GET", path, slow=slow, timeout=120))

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(READERS)]
    threads += [threading.Thread(target=edit), threading.Thread(target=publish)]
    if name == "downloads":
        threads += [threading.Thread(target=download, args=(0,)) for _ in range(8)]
        threads += [threading.Thread(target=download, args=(200_000,)) for _ in range(2)]
    importer = hog = None
    if name == "connections":
        hog = ConnectionHog(site.scratch)
        tally.database_out = True
    if name == "redis-killed":
        site.redis.kill()
        site.redis.wait()
    if name == "redis-hung":
        os.kill(site.redis.pid, signal.SIGSTOP)
    if name == "baseline":
        importer = subprocess.Popen(
            [sys.executable, "manage.py", "import_records", "datasharingrequest",
             str(site.import_file)],
            cwd=ROOT, env=site.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    # Whatever goes wrong below, the clients stop: else the soak hangs on them instead of failing.
    try:
        for thread in threads:
            thread.start()
        time.sleep(seconds)
        memory = site.memory_mb()
        if hog is not None:
            hog.release()
            time.sleep(1)  # requests under way when the connections came back
            tally.database_out, tally.recovering = False, True
            time.sleep(RECOVERY_SECONDS)
    finally:
        stop.set()
        for thread in threads:
            if thread.ident is not None:  # started
                thread.join()
    if importer is not None:
        importer.wait()
    if name == "redis-killed":
        site.start_redis()
    if name == "redis-hung":
        os.kill(site.redis.pid, signal.SIGCONT)
    reads = sorted(tally.latencies)
    return {
        "scenario": name,
        "requests": len(tally.statuses),
        "5xx": tally.errors,
        "failures": tally.failures[:10],
        "503": tally.unavailable,
        "5xx_after": tally.errors_after,
        "held": hog.held if hog is not None else None,
        "truncated": tally.truncated,
        "over_30s": tally.over_30s,
        "p50": statistics.median(reads) if reads else 0,
        "p99": reads[int(len(reads) * 0.99) - 1] if reads else 0,
        "writes": tally.writes,
        "failed_writes": tally.failed_writes,
        "restarts": len(site.failed_workers() - failed),
        "recycled": site.recycled() - recycled,
        "memory_mb": memory,
        "import": None if importer is None else importer.returncode,
    }


def soak_database(name: str, scratch: Scratch, seconds: float, rows: int) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix=f"hotline-soak-{name}-") as folder:
        site = Site(name, scratch.url, Path(folder), rows)
        site.scratch = scratch
        site.set_up()
        site.start()
        results = []
        scenarios = ["baseline", "redis-killed", "redis-hung", "downloads"]
        if scratch.sql is not None:
            scenarios.append("connections")
        try:
            before = site.counts()
            for scenario in scenarios:
                results.append(run_scenario(site, scenario, seconds))
        finally:
            site.stop()
        after = site.counts()
        edits = sum(r["writes"] for r in results)
        imported = results[0]["import"]
        consistent = (
            after["created_history"] == after["documents"]
            and after["one_history_each"]
            and after["imported"] == (rows if imported == 0 else 0)
            and after["events"] >= before["events"]
        )
        for result in results:
            result["database"] = name
            result["consistent"] = consistent
        results[-1]["detail"] = {"before": before, "after": after, "acknowledged_writes": edits}
        if any(r["5xx"] or r["truncated"] or r["restarts"] for r in results):
            kept = ROOT / "var" / "soak" / f"{name}.log"  # the folder goes; the servers' log stays
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(site.log, kept)
            results[-1]["detail"]["log"] = str(kept.relative_to(ROOT))
        return results


@dataclass
class Scratch:
    url: str
    sql: Callable[[str], object] | None = None  # as the server's superuser; None on SQLite


@contextmanager
def postgres_database():
    """A scratch database on the PostgreSQL server (SOAK_POSTGRES_URL), owned by a login role of
    its own, not a superuser, so that a connection limit binds it; both dropped after. None
    where the server is unreachable."""
    import dj_database_url
    import psycopg

    server = os.environ.get("SOAK_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    name = os.environ.get("SOAK_DATABASE_NAME", "hotline_avail")
    role, password = f"{name}_owner", secrets.token_urlsafe(16)
    config = dj_database_url.parse(server)
    host, port = config["HOST"] or HOST, config["PORT"] or 5432
    try:
        admin = psycopg.connect(
            host=host,
            port=port,
            user=config["USER"] or "postgres",
            password=config["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
            connect_timeout=3,
        )
    except psycopg.OperationalError:
        yield None
        return

    def drop():
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'DROP ROLE IF EXISTS "{role}"')

    with admin:
        drop()
        admin.execute(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'")
        admin.execute(f'CREATE DATABASE "{name}" OWNER "{role}"')
        try:
            yield Scratch(f"postgres://{role}:{password}@{host}:{port}/{name}", admin.execute)
        finally:
            drop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="15 s a scenario, 2,000 rows")
    parser.add_argument("--databases", default="sqlite,postgres")
    args = parser.parse_args(argv)
    seconds, rows = (15, 2000) if args.short else (60, 20000)
    results = []
    for db in args.databases.split(","):
        if db == "sqlite":
            with tempfile.TemporaryDirectory(prefix="hotline-soak-db-") as folder:
                scratch = Scratch(f"sqlite:///{folder}/soak.sqlite3")
                results += soak_database(db, scratch, seconds, rows)
            continue
        with postgres_database() as scratch:
            if scratch is None:
                if os.environ.get("CI") == "true":  # in CI a missing server is a failure
                    raise SystemExit("postgres: server unreachable")
                print("postgres: server unreachable, skipped")
                continue
            results += soak_database(db, scratch, seconds, rows)
    columns = (
        "database  scenario       requests   5xx   503  cut  >30s  p50 s  p99 s  failed/writes"
    )
    print(columns + "  restarts  recycled  memory MB  data")
    ok = True
    for r in results:
        verdict = "PASS" if r["consistent"] else "FAIL"
        ok &= r["consistent"] and r["5xx"] == 0 and r["truncated"] == 0 and r["restarts"] == 0
        attempted = r["writes"] + r["failed_writes"]
        print(
            f"{r['database']:9} {r['scenario']:13} {r['requests']:9} {r['5xx']:5} {r['503']:5} "
            f"{r['truncated']:4} {r['over_30s']:5} {r['p50']:6.2f} {r['p99']:6.2f} "
            f"{r['failed_writes']:7}/{attempted:<6} {r['restarts']:8} {r['recycled']:9} "
            f"{r['memory_mb']:10.0f}  "
            f"{verdict}"
        )
        if r["failures"]:
            print(f"          failed: {'; '.join(r['failures'])}")
        if r["held"] is not None:
            print(
                f"          another client held the {r['held']} connections left of "
                f"{CONNECTION_LIMIT}; once released, {r['5xx_after']} 5xx in "
                f"{RECOVERY_SECONDS} s"
            )
        if "detail" in r:
            print(f"          {json.dumps(r['detail'], ensure_ascii=False)}")
        if "log" in r.get("detail", {}):  # in CI the file goes with the machine: its errors here
            lines = (ROOT / r["detail"]["log"]).read_text(errors="replace").splitlines()
            for line in [x for x in lines if ERROR_LINE.search(x)][-30:]:
                print(f"          | {error_line(line)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
