import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation
from openpyxl import Workbook

from hotline.uploads import validate_upload


def upload(name, content: bytes):
    return SimpleUploadedFile(name, content)


def xlsx_bytes():
    buffer = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(["indicator", "value"])
    workbook.active.append(["appeals.total.total", 1450699])
    workbook.save(buffer)
    return buffer.getvalue()


def refusal(file, **kwargs):
    with pytest.raises(ValidationError) as caught:
        validate_upload(file, **kwargs)
    return " ".join(caught.value.messages)


@pytest.mark.parametrize(
    ("name", "content", "kind", "encoding"),
    [
        ("figures.xlsx", xlsx_bytes(), "xlsx", ""),
        ("figures.csv", "指标,数值\n诉求总量,1450699\n".encode(), "csv", "utf-8-sig"),
        ("figures.csv", "\ufeff指标,数值\n".encode(), "csv", "utf-8-sig"),
        ("figures.csv", "指标,数值\n诉求总量,1450699\n".encode("gbk"), "csv", "gb18030"),
        ("FIGURES.JSON", json.dumps({"指标": 1}, ensure_ascii=False).encode(), "json", "utf-8-sig"),
    ],
)
def test_files_that_are_what_they_claim_pass(name, content, kind, encoding):
    file = upload(name, content)
    checked = validate_upload(file)
    assert (checked.kind, checked.encoding) == (kind, encoding)
    assert file.tell() == 0  # the importer reads from the start


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("figures.xlsx", "指标,数值\n".encode()),  # a CSV renamed
        ("figures.xlsx", b"PK\x03\x04 not really a zip"),
        ("figures.csv", xlsx_bytes()),  # a spreadsheet renamed: binary, NUL bytes
        ("figures.csv", b"a,b\x00c\n"),
        ("figures.json", b"{not json"),
        ("figures.json", "[1, 2".encode("utf-16")),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused_by_name(name, content):
    message = refusal(upload(name, content))
    assert name in message


def test_a_zip_that_is_not_a_spreadsheet_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "book.xlsx" in refusal(upload("book.xlsx", buffer.getvalue()))


def test_a_zip_bomb_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 2_000_000)
    assert len(buffer.getvalue()) < 10_000
    with override_settings(IMPORT_MAX_UPLOAD_BYTES=10_000):
        assert "bomb.xlsx" in refusal(upload("bomb.xlsx", buffer.getvalue()))


def test_too_large_and_wrong_types_and_empty_files_are_refused():
    with override_settings(IMPORT_MAX_UPLOAD_BYTES=10):
        assert "big.csv" in refusal(upload("big.csv", b"a,b\n1,2\n3,4\n"))
    assert "figures.exe" in refusal(upload("figures.exe", b"MZ"))
    assert "data.json" in refusal(upload("data.json", b"{}"), allowed=("csv",))
    assert "empty.csv" in refusal(upload("empty.csv", b""))


def test_bytes_that_are_neither_utf8_nor_gb18030_are_refused():
    assert "odd.csv" in refusal(upload("odd.csv", b"\xff\xfe\xfd\x80\x80"))


def test_the_message_is_in_chinese_by_default():
    with translation.override("zh-hans"):
        message = refusal(upload("figures.json", b"{not json"))
    assert "figures.json" in message and "JSON" in message
    assert message != "“figures.json” is not really a JSON file; nothing was imported."
