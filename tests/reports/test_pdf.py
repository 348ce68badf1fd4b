"""The whole report as a PDF from the server, with its Chinese text as text."""

import io

import pytest
from pypdf import PdfReader

from ..jobs import body, get_pdf

pytestmark = pytest.mark.django_db


def test_the_report_pdf_has_the_chinese_title_and_embedded_fonts(client):
    response = get_pdf(client, "/reports/huaian/2023/report.pdf")  # 202, its job, then 200
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = body(response)
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "淮安市12345热线2023年度工作情况" in text
    assert "一、企业群众诉求办理" in text
    assert "1,438,746" in text
    fonts = {
        font.get_object()["/BaseFont"]
        for page in reader.pages
        for font in (page["/Resources"].get("/Font") or {}).values()
    }
    assert any("CJK" in name or "Hei" in name for name in fonts), fonts
    assert (
        client.get(
            "/reports/huaian/2023/report.pdf", headers={"if-none-match": response["ETag"]}
        ).status_code
        == 304
    )
