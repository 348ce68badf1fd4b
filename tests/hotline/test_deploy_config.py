"""The documented way to run the site: gunicorn.conf.py, and the bounds it and the settings set."""

import re
import runpy

from django.conf import settings


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
    assert "manage.py db_worker --no-reload --queue-name %i " in readme
    units = re.search(r"systemctl enable --now ((?:hotline-worker@\S+ ?)+)", readme).group(1)
    queues = [unit.partition("@")[2] for unit in units.split()]
    assert sorted(queues) == sorted(settings.TASKS["default"]["QUEUES"])


def test_each_process_keeps_a_bounded_page_cache_without_redis():
    assert settings.CACHES["default"]["OPTIONS"]["MAX_ENTRIES"] == 100
