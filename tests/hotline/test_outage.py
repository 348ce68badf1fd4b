"""The database goes away in the middle of a multi-row write, and comes back.

The test runs a PostgreSQL server of its own (initdb into a temporary directory, a free port,
trust authentication) and the site as a real server process against it (outage_server.py).
A write of many rows is stopped after some of them by stopping the database server at once.
Then: the user has a clear message, nothing half-written is left, and once the server is back
the same site process answers again without a restart.

WRITES lists the multi-row writes so tested; each posts through the site as staff do. The
importers (issue branch io) belong here too: a write that posts a file of CELLS rows.
"""

import http.cookies
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from glob import glob
from html import unescape
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.utils import translation

from hotline.outages import database_gone_message

pytestmark = pytest.mark.pg_server

CELLS = 8  # rows in the write
STOP_AFTER = 3  # the database stops while the 3rd row is being written


def pg_bin():
    found = sorted(glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


@pytest.fixture
def postgres_server():
    """A PostgreSQL server of our own; yields (url, start, stop)."""
    bin_dir = pg_bin()
    if bin_dir is None:
        reason = "PostgreSQL server binaries are missing (/usr/lib/postgresql/*/bin/initdb)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: in CI this test must run, not skip")
        pytest.skip(reason)
    # Not under pytest's tmp_path: its parents are closed to the postgres user.
    root = Path(tempfile.mkdtemp(prefix="hotline-pg-"))
    data = root / "data"
    as_owner = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(root, "postgres", "postgres")
        as_owner = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    subprocess.run(
        [*as_owner, bin_dir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl = [*as_owner, str(bin_dir / "pg_ctl"), "-D", str(data), "-w"]
    start = [*pg_ctl, "-o", options, "-l", str(root / "log"), "start"]
    stop = [*pg_ctl, "-m", "immediate", "stop"]

    subprocess.run(start, check=True, capture_output=True)
    try:
        yield f"postgres://postgres@127.0.0.1:{port}/postgres", start, stop
    finally:
        subprocess.run(stop, capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """Just enough of a browser: cookies (sent back even when marked Secure, as the site is
    served on plain HTTP here), no redirects followed."""

    def __init__(self, base):
        self.base = base
        self.cookies = {}

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        opener = urllib.request.build_opener(NoRedirects)
        try:
            response = opener.open(request, timeout=60)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return response.status, response.read().decode(), response.headers

    def form(self, path):
        """The inputs of the page's form as drawn, and the CSRF token."""
        status, page, _headers = self.request(path)
        assert status == 200, page[:500]
        fields = {}
        for tag in re.findall(r"<input\b[^>]*>", page):
            name = re.search(r'\bname="([^"]*)"', tag)
            if name and "disabled" not in tag:
                value = re.search(r'\bvalue="([^"]*)"', tag)
                fields[unescape(name.group(1))] = unescape(value.group(1)) if value else ""
        for name, value in re.findall(
            r'<textarea\b[^>]*name="([^"]*)"[^>]*>(.*?)</textarea>', page, re.S
        ):
            fields[unescape(name)] = unescape(value).lstrip("\n")
        return fields, page

    def log_in(self, username, password):
        fields, _page = self.form("/admin/login/")
        fields |= {"username": username, "password": password, "next": "/admin/"}
        status, page, _headers = self.request("/admin/login/", fields)
        assert status == 302, page[:500]


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def figure_grid_write(browser, made):
    """The figure grid saves every typed cell in one transaction."""
    url = f"/admin/hotline/annualreport/{made['report']}/figures/"
    fields, _page = browser.form(url)
    for n, indicator in enumerate(made["indicators"]):
        fields[f"f{indicator}-value"] = str(1000 + n)
    return url, fields


WRITES = {"figure grid": figure_grid_write}


def figure_rows(url, report):
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as db:
        figures = db.execute(
            "SELECT count(*) FROM hotline_figure WHERE report_id = %s", [report]
        ).fetchone()[0]
        history = db.execute(
            "SELECT count(*) FROM hotline_historicalfigure WHERE report_id = %s", [report]
        ).fetchone()[0]
    return figures, history


@pytest.fixture
def site(postgres_server, tmp_path):
    url, start, stop = postgres_server
    port = free_port()
    armed = tmp_path / "armed"
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "outage-test-not-secret",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": url,
        "CONN_MAX_AGE": "60",
        "OUTAGE_ARMED": str(armed),
        "OUTAGE_STOP_AFTER": str(STOP_AFTER),
        "OUTAGE_STOP_COMMAND": json.dumps(stop),
        "OUTAGE_CELLS": str(CELLS),
        "OUTAGE_HTTP_PORT": str(port),
    }
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("outage_server.py"))],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = server.stdout.readline()
        if not line:
            pytest.fail(f"the site did not start: {server.stderr.read()[-3000:]}")
        made = json.loads(line)
        browser = Browser(f"http://127.0.0.1:{port}")
        browser.log_in("clerk", "pw-12345-test")
        yield browser, made, url, start, armed
    finally:
        server.terminate()
        server.wait(10)


@pytest.mark.parametrize("write", WRITES)
def test_a_write_cut_off_by_the_database_leaves_nothing_and_the_site_recovers(site, write):
    browser, made, url, start, armed = site
    target, fields = WRITES[write](browser, made)
    before = figure_rows(url, made["report"])

    armed.touch()
    status, page, _headers = browser.request(target, fields)

    # The user is told, in a page or in the message after the redirect.
    assert status in (302, 503), page[:500]
    assert not armed.exists(), "the database was never stopped: the write finished first"
    during, _page, retry = browser.request("/")
    assert during == 503 and retry["Retry-After"]

    subprocess.run(start, check=True, capture_output=True)
    assert figure_rows(url, made["report"]) == before  # nothing half-written

    # The same site process answers again, and says what happened.
    with translation.override("zh-hans"):
        message = database_gone_message()
    for _attempt in range(20):
        status, page, _headers = browser.request(target if status == 302 else "/admin/")
        if status == 200:
            break
        time.sleep(0.5)
    assert status == 200
    if write == "figure grid":
        assert message in unescape(page)
    fields = WRITES[write](browser, made)[1]
    status, page, _headers = browser.request(target, fields)
    assert status == 302, page[:500]
    figures, history = figure_rows(url, made["report"])
    assert figures == before[0] + CELLS
    assert history == before[1] + CELLS
