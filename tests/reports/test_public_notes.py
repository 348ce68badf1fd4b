"""Notes for staff stay with staff; the public notes speak the page's language only."""

import io
import json

import pytest
from django.urls import reverse
from pypdf import PdfReader

from hotline.models import AnnualReport

from ..jobs import pdf_bytes

pytestmark = pytest.mark.django_db

URL = "/reports/huaian/2023/"
STAFF_NOTE = "统计公报"  # the note telling staff where to find the population
# The staff note as it stood in the public source line before.
OLD_STAFF_NOTE = "The population is not in the report"


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})


def public_surfaces(client):
    yield "page", client.get(URL).content.decode()
    yield "table", client.get(URL + "tables/appeals.json").content.decode()
    yield "api", client.get("/api/v1/reports/huaian/2023/").content.decode()
    pdf = PdfReader(io.BytesIO(pdf_bytes(client, URL + "report.pdf")))
    yield "pdf", "".join(page.extract_text() for page in pdf.pages)


def test_the_staff_note_is_kept_apart_and_shown_to_staff_only(client, admin_client):
    report = AnnualReport.private_objects.get(region__slug="huaian", year=2023)
    assert STAFF_NOTE in report.staff_note and STAFF_NOTE not in report.source
    for surface, text in public_surfaces(client):
        assert STAFF_NOTE not in text and OLD_STAFF_NOTE not in text, surface
    english(client)
    for surface, text in public_surfaces(client):
        assert STAFF_NOTE not in text and OLD_STAFF_NOTE not in text, surface
    change = admin_client.get(reverse("admin:hotline_annualreport_change", args=[report.pk]))
    assert STAFF_NOTE in change.content.decode()


def test_table_and_cell_notes_speak_one_language(client):
    page = client.get(URL).content.decode()
    assert "文件列表见“制度规范”记录。" in page
    assert "印发表格第四个数，无对应表头，原样保留。" in page
    assert "The documents themselves are policy-document records." not in page
    assert "The fourth printed value, with no header" not in page
    english(client)
    page = client.get(URL).content.decode()
    assert "The documents themselves are policy-document records." in page
    assert "The fourth printed value, with no header; kept as published." in page
    assert "文件列表见" not in page and "印发表格第四个数" not in page
    rows = json.loads(client.get(URL + "tables/talent.json").content)["rows"]
    note = next(r["note"] for r in rows if r["indicator"] == "talent.unlabelled")
    assert note == "The fourth printed value, with no header; kept as published."
