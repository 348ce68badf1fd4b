"""The session's database, staff accounts, and the browser set-up shared by every browser test.

Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.
"""

import importlib
import os
import sqlite3
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis.database import DirectoryBasedExampleDatabase
from pytest_django.plugin import blocking_manager_key

from hotline import roles

CHROMIUM = "/usr/bin/chromium"

# Playwright's sync API keeps an event loop running in the main thread from the first browser
# test to the end of the session; Django's ORM calls there (fixtures, the live server's flush)
# are still synchronous, and nothing in this project is async.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Property-based tests: a few examples by default so that CI stays fast; HYPOTHESIS_PROFILE=
# thorough for many more. A failing example is kept in .hypothesis/examples/ (ignored by git)
# and tried first on the next run, so that a failure seen once is seen again until fixed;
# then it is written into the test as an @example.
_PROPERTIES = {
    "deadline": None,
    "database": DirectoryBasedExampleDatabase(
        Path(__file__).resolve().parent.parent / ".hypothesis" / "examples"
    ),
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
hypothesis_settings.register_profile("default", max_examples=25, **_PROPERTIES)
hypothesis_settings.register_profile("thorough", max_examples=500, **_PROPERTIES)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test starts from the published 2023 Huai'an report, loaded as `make setup` does,
    and the staff groups (made here too, so that `--no-migrations` runs, as make mutation does)."""
    with django_db_blocker.unblock():
        restore_database()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test renders its pages afresh: the page cache is per process (LocMem) in tests."""
    from hotline import freshness
    from hotline.caching import recent

    for forget in (cache.clear, recent.clear, freshness.forget_remembered):
        forget()
    yield
    for forget in (cache.clear, recent.clear, freshness.forget_remembered):
        forget()


@pytest.fixture(autouse=True)
def _import_uploads(settings, tmp_path, monkeypatch):
    """The admin keeps uploads, the site its written downloads and the signal of changes to
    published data (hotline.freshness) in places of the test's own, never the tree's var/; the
    processes a test starts signal through the same file."""
    settings.IMPORT_UPLOAD_DIR = tmp_path / "imports"
    settings.DOWNLOADS_DIR = tmp_path / "downloads"
    if settings.FRESHNESS_SIGNAL_FILE:
        settings.FRESHNESS_SIGNAL_FILE = str(tmp_path / "freshness-signal")
        monkeypatch.setenv("FRESHNESS_SIGNAL_FILE", settings.FRESHNESS_SIGNAL_FILE)


@pytest.fixture
def worker_env(request, transactional_db, tmp_path, settings):
    """The environment of a worker process on this test's database. An in-memory SQLite test
    database is copied to a file, which this process then uses too, for the test's length."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "tests-only-not-secret",
        "REDIS_URL": "",
        "IMPORT_UPLOAD_DIR": str(settings.IMPORT_UPLOAD_DIR),
        "DOWNLOADS_DIR": str(settings.DOWNLOADS_DIR),
        "DJANGO_SETTINGS_MODULE": "hotline.settings",
    }
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        env["DATABASE_URL"] = f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
        yield env
        return
    path = tmp_path / "db.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    connection.connection.backup(copy)
    copy.close()
    # The live server's thread may hold a wrapper of its own on the same in-memory database.
    main = connections["default"]
    wrappers = {id(main): main}
    if "live_server" in request.fixturenames:
        thread = request.getfixturevalue("live_server").thread
        for shared in thread.connections_override.values():
            wrappers.setdefault(id(shared), shared)
    # Every name read before any is changed: the wrappers may share one settings dict.
    kept = [
        (wrapper, wrapper.settings_dict["NAME"], wrapper.connection)
        for wrapper in wrappers.values()
    ]
    for wrapper, _name, _memory in kept:
        wrapper.connection = None
        wrapper.settings_dict["NAME"] = str(path)
    env["DATABASE_URL"] = f"sqlite:///{path}"
    try:
        yield env
    finally:
        for wrapper, name, memory in kept:
            wrapper.close()
            wrapper.settings_dict["NAME"] = name
            wrapper.connection = memory


def _staff(django_user_model, username, group_name):
    user = django_user_model.objects.create_user(username, password="pw-12345-test", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def data_entry_user(django_user_model):
    return _staff(django_user_model, "clerk", roles.DATA_ENTRY)


@pytest.fixture
def reviewer_user(django_user_model):
    return _staff(django_user_model, "reviewer", roles.REVIEWERS)


@pytest.fixture
def compiled(monkeypatch):
    """The models whose queries Django's compiler builds from now on: {"read": […], "insert": […]}
    (a test clears them once its setup is written)."""
    from django.db.models.sql.compiler import SQLCompiler, SQLInsertCompiler

    built = {"read": [], "insert": []}
    for kind, compiler in (("read", SQLCompiler), ("insert", SQLInsertCompiler)):

        def counted(self, *args, _as_sql=compiler.as_sql, _kind=kind, **kwargs):
            built[_kind].append(self.query.model)
            return _as_sql(self, *args, **kwargs)

        monkeypatch.setattr(compiler, "as_sql", counted)
    return built


@pytest.fixture
def report_2023():
    from hotline.models import AnnualReport

    return AnnualReport.private_objects.get(region__slug="huaian", year=2023)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Playwright cannot download its own browser here; Debian's chromium is what we have.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    }


@pytest.fixture(autouse=True)
def _chromium_for_browser_tests(request):
    if not request.node.get_closest_marker("browser"):
        return
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: in CI the browser tests must run, not skip")
        pytest.skip(reason)


def restore_database():
    """What a transactional test's flush removed: the staff groups (a data migration) and the
    2023 report (loaded once per session above)."""
    from django.contrib.auth.models import Permission

    groups = importlib.import_module("hotline.migrations.0002_staff_groups")
    rules = importlib.import_module("hotline.migrations.0003_checks")
    for name, codenames in (
        (roles.DATA_ENTRY, groups.DATA_ENTRY + rules.DATA_ENTRY),
        (roles.REVIEWERS, groups.REVIEWERS + rules.REVIEWERS),
    ):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="hotline", codename__in=codenames)
        )
    call_command("load_fixtures", verbosity=0)


def flushes_database(item) -> bool:
    """Transactional tests (browser tests' live server, threads, other processes) commit, and
    pytest-django empties every table after them."""
    marker = item.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction"))
    fixtures = set(getattr(item, "fixturenames", ()))
    return transactional or bool({"live_server", "transactional_db"} & fixtures)


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_runtest_teardown(item, nextitem):
    # After every fixture's teardown, the flush included: put the data back so that the tests
    # that follow, in any order, find the database as the session set it up.
    yield
    if flushes_database(item) and nextitem is not None:
        with item.config.stash[blocking_manager_key].unblock():
            restore_database()


@pytest.fixture
def errors(page):
    """Console errors and uncaught exceptions of a browser test's page."""
    found = []
    page.on("console", lambda m: found.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: found.append(str(e)))
    return found
