"""A long record list's workbook (XLSX) is written by a background job, as the report's PDF is:
the whole register (100,000 records) took 17 s in its first reader's request and held a web
worker all along, and every filter's first reader paid it again. A list (or a report's
register) of more than DOWNLOAD_BACKGROUND_ROWS records: 202 生成中, the job, then the file; a
shorter one, and every CSV and JSON, is written in the request."""

import io
import re
import zipfile

import openpyxl
import pytest
from django_tasks_db.models import DBTaskResult

from hotline.models import DataSharingRequest

from .. import jobs
from ..jobs import body, run_queued_tasks

pytestmark = pytest.mark.django_db

URL = "/data-sharing.xlsx"
TASK = "reports.tasks.write_record_list"
WRITTEN_AT = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")


@pytest.fixture
def long_lists(settings):
    """The fixtures' register is long here: the Huai'an register has more lines than this."""
    register = DataSharingRequest.public_objects.filter(report__region__slug="huaian").count()
    settings.DOWNLOAD_BACKGROUND_ROWS = register - 1
    return settings


def parts(content: bytes) -> dict[str, bytes]:
    """The workbook's files, byte for byte, but for the time it was written."""
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return {name: WRITTEN_AT.sub(b"", book.read(name)) for name in book.namelist()}


def sheets(content: bytes) -> list[list[tuple]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [list(sheet.iter_rows(values_only=True)) for sheet in book]


LISTS = {
    # url: the job's task, the records it lists, the address its "About" sheet gives, its name
    URL: ("write_record_list", {}, "http://testserver/data-sharing.xlsx", "data-sharing.xlsx"),
    "/reports/huaian/2023/tables/sharing-register.xlsx": (
        "write_report_table",
        {"report__region__slug": "huaian", "report__year": 2023},
        "http://testserver/reports/huaian/2023/tables/sharing-register/",
        "huaian-2023-sharing-register.xlsx",
    ),
}


@pytest.mark.parametrize("url", LISTS)
def test_a_long_lists_workbook_is_written_by_a_job_as_the_request_wrote_it(client, long_lists, url):
    task, listed, page, name = LISTS[url]
    folder = long_lists.DOWNLOADS_DIR
    first, response, from_job = jobs.read_through_job(client, url, f"reports.tasks.{task}", folder)
    assert "<title>生成中</title>" in first.content.decode()
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    [rows, about] = sheets(from_job)
    expected = DataSharingRequest.public_objects.filter(**listed).count()
    assert len(rows) == 1 + expected and rows[0][0] == "城市"
    assert about[0][0].endswith("数据共享登记")  # the list's title, in the reader's language
    assert (page,) in about

    # Written in the request once the list counts as short: the same file, part by part.
    for path in folder.glob("*"):
        path.unlink()
    long_lists.DOWNLOAD_BACKGROUND_ROWS = expected
    in_request = client.get(url)
    assert in_request.status_code == 200
    assert parts(body(in_request)) == parts(from_job)
    assert DBTaskResult.objects.count() == 1


def test_the_job_writes_the_list_the_reader_filtered(client, long_lists):
    url = URL + "?city=huaian&year=2023&x=1"  # x: not a filter, dropped as the page drops it
    jobs.read_through_job(client, url, TASK, long_lists.DOWNLOADS_DIR)
    [queued] = DBTaskResult.objects.all()
    assert queued.args_kwargs["args"][:2] == ["sharing", "city=huaian&year=2023"]
    [rows, about] = sheets(body(client.get(url)))
    huaian = DataSharingRequest.public_objects.filter(
        report__region__slug="huaian", report__year=2023
    )
    assert {row[0] for row in rows[1:]} == {"淮安市"} and len(rows) == 1 + huaian.count()
    assert ("http://testserver/data-sharing.xlsx?city=huaian&year=2023",) in about


def test_a_short_list_and_every_csv_are_written_in_the_request(client, long_lists):
    shorter = "/data-sharing.xlsx?method=usb"
    assert DataSharingRequest.public_objects.filter(methods__code="usb").count() <= (
        long_lists.DOWNLOAD_BACKGROUND_ROWS
    )
    assert client.get(shorter).status_code == 200
    assert client.get("/data-sharing.csv").status_code == 200
    assert not DBTaskResult.objects.exists()


def test_each_language_has_its_own_file(client, long_lists):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert client.get(URL).status_code == 202
    [ran] = run_queued_tasks()
    assert ran.status == "SUCCESSFUL", ran.traceback
    [rows, about] = sheets(body(client.get(URL)))
    assert rows[0][0] == "City" and about[0] == ("Data-sharing register",)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert client.get(URL).status_code == 202  # the Chinese workbook is another file


def test_a_new_published_version_makes_a_new_file(client, long_lists, reviewer_user):
    jobs.a_new_version_makes_a_new_file(client, URL, long_lists.DOWNLOADS_DIR, reviewer_user)
