"""The admin's export of a long list as a workbook is written by a job, into a file of the staff
member's own: it held a web worker for the whole register's 7-15 s. What the job writes is what
the request would have: the list as its reader sees it, filtered, searched and sorted, or the
records they selected."""

import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django_tasks_db.models import DBTaskResult
from import_export.formats.base_formats import XLSX as XLSX_FORMAT

from hotline import download_store
from hotline.admin.records import DataSharingRequestAdmin
from hotline.models import DataSharingRequest, Department

from ..jobs import body, read_privately, run_queued_tasks

pytestmark = pytest.mark.django_db

EXPORT = "/admin/hotline/datasharingrequest/export/"
XLSX = {"format": "1", "resource": "0"}  # the admin's formats: CSV, XLSX, JSON


def rows(content: bytes) -> list[tuple]:
    [sheet] = openpyxl.load_workbook(io.BytesIO(content))
    return list(sheet.iter_rows(values_only=True))


def exported_by_job(client, url, data=XLSX) -> tuple:
    """The export's address (leading to the reader's file) and the file once the job wrote it."""
    first = client.post(url, data)
    return read_privately(client, first, "hotline.admin.exports.write_export")


@pytest.fixture
def long_list(settings):
    register = DataSharingRequest.private_objects.count()
    settings.DOWNLOAD_BACKGROUND_ROWS = register - 1
    return register


def test_a_long_workbook_is_written_by_a_job_as_the_request_would_have(
    admin_client, long_list, settings
):
    place, written = exported_by_job(admin_client, EXPORT)
    by_job = rows(body(written))
    assert len(by_job) == 1 + long_list

    settings.DOWNLOAD_BACKGROUND_ROWS = long_list  # short enough: written in the request
    in_request = admin_client.post(EXPORT, XLSX)
    assert in_request.status_code == 200
    assert rows(body(in_request)) == by_job
    assert written["Content-Disposition"] == in_request["Content-Disposition"]
    assert DBTaskResult.objects.count() == 1  # no second job

    assert Client().get(place).status_code == 404  # to its reader alone


def test_the_job_exports_the_lists_filters_search_and_order(admin_client, settings):
    """The list searched (区) and sorted by line, descending: the job's workbook holds what the
    request's would have, in that order."""
    url = EXPORT + "?q=%E5%8C%BA&o=-1"  # by the first column after the checkbox: line
    settings.DOWNLOAD_BACKGROUND_ROWS = 10**6
    [header, *expected] = rows(body(admin_client.post(url, XLSX)))
    assert 1 < len(expected) < DataSharingRequest.private_objects.count()
    line = [r[header.index("序号")] for r in expected]
    assert line == sorted(line, reverse=True) and line != sorted(line)

    settings.DOWNLOAD_BACKGROUND_ROWS = len(expected) - 1
    _place, written = exported_by_job(admin_client, url)
    assert rows(body(written)) == [header, *expected]


def test_the_job_exports_the_records_selected(admin_client, settings):
    chosen = list(DataSharingRequest.private_objects.order_by("pk").values_list("pk", flat=True))[
        :3
    ]
    settings.DOWNLOAD_BACKGROUND_ROWS = 2
    data = {**XLSX, "export_items": [str(pk) for pk in chosen]}
    _place, written = exported_by_job(admin_client, EXPORT, data)
    assert len(rows(body(written))) == 1 + 3


def test_a_reader_who_may_no_longer_export_gets_nothing(
    admin_client, admin_user, long_list, settings
):
    place = admin_client.post(EXPORT, XLSX)["Location"]
    admin_user.is_staff = False
    admin_user.save()
    [ran] = run_queued_tasks()
    assert ran.return_value == "refused"
    assert not list((settings.DOWNLOADS_DIR / download_store.PRIVATE).glob("[!.]*"))
    admin_user.is_staff = True
    admin_user.save()
    gone = admin_client.get(place)
    assert gone.status_code == 404 and "重新下载" in gone.content.decode()


def test_staff_who_see_no_drafts_get_their_export_too(django_user_model, settings):
    """A member of staff who may view departments only: their file is theirs to open."""
    member = django_user_model.objects.create_user("directory", password="x", is_staff=True)
    member.user_permissions.add(Permission.objects.get(codename="view_department"))
    client = Client()
    client.force_login(member)
    settings.DOWNLOAD_BACKGROUND_ROWS = Department.objects.count() - 1
    _place, written = exported_by_job(client, "/admin/hotline/department/export/")
    assert len(rows(body(written))) == 1 + Department.objects.count()


def test_an_actions_selection_without_the_export_form_is_written_in_the_request(
    admin_client, settings, monkeypatch
):
    """With the export form skipped for an action (a setting of django-import-export), nothing
    names the records selected to a job: they are exported in the request, as before."""
    settings.IMPORT_EXPORT_SKIP_ADMIN_ACTION_EXPORT_UI = True
    monkeypatch.setattr(DataSharingRequestAdmin, "export_formats", [XLSX_FORMAT])
    chosen = DataSharingRequest.private_objects.order_by("pk").values_list("pk", flat=True)[:3]
    settings.DOWNLOAD_BACKGROUND_ROWS = 2
    response = admin_client.post(
        "/admin/hotline/datasharingrequest/",
        {"action": "export_admin_action", "_selected_action": [str(pk) for pk in chosen]},
    )
    assert response.status_code == 200
    assert len(rows(body(response))) == 1 + 3
    assert not DBTaskResult.objects.exists()
