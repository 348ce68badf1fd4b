"""The admin's import (upload, preview, confirm) and export (what the list shows, or what is
selected) on every record list, through django-import-export's views and our importer."""

import csv
import io

import openpyxl
import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hotline.models import (
    AnnualReport,
    AppealCount,
    DataSharingRequest,
    Department,
    Figure,
    LivestreamEpisode,
    PolicyDocument,
    Region,
)

from .conftest import data, import_queries

pytestmark = pytest.mark.django_db

MODELS = [
    Region,
    Department,
    Figure,
    AppealCount,
    LivestreamEpisode,
    DataSharingRequest,
    PolicyDocument,
]
GBK = data("sharing-gbk.csv")


def url(model, view):
    return reverse(f"admin:hotline_{model._meta.model_name}_{view}")


def upload(client, model, content, name):
    return client.post(
        url(model, "import"),
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile(name, content)},
    )


def confirm(client, model, preview):
    return client.post(url(model, "process_import"), preview.context["confirm_form"].initial)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_record_list_offers_import_and_export(admin_client, model):
    listing = admin_client.get(url(model, "changelist"))
    page = listing.content.decode()
    assert f"href='{url(model, 'import')}'" in page
    assert f'href="{url(model, "export")}' in page
    actions = dict(listing.context["action_form"].fields["action"].choices)
    assert "export_admin_action" in actions
    form = admin_client.get(url(model, "import")).content.decode()
    assert "CSV、XLSX 或 JSON（自动识别）" in form


def test_the_import_page_lists_the_columns_in_chinese(admin_client, django_assert_num_queries):
    admin_client.get(url(DataSharingRequest, "import"))
    with django_assert_num_queries(2):  # session, user: the form reads nothing else
        page = admin_client.get(url(DataSharingRequest, "import")).content.decode()
    assert "城市, 年度, 序号, 行号, 行政层级, 共享部门, 共享方式, 共享主题, 期间起, 期间止" in page
    # Read too, though not exported: the period as one text cell.
    assert "也可读取（导出文件中没有）：期间" in page


def test_a_gbk_csv_is_previewed_then_saved_on_confirm(
    client, data_entry_user, draft_2024, django_assert_num_queries
):
    client.force_login(data_entry_user)
    client.get(url(DataSharingRequest, "import"))  # content types and permissions cached
    ContentType.objects.get_for_model(DataSharingRequest)  # whatever ran before this test
    # Session, user, its permissions (2); the expired uploads and import jobs swept, the upload
    # recorded; a
    # savepoint for the dry run; the lookups (regions, departments, methods, reports); the
    # report locked; the keys of its requests (nothing written: a preview checks every row
    # as the import will); then the rollback, and what the preview found kept on the upload.
    # The same whatever the number of rows, up to a batch of 1,000.
    with django_assert_num_queries(import_queries(17)):
        preview = upload(client, DataSharingRequest, GBK, "共享登记.csv")
    page = preview.content.decode()
    assert "共享登记.csv：将新增 <strong>4</strong> 条，修改 <strong>0</strong> 条" in page
    assert "金湖县人民检察院" in page and "噪声污染\t物业管理：“小区”问题" in page
    assert not DataSharingRequest.private_objects.filter(report=draft_2024).exists()

    # The upload found for this user and session, and taken (deleted); then the same import
    # committed, and the log entries in one insert.
    with django_assert_num_queries(import_queries(23, batches=1)):
        done = confirm(client, DataSharingRequest, preview)
    assert done.status_code == 302
    assert DataSharingRequest.private_objects.filter(report=draft_2024).count() == 4
    history = DataSharingRequest.history.filter(report=draft_2024)
    assert {(h.history_user, h.history_change_reason) for h in history} == {
        (data_entry_user, "导入 共享登记.csv")
    }
    entries = LogEntry.objects.filter(user=data_entry_user, action_flag=ADDITION)
    assert entries.count() == 4
    assert {e.change_message for e in entries} == {"导入 共享登记.csv"}
    # Written as plain rows: each reads back as the admin's history shows it.
    stored = {r.pk: str(r) for r in DataSharingRequest.private_objects.filter(report=draft_2024)}
    assert {int(e.object_id): e.object_repr for e in entries} == stored
    assert {e.get_admin_url() for e in entries} == {
        reverse("admin:hotline_datasharingrequest_change", args=[pk]) for pk in stored
    }
    assert all(abs(timezone.now() - e.action_time).total_seconds() < 60 for e in entries)
    listing = client.get(done["Location"]).content.decode()
    assert "导入成功，新增4条记录" in listing


def test_a_file_with_errors_shows_them_all_and_cannot_be_confirmed(admin_client, draft_2024):
    bad = GBK.replace(b"110709", b"12a").replace(b"36184", b"-1")
    page = upload(admin_client, DataSharingRequest, bad, "共享登记.csv")
    text = page.content.decode()
    assert "共享登记.csv 有 2 处错误，未保存任何数据。" in text
    assert "第 3 行「共享诉求数据量」：“12a”不是整数。" in text
    assert "第 4 行「共享诉求数据量」：数量不能为负数。" in text
    assert "confirm_form" not in page.context or page.context["confirm_form"] is None


def test_a_published_reports_file_is_refused(admin_client, report_2023):
    content = "城市,年度,指标,数值\n淮安市,2023,appeals.public.total,1\n".encode()
    text = upload(admin_client, Figure, content, "f.csv").content.decode()
    assert "淮安市 2023已发布：只有草稿报告的数据和记录可以修改。须由审核员重新打开为草稿。" in text


def test_a_report_published_between_preview_and_confirm_saves_nothing(admin_client, draft_2024):
    preview = upload(admin_client, DataSharingRequest, GBK, "s.csv")
    AnnualReport.private_objects.filter(pk=draft_2024.pk).update(
        status=AnnualReport.Status.PUBLISHED
    )
    done = confirm(admin_client, DataSharingRequest, preview)
    assert done["Location"] == url(DataSharingRequest, "import")
    assert not DataSharingRequest.private_objects.filter(report=draft_2024).exists()
    messages = [str(m) for m in done.wsgi_request._messages]
    assert any("已发布" in m for m in messages)


def test_data_entry_may_not_import_reference_data(client, data_entry_user):
    client.force_login(data_entry_user)
    assert client.get(url(Region, "import")).status_code == 403
    assert client.get(url(DataSharingRequest, "import")).status_code == 200
    assert client.get(url(Region, "export")).status_code == 200  # may view, so may export


def csv_rows(response):
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_export_is_what_the_list_shows(admin_client, report_2023, django_assert_num_queries):
    other = AnnualReport.private_objects.create(region=report_2023.region, year=2022)
    DataSharingRequest.private_objects.create(
        report=other, group_number=1, line=1, region=other.region, scope="旧", records=1
    )
    export = url(DataSharingRequest, "export") + "?year=2023"
    admin_client.get(export)
    # session, user, the list's filters (years, cities), then the rows with their recipients
    # and methods, and the reports, levels, units and methods they name, each read once.
    with django_assert_num_queries(12):
        response = admin_client.post(export, {"format": "0", "resource": "0"})
        rows = csv_rows(response)
    assert response["Content-Disposition"].startswith('attachment; filename="datasharingrequest-')
    assert rows[0][:4] == ["城市", "年度", "序号", "行号"]
    assert {row[1] for row in rows[1:]} == {"2023"}
    assert len(rows) == 1 + 22


def test_the_export_action_exports_what_is_selected(admin_client, report_2023):
    chosen = list(
        DataSharingRequest.private_objects.filter(report=report_2023, line__in=[2, 5]).values_list(
            "pk", flat=True
        )
    )
    form = admin_client.post(
        url(DataSharingRequest, "changelist"),
        {"action": "export_admin_action", "_selected_action": chosen},
    )
    assert form.status_code == 200
    response = admin_client.post(
        url(DataSharingRequest, "export"),
        {"format": "0", "resource": "0", "export_items": chosen},
    )
    assert sorted(row[3] for row in csv_rows(response)[1:]) == ["2", "5"]


def test_xlsx_and_json_exports_have_the_chinese_headers(admin_client, report_2023):
    export = url(Figure, "export") + "?year=2023"
    xlsx = admin_client.post(export, {"format": "1", "resource": "0"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    sheet = book.active
    assert [c.value for c in sheet[1]][:3] == ["城市", "年度", "指标"]
    assert sheet.max_row == 1 + 122
    body = b"".join(admin_client.post(export, {"format": "2", "resource": "0"}).streaming_content)
    assert body.decode().startswith('[\n{"城市": "淮安市", "年度": 2023, "指标": "appeals.')


def test_a_file_that_is_not_what_it_claims_is_refused_before_it_is_read(admin_client):
    before = DataSharingRequest.private_objects.count()
    response = upload(admin_client, DataSharingRequest, b"PK\x03\x04not a workbook\x00", "共享.csv")
    assert response.status_code == 200
    assert "共享.csv" in response.content.decode()
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert DataSharingRequest.private_objects.count() == before


def listed_columns(page):
    """The columns an import or export page names (django-import-export's field list)."""
    text = page.split("<code>", 1)[1].split("</code>", 1)[0]
    return [name.strip() for name in text.split(",")]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_the_pages_list_exactly_the_columns_exported(admin_client, report_2023, model):
    """What the import and export pages list is the header row of the exported file."""
    response = admin_client.post(url(model, "export"), {"format": "0", "resource": "0"})
    content = b"".join(response.streaming_content) if response.streaming else response.content
    exported = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    import_page = admin_client.get(url(model, "import")).content.decode()
    export_page = admin_client.get(url(model, "export")).content.decode()
    assert listed_columns(import_page) == exported
    assert listed_columns(export_page) == exported
