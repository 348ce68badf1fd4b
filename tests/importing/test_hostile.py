"""Hostile and careless files and requests on the admin's import (issue 13): no 500, no file
touched outside the user's own upload, nothing written, nothing left behind."""

import io
import json
import os
import re
import tempfile
import zipfile
from datetime import timedelta

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hotline.models import DataSharingRequest, ImportUpload

from .conftest import data, run

pytestmark = pytest.mark.django_db

GBK = data("sharing-gbk.csv")
UTF8 = data("sharing-utf8.csv").decode("utf-8")
IMPORT = reverse("admin:hotline_datasharingrequest_import")
CONFIRM = reverse("admin:hotline_datasharingrequest_process_import")


@pytest.fixture
def upload_dir(settings, tmp_path, monkeypatch):
    """The upload directory, and the system's temporary directory that the old code used,
    both watched: nothing may be left in either."""
    settings.IMPORT_UPLOAD_DIR = tmp_path / "imports"
    system_tmp = tmp_path / "tmp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    return settings.IMPORT_UPLOAD_DIR, system_tmp


def left_in(directories):
    return sorted(
        path.name for directory in directories if directory.exists() for path in directory.iterdir()
    )


@pytest.fixture
def clerk(client, data_entry_user):
    client.force_login(data_entry_user)
    return client


def upload(client, content, name="共享登记.csv"):
    return client.post(
        IMPORT,
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile(name, content)},
    )


def page_messages(response):
    return [str(m) for m in response.wsgi_request._messages]


# 1. The confirmation trusts nothing the browser names


def test_a_file_on_the_server_cannot_be_imported_by_naming_it(clerk, draft_2024, upload_dir):
    _kept, system_tmp = upload_dir
    foreign = system_tmp / "someone-elses.csv"
    foreign.write_bytes(GBK)
    secret = system_tmp / "settings.txt"
    secret.write_text("SECRET_TOKEN=abc123\n")
    for name in (foreign.name, secret.name, "no-such-file", "../../etc/passwd"):
        response = clerk.post(
            CONFIRM,
            {
                "import_file_name": name,
                "original_file_name": "x.csv",
                "format": "0",
                "resource": "0",
                "upload": name,
            },
            follow=True,
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "SECRET_TOKEN" not in page
        assert "无法确认这次导入：上传的文件不存在、已过期或不是您上传的。请重新上传文件。" in page
    assert not DataSharingRequest.private_objects.filter(report=draft_2024).exists()
    assert foreign.read_bytes() == GBK and secret.exists()  # untouched


def test_an_upload_is_confirmed_only_by_its_user_in_its_session(
    clerk, data_entry_user, reviewer_user, draft_2024, upload_dir
):
    preview = upload(clerk, GBK)
    token = preview.context["confirm_form"].initial["upload"]
    assert left_in(upload_dir) == [ImportUpload.objects.get().stored_name]
    assert ImportUpload.objects.get().file_name == "共享登记.csv"

    someone_else = Client()
    someone_else.force_login(reviewer_user)
    same_user_elsewhere = Client()
    same_user_elsewhere.force_login(data_entry_user)
    for other in (someone_else, same_user_elsewhere):
        response = other.post(CONFIRM, {"upload": token})
        assert response.status_code == 302 and response["Location"] == IMPORT
        assert any("请重新上传文件" in m for m in page_messages(response))
    assert not DataSharingRequest.private_objects.filter(report=draft_2024).exists()

    done = clerk.post(CONFIRM, {"upload": token})
    assert done["Location"] == reverse("admin:hotline_datasharingrequest_changelist")
    assert DataSharingRequest.private_objects.filter(report=draft_2024).count() == 4
    # Confirmed once: the upload is gone, and the same form posted again imports nothing.
    assert left_in(upload_dir) == [] and not ImportUpload.objects.exists()
    again = clerk.post(CONFIRM, {"upload": token})
    assert again["Location"] == IMPORT


def test_the_history_names_the_file_as_uploaded_not_as_posted(clerk, draft_2024, upload_dir):
    preview = upload(clerk, GBK, name="登记表.csv")
    clerk.post(
        CONFIRM, {**preview.context["confirm_form"].initial, "original_file_name": "forged.csv"}
    )
    reasons = set(
        DataSharingRequest.history.filter(report=draft_2024).values_list(
            "history_change_reason", flat=True
        )
    )
    assert reasons == {"导入 登记表.csv"}


# 4. Nothing is left behind


@pytest.mark.parametrize(
    "content",
    [
        GBK.replace(b"110709", b"12a"),  # a row with an error
        "城市,年度\n淮安市,2024\n".encode(),  # columns missing
        b'[{"a": 1}, ' + b"[" * 5000 + b"]" * 5000 + b"]",  # nested too deeply
    ],
    ids=["row-error", "missing-columns", "deep-json"],
)
def test_a_refused_upload_leaves_no_file(clerk, draft_2024, upload_dir, content):
    name = "f.json" if content.startswith(b"[") else "f.csv"
    response = upload(clerk, content, name=name)
    assert response.status_code == 200
    assert response.context.get("confirm_form") is None
    assert left_in(upload_dir) == [] and not ImportUpload.objects.exists()


def test_abandoned_uploads_expire_on_the_next_upload_and_by_command(
    clerk, draft_2024, upload_dir, settings
):
    kept_dir, _system_tmp = upload_dir
    upload(clerk, GBK)
    old = ImportUpload.objects.get()
    stray = kept_dir / "stray-file-of-a-killed-process"
    stray.write_bytes(b"x")
    a_day_ago = timezone.now() - timedelta(hours=settings.IMPORT_UPLOAD_MAX_AGE_HOURS, minutes=1)
    ImportUpload.objects.filter(pk=old.pk).update(created_at=a_day_ago)
    for path in (old.path, stray):
        os.utime(path, (a_day_ago.timestamp(), a_day_ago.timestamp()))

    upload(clerk, GBK)  # a new upload sweeps the expired ones
    new = ImportUpload.objects.get()
    assert left_in(upload_dir) == [new.stored_name]
    assert clerk.post(CONFIRM, {"upload": old.token})["Location"] == IMPORT

    ImportUpload.objects.filter(pk=new.pk).update(created_at=a_day_ago)
    out = io.StringIO()
    call_command("purge_import_uploads", stdout=out)
    assert left_in(upload_dir) == [] and not ImportUpload.objects.exists()
    assert out.getvalue().strip() == "删除了 1 个过期的上传文件。"


# 7. A file too long for one request is refused before its rows are checked


def test_a_file_with_more_rows_than_a_request_can_import_is_refused_up_front(
    clerk, draft_2024, upload_dir, settings, django_assert_max_num_queries
):
    settings.IMPORT_MAX_ROWS = 3
    with django_assert_max_num_queries(12):  # no row is looked up, validated or written
        response = upload(clerk, GBK)
    page = response.content.decode()
    assert "共享登记.csv 超过 3 行，超出一次可在此导入的行数。" in page
    assert response.context.get("confirm_form") is None
    assert left_in(upload_dir) == []
    settings.IMPORT_MAX_ROWS = 4
    assert upload(clerk, GBK).context["confirm_form"] is not None


# 3. Hostile JSON: an error by record and column, never a 500 or a traceback


def sharing_json(**changes):
    records = json.loads(data("sharing.json"))
    records[1].update(changes)
    return json.dumps(records, ensure_ascii=False).encode()


def test_deep_json_is_refused_with_a_message(clerk, draft_2024, upload_dir):
    response = upload(clerk, b"[" * 200_000 + b"]" * 200_000, name="deep.json")
    assert response.status_code == 200
    assert "“deep.json”实际上不是 JSON 文件" in response.content.decode()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"1e400", "第 2 行「共享诉求数据量」："),
        (b"9" * 5000, "第 2 行「共享诉求数据量」："),
    ],
    ids=["1e400", "5000-digits"],
)
def test_huge_json_numbers_are_errors_of_their_cell(clerk, draft_2024, upload_dir, raw, message):
    key = '"共享诉求数据量": '.encode()
    content = sharing_json(共享诉求数据量=0).replace(key + b"0", key + raw)
    assert raw in content
    response = upload(clerk, content, name="s.json")
    assert response.status_code == 200
    page = response.content.decode()
    assert "s.json 有 1 处错误，未保存任何数据。" in page
    assert message in page
    assert not DataSharingRequest.private_objects.filter(report=draft_2024).exists()


@pytest.mark.parametrize(
    "tail",
    [
        b"[" * 200_000,
        '{"共享诉求数据量": 1e400}'.encode(),
        '{"共享诉求数据量": %s}'.encode() % (b"9" * 5000),
        '{"城市": '.encode() + b"[" * 200_000,
    ],
    ids=["deep-record", "1e400", "5000-digits", "deep-value"],
)
def test_hostile_json_in_record_2_is_an_error_not_a_traceback(draft_2024, tail, capsys):
    first = json.dumps(json.loads(data("sharing.json"))[0], ensure_ascii=False).encode()
    outcome = run("datasharingrequest", b"[" + first + b", " + tail + b"]", "s.json")
    assert not outcome.ok and not outcome.saved
    text = " ".join(outcome.messages())
    assert "第 2 条" in text or "第 2 行" in text
    assert "Traceback" not in capsys.readouterr().err
    assert not DataSharingRequest.private_objects.filter(report=draft_2024).exists()


# 5. A workbook that understates its size loses no row


def understated_xlsx() -> bytes:
    """Five rows, rows without their `r` attribute, and <dimension ref="A1:N2"/>."""
    book = openpyxl.Workbook()
    sheet = book.active
    rows = [line.split(",") for line in UTF8.splitlines() if "\t" not in line][:1]
    header = rows[0]
    sheet.append(header)
    for line in range(1, 6):
        cells = ["淮安市", 2024, 1, line, "淮安市", "市审计局", "U盘拷贝", "全量", ""]
        sheet.append([*cells, 10 * line, "", "", "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                text = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:N2"/>', text)
                text = re.sub(r'<row r="\d+"', "<row", text)
                text = re.sub(r'<c r="[A-Z]+\d+"', "<c", text)
                assert '<dimension ref="A1:N2"/>' in text and not re.search(r'\sr="', text)
                content = text.encode()
            target.writestr(item, content)
    return out.getvalue()


def test_an_xlsx_that_understates_its_dimension_imports_every_row(draft_2024):
    outcome = run("datasharingrequest", understated_xlsx(), "s.xlsx")
    assert outcome.ok, outcome.messages()
    assert (outcome.rows, outcome.new) == (5, 5)
    assert DataSharingRequest.private_objects.filter(report=draft_2024).count() == 5


# 6. Size: a cell longer than its field is refused with a message


def test_a_10_mb_cell_is_refused_by_row_and_column(clerk, draft_2024, upload_dir):
    huge = "长" * (10 * 1024 * 1024)
    content = UTF8.replace("审计分析", huge).encode("utf-8")
    response = upload(clerk, content, name="big.csv")
    page = response.content.decode()
    assert "第 2 行「用途」：这一格有 10,485,760 个字符，此处最多 10,000 个。" in page
    assert len(page) < 200_000  # the cell is not echoed back
    assert response.context.get("confirm_form") is None


def test_a_cell_longer_than_its_field_names_the_field_length(draft_2024):
    content = UTF8.replace("市政府分管领导审批", "批" * 201).encode("utf-8")
    outcome = run("datasharingrequest", content, "s.csv")
    assert "第 2 行「审批」：这一格有 201 个字符，此处最多 200 个。" in outcome.messages()
