import io
import os
import sqlite3
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections
from django.utils import translation

from hotline.importing.service import import_records
from hotline.models import AnnualReport, Region

from ..hotline import factories as f

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(autouse=True)
def _chinese():
    # The admin's and the commands' language; messages are asserted as staff read them.
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def draft_2024():
    """The draft report the files in tests/data are for."""
    return f.make_report(Region.objects.get(slug="huaian"), year=2024)


@pytest.fixture
def reopened_2023(report_2023):
    """The 2023 report as a draft again, so that its records may be imported."""
    AnnualReport.private_objects.filter(pk=report_2023.pk).update(status=AnnualReport.Status.DRAFT)
    report_2023.refresh_from_db()
    return report_2023


def data(name) -> bytes:
    return (DATA / name).read_bytes()


def run(model, content, name="file.csv", **kwargs):
    """Import bytes as the admin and the command do."""
    return import_records(model, io.BytesIO(content), file_name=name, **kwargs)


@pytest.fixture
def worker_env(request, transactional_db, tmp_path):
    """The environment of a worker process on this test's database. An in-memory SQLite test
    database is copied to a file, which this process then uses too, for the test's length."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "tests-only-not-secret",
        "REDIS_URL": "",
        "IMPORT_UPLOAD_DIR": str(settings.IMPORT_UPLOAD_DIR),
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
    kept = []
    for wrapper in wrappers.values():
        kept.append((wrapper, wrapper.settings_dict["NAME"], wrapper.connection))
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
