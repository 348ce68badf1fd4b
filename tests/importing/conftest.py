import io
from pathlib import Path

import pytest
from django.db import connection
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


def import_queries(count: int, *, batches: int = 0) -> int:
    """An import's queries on this database: on PostgreSQL one more, which has its foreign
    keys checked as each batch is written (hotline.importing.service), and four more for each
    batch written, which draws the new keys of its records, their history and their two kinds
    of links before it copies them (hotline.models.bulk.insert_rows)."""
    postgresql = connection.vendor == "postgresql"
    return count + postgresql * (1 + 4 * batches)


def data(name) -> bytes:
    return (DATA / name).read_bytes()


def run(model, content, name="file.csv", **kwargs):
    """Import bytes as the admin and the command do."""
    return import_records(model, io.BytesIO(content), file_name=name, **kwargs)
