"""The documented way to run the site: gunicorn.conf.py, and the bounds it and the settings set."""

import gc
import json
import os
import re
import runpy
import subprocess
import sys

from django.conf import settings

from bench import load


def _gunicorn(monkeypatch, **env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))


def test_gunicorn_runs_the_site_bounded_and_without_a_shared_control_socket(monkeypatch):
    conf = _gunicorn(monkeypatch, GUNICORN_WORKERS="6", GUNICORN_BIND="127.0.0.1:8150")
    assert conf["wsgi_app"] == "hotline.wsgi" and conf["bind"] == "127.0.0.1:8150"
    assert conf["workers"] == 6 and conf["timeout"] == 120
    assert conf["max_requests"] == 1000 and conf["max_requests_jitter"] == 100
    assert conf["preload_app"] is True and conf["control_socket_disable"] is True


def test_the_readme_runs_gunicorn_with_it():
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    assert "gunicorn -c gunicorn.conf.py" in readme
    assert "gunicorn hotline.wsgi" not in readme


def test_the_readme_runs_a_worker_for_every_queue():
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    assert "manage.py db_worker --no-reload --interval 0.25 --queue-name %i " in readme
    units = re.search(r"systemctl enable --now ((?:hotline-worker@\S+ ?)+)", readme).group(1)
    queues = [unit.partition("@")[2] for unit in units.split()]
    assert sorted(queues) == sorted(settings.TASKS["default"]["QUEUES"])


def test_workers_look_at_their_queue_as_often_wherever_they_run():
    """An idle worker's poll is most of a small job's wait (a 3,000-row import: upload to done
    2.8 s at db_worker's own 1 s, 1.3 s at 0.25 s): the deployed service, `make serve` and the
    benchmark's workers look as often, so that the benchmark measures what staff get."""
    polls = {
        "README.md": r"db_worker --no-reload --interval (\S+) --queue-name %i",
        "Makefile": r"db_worker --no-reload --interval (\S+) --queue-name",
    }
    for name, pattern in polls.items():
        text = (settings.BASE_DIR / name).read_text(encoding="utf-8")
        assert float(re.search(pattern, text).group(1)) == load.WORKER_INTERVAL == 0.25, name


def test_each_process_keeps_a_bounded_page_cache_without_redis():
    assert settings.CACHES["default"]["OPTIONS"]["MAX_ENTRIES"] == 100


def test_every_process_of_the_site_collects_its_young_objects_less_often(tmp_path):
    """Every process that loads the site (gunicorn's workers, db_worker, the commands) has the
    young generation's threshold of GC_YOUNG_THRESHOLD, not Python's 700."""
    assert gc.get_threshold()[0] == settings.GC_YOUNG_THRESHOLD == 10_000
    command = ["manage.py", "shell", "-c", "import gc; print(gc.get_threshold())"]
    assert _last_line(command, tmp_path, GC_YOUNG_THRESHOLD="1234") == "(1234, 10, 10)"


def test_the_sites_address_is_a_host_it_answers_to_and_nothing_more(tmp_path):
    """SITE_URL: the address printed in downloads made without a reader (reports.prewarm)."""
    show = [
        "manage.py",
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.ALLOWED_HOSTS)",
    ]
    hosts = _last_line(show, tmp_path, SITE_URL="https://12345.example.gov.cn/")
    assert "'12345.example.gov.cn'" in hosts
    for wrong in ("12345.example.gov.cn", "https://12345.example.gov.cn/reports/", "ftp://x"):
        refused = subprocess.run(
            [sys.executable, *show],
            cwd=settings.BASE_DIR,
            env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/x", "SITE_URL": wrong},
            capture_output=True,
            text=True,
        )
        assert refused.returncode != 0
        assert "SITE_URL must be a scheme and a host" in refused.stderr, wrong


def _last_line(arguments, tmp_path, **env) -> str:
    """The last line a Python process of the site printed, on a database of its own."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/x", **env}
    shown = subprocess.run(
        [sys.executable, *arguments],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return shown.strip().splitlines()[-1]


WARMED = """
import json, sys
import hotline.wsgi
from django.db import connections
from django.template import engines
cached = engines["django"].engine.template_loaders[0].get_template_cache
print(json.dumps({
    "views": [name for name in ("reports.views", "api.views") if name in sys.modules],
    "templates": sorted({str(template.origin.name) for template in cached.values()}),
    "connected": [alias for alias in connections if connections[alias].connection is not None],
}))
"""


def test_the_site_is_loaded_with_its_views_imported_and_templates_compiled_but_no_connection(
    tmp_path,
):
    """gunicorn's master loads hotline.wsgi once, then forks its workers (preload_app), and
    forks one again for each worker recycled after max_requests: what a worker's first request
    would otherwise do (importing every view, compiling the site's templates: 0.3-1 s) is done
    there, and no database connection is open, for the workers would share it."""
    loaded = json.loads(_last_line(["-c", WARMED], tmp_path, DEBUG="0"))
    assert loaded["views"] == ["reports.views", "api.views"]
    folder = settings.BASE_DIR / "templates"
    assert {str(path) for path in folder.rglob("*.html")} <= set(loaded["templates"])
    assert loaded["connected"] == []
