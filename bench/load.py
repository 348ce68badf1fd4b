"""Latency under concurrent load: gunicorn on a free loopback port, and a load tool against it.

wrk (Debian's) when it is installed, else a small load generator of our own in Python (which
competes with the server for the same two cores, so it shows less than wrk would). Every run
is bounded in time and sends traffic to 127.0.0.1 only.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


@dataclass
class Load:
    median_ms: float
    p99_ms: float
    rps: float
    requests: int
    errors: int
    tool: str


# How often an idle worker looks at its queue, as "Deploying" and `make serve` run it: a job
# waits up to this long before a worker takes it, twice for an admin import (its preview, then
# the import once confirmed). db_worker's own 1 s was most of a 3,000-row job's wait.
WORKER_INTERVAL = 0.25


def db_worker(env: dict, *, queue: str, interval: float = WORKER_INTERVAL, **popen):
    """`manage.py db_worker` for `queue` as "Deploying" runs one (no autoreload), in a process
    of its own: "default" for the imports, download_store.QUEUE for the PDFs and workbooks."""
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
    options = ["--queue-name", queue, "--interval", str(interval)]
    return subprocess.Popen([*command, *options], cwd=ROOT, env=env, **popen)


def status_mb(pid: int, field: str) -> float | None:
    """A memory figure of a live process from /proc (Linux): VmRSS now, VmHWM its peak; None
    once it has gone, or is exiting: a gunicorn worker recycled as the soak measured the others
    has released its memory (no such line) before it shows as a zombie."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    if f"\n{field}:" in Path("/proc/self/status").read_text():
        return None  # this system has the figure: that process is on its way out
    raise SystemExit(f"no {field} in /proc/{pid}/status: memory is measured on Linux only")


def free_port() -> int:
    """Any free port, or the first free one of BENCH_PORTS ("8600-8650") on a shared machine."""
    first, _, last = os.environ.get("BENCH_PORTS", "0").partition("-")
    for port in range(int(first), int(last or first) + 1):
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError(f"no free port in BENCH_PORTS={os.environ['BENCH_PORTS']}")


class Server:
    """gunicorn serving the project with DEBUG off, stopped on exit."""

    def __init__(self, env: dict, workers: int, log: Path):
        self.port = free_port()
        self.env, self.workers, self.log = env, workers, log
        self.process = None

    def __enter__(self) -> Server:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            str(gunicorn),
            "hotline.wsgi",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(self.workers),
            "--log-level",
            "warning",
        ]
        self._log = open(self.log, "ab")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}: {self.log}")
            try:
                if get(self.port, "/healthz")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not answer within 60 s: {self.log}")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def get(port: int, path: str, timeout: float = 30, headers=None) -> tuple[int, bytes, dict]:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        connection.close()


def run(port: int, path: str, *, seconds: float, connections: int, headers=None) -> Load:
    """A load run, each request with `headers`; a slow page that completes too few requests in
    the time is run longer."""
    for _attempt in range(4):  # 1, 2, 4 and 8 times as long: a busy machine is slow
        if shutil.which("wrk"):
            result = _wrk(port, path, seconds=seconds, connections=connections, headers=headers)
        else:
            result = _python(port, path, seconds=seconds, connections=connections, headers=headers)
        if result is not None:
            return result
        seconds *= 2
    raise RuntimeError(f"{path}: too few requests completed to measure latency")


def warm(port: int, path: str, *, connections: int, seconds: float = 2, headers=None):
    """Load for a moment, unmeasured, so that every worker has its database connection, its
    templates and, when the page is cached, its copy (each worker has its own LocMem)."""
    deadline = time.monotonic() + seconds

    def worker():
        while time.monotonic() < deadline:
            get(port, path, headers=headers)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * UNITS[unit]


def _wrk(port, path, *, seconds, connections, headers=None) -> Load | None:
    threads = min(2, connections)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "--latency",
        *(arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")),
        f"http://{HOST}:{port}{path}",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    if requests < 10 or not {"50", "99"} <= percentiles.keys():
        return None
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    failed = re.search(
        r"Socket errors: connect (\d+), read \d+, write (\d+), timeout (\d+)", output
    )
    errors += sum(int(n) for n in failed.groups()) if failed else 0
    return Load(
        median_ms=_ms(percentiles["50"]),
        p99_ms=_ms(percentiles["99"]),
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        requests=requests,
        errors=errors,
        tool="wrk",
    )


def _python(port, path, *, seconds, connections, headers=None) -> Load | None:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker():
        mine, failed = [], 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                status = get(port, path, headers=headers)[0]
            except OSError:
                status = 0
            mine.append((time.perf_counter() - started) * 1000)
            failed += status != 200
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    if len(latencies) < 10:
        return None
    ordered = sorted(latencies)
    return Load(
        median_ms=statistics.median(ordered),
        p99_ms=ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        rps=len(ordered) / elapsed,
        requests=len(ordered),
        errors=errors[0],
        tool="python",
    )


def workers() -> int:
    return max(2, 2 * (os.cpu_count() or 1))
