"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server."""

import importlib
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from pytest_django.plugin import blocking_manager_key

CHROMIUM = "/usr/bin/chromium"

# Playwright's sync API keeps an event loop running in the main thread from the first browser
# test to the end of the session; Django's ORM calls there (fixtures, the live server's flush)
# are still synchronous, and nothing in this project is async.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


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
    """What the live server's flush removed: the staff groups (a data migration) and the 2023
    report (loaded once per session by tests/conftest.py)."""
    from django.contrib.auth.models import Group, Permission

    from hotline import roles

    groups = importlib.import_module("hotline.migrations.0002_staff_groups")
    for name, codenames in (
        (roles.DATA_ENTRY, groups.DATA_ENTRY),
        (roles.REVIEWERS, groups.REVIEWERS),
    ):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="hotline", codename__in=codenames)
        )
    call_command("load_fixtures", verbosity=0)


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_runtest_teardown(item, nextitem):
    # After every fixture's teardown, the live server's flush included: put the data back so
    # that the tests that follow, in any order, find the database as the session set it up.
    yield
    if item.get_closest_marker("browser") and nextitem is not None:
        with item.config.stash[blocking_manager_key].unblock():
            restore_database()
