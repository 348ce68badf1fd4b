"""Charts are drawn on the server as SVG: seen without JavaScript, the same drawing on the page
and in the PDF, with a title and their numbers."""

import io
import re

import pytest
from pypdf import PdfReader

from ..jobs import pdf_bytes

pytestmark = pytest.mark.django_db

URL = "/reports/huaian/2023/"


def svg_of(html, chart_id):
    figure = re.search(rf'<figure class="chart" id="{chart_id}">.*?</figure>', html, re.S)
    return re.search(r"<svg .*?</svg>", figure.group(0), re.S).group(0)


def test_the_page_draws_its_charts_as_svg_without_script(client):
    html = client.get(URL).content.decode()
    assert "chart.umd" not in html and "charts.js" not in html and "<canvas" not in html
    sources = svg_of(html, "chart-appeal-sources")
    assert 'role="img"' in sources
    assert '<title id="chart-appeal-sources-svg-title">' in sources
    assert 'aria-labelledby="chart-appeal-sources-svg-title chart-appeal-sources-svg-desc"' in (
        sources
    )
    # The numbers as the page writes them, on the chart and in its description.
    assert sources.count("1,416,512") >= 2
    assert html.count('<svg class="chart-svg"') >= 5


def test_the_pdf_has_the_same_charts(client):
    html = client.get(URL).content.decode()
    reader = PdfReader(io.BytesIO(pdf_bytes(client, URL + "report.pdf")))
    text = "".join(page.extract_text() for page in reader.pages)
    for chart_id in ("chart-appeal-sources", "chart-top-departments"):
        title = re.search(r"<title id=\"[^\"]+\">([^<]+)</title>", svg_of(html, chart_id))
        assert title.group(1) in text.replace("\n", "")
    assert "1,416,512" in text


def test_a_chart_in_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(URL).content.decode()
    assert ">Where appeals came from</title>" in svg_of(html, "chart-appeal-sources")


def test_a_charts_labels_are_escaped_in_its_drawing_and_its_table(client):
    """A chart's labels are the catalogue's, which staff edit; its figure is written by
    reports.charts.chart_html, not a template."""
    from hotline.models import Indicator

    Indicator.objects.filter(code="appeals.total.source_phone").update(
        column_label='<b onclick="x()">电话</b>&'
    )
    html = client.get(URL).content.decode()
    figure = re.search(
        r'<figure class="chart" id="chart-appeal-sources">.*?</figure>', html, re.S
    ).group(0)
    assert "<b onclick" not in figure
    escaped = "&lt;b onclick=&quot;x()&quot;&gt;电话&lt;/b&gt;&amp;"
    assert f'<th scope="row">{escaped}</th>' in figure
    assert "<figcaption>诉求来源" in figure and "<summary>图表数据</summary>" in figure
