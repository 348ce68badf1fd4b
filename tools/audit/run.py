"""`make audit`: the site as deployed, then Lighthouse and axe-core on its public pages.

A scratch SQLite database loaded as `make setup` loads one (migrate, load_fixtures), static
files collected (whitenoise serves them, compressed), gunicorn with gunicorn.conf.py and
DEBUG off on 127.0.0.1:PORT; then tools/audit/audit.mjs against it. Plain HTTP on loopback,
so production's redirect to HTTPS is off (SECURE_SSL_REDIRECT=0), as in `make bench`.

    .venv/bin/python tools/audit/run.py [--port 8040] [--runs 2] [PATH ...]
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
HERE = Path(__file__).resolve().parent
OUT = ROOT / "var" / "audit"
WORKERS = 2  # the machine's cores, not gunicorn.conf.py's four: less noise in the timings


def answers(port: int, path: str = "/healthz") -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
        response = connection.getresponse()
        response.read()
        return response.status == 200
    except OSError:
        return False
    finally:
        connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("AUDIT_PORT", "8040")))
    parser.add_argument("--runs", type=int, default=2, help="Lighthouse runs of each page and form")
    parser.add_argument("paths", nargs="*", default=["/", "/reports/huaian/2023/"])
    options = parser.parse_args()

    if answers(options.port):
        sys.exit(f"port {options.port} already answers: pick another (AUDIT_PORT=...)")
    OUT.mkdir(parents=True, exist_ok=True)
    database = OUT / "db.sqlite3"
    for stale in OUT.glob("db.sqlite3*"):
        stale.unlink()
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "DATABASE_URL": f"sqlite:///{database}",
        "SECURE_SSL_REDIRECT": "0",
        "GUNICORN_BIND": f"127.0.0.1:{options.port}",
        "GUNICORN_WORKERS": str(WORKERS),
    }
    env.pop("REDIS_URL", None)  # the page cache per process, as a site without Redis runs
    python = sys.executable
    for command in (["migrate", "--noinput"], ["load_fixtures"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [python, "manage.py", *command, "--verbosity", "0"], cwd=ROOT, env=env, check=True
        )

    gunicorn = Path(python).with_name("gunicorn")
    with open(OUT / "gunicorn.log", "wb") as log:
        server = subprocess.Popen(
            [str(gunicorn), "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while not answers(options.port):
                if server.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"gunicorn did not start: see {OUT / 'gunicorn.log'}")
                time.sleep(0.3)
            # Each worker renders each page once before it is measured: Lighthouse then sees a
            # site as visitors do, not the first render after a start (about 2 s here).
            for path in options.paths:
                for _ in range(2 * WORKERS):
                    answers(options.port, path)
            node = shutil.which("node") or sys.exit("node is needed (see README)")
            base = f"http://127.0.0.1:{options.port}"
            audit = [node, str(HERE / "audit.mjs"), "--base", base, "--runs", str(options.runs)]
            return subprocess.run([*audit, "--out", str(OUT), *options.paths], cwd=HERE).returncode
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


if __name__ == "__main__":
    sys.exit(main())
