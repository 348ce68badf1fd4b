"""When and how a report was published: load_fixtures records it, the page and the PDF say it;
the PDF's pages are looked at as images, not only as text."""

import subprocess

import pytest
from PIL import Image, ImageStat

from hotline.models import AnnualReport, ReportEvent

from ..jobs import pdf_bytes

pytestmark = pytest.mark.django_db

URL = "/reports/huaian/2023/"


def test_loading_the_fixtures_records_how_the_2023_report_was_published():
    report = AnnualReport.private_objects.get(region__slug="huaian", year=2023)
    [event] = report.events.all()
    assert event.action == ReportEvent.Action.PUBLISH and event.by is None
    assert "fixtures/seed/huaian-12345-2023-annual-report.txt" in event.reason
    assert report.source.strip("。") in event.reason
    assert report.published_at == event.at


def test_the_page_says_when_and_how(client):
    page = client.get(URL).content.decode()
    assert '<span class="published-how">(按印发原文载入)</span>' in page
    assert "发布 <time datetime=" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(URL).content.decode()
    assert "(loaded as printed from the source document)" in page


@pytest.fixture
def pdf(client, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf_bytes(client, URL + "report.pdf"))
    return path


def test_the_pdf_opens_with_when_and_where_not_a_mistranslated_online(pdf):
    first_page = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = [line.strip() for line in first_page.splitlines() if line.strip()]
    meta = next(line for line in lines if "网页版：" in line)
    assert meta.startswith("已发布") and "按印发原文载入" in meta
    assert meta.endswith("/reports/huaian/2023/")
    # "Online:" was once translated as the column name 在线解答 (a column of a table below)
    assert not meta.startswith("在线解答") and "在线解答：" not in first_page


def test_every_pdf_page_renders_as_an_image_with_content(pdf, tmp_path):
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) >= 3
    for png in pages:
        image = Image.open(png).convert("L")
        assert image.width < image.height  # A4 portrait
        # Not blank: some ink on every page (a white page has a minimum of 255).
        assert ImageStat.Stat(image).extrema[0][0] < 128, png.name
