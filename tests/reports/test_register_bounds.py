"""A report's page and PDF print its data-sharing register in a bounded size, however long the
register: the summary (requests, records, by level and by method) and its first 25 rows, with
the way to the whole register, which is paged."""

import io
import re

import pytest
from pypdf import PdfReader

from hotline.models import DataSharingRequest, Region, SharingMethod
from reports.public_pages import PAGES, read
from reports.selectors.report import REGISTER_ROWS
from tests.hotline.factories import as_drafts

from ..jobs import pdf_bytes
from .factories import make_report

pytestmark = pytest.mark.django_db

URL = "/reports/nanjing/2023/"
ROWS = 300


@pytest.fixture
def long_register():
    """Nanjing 2023: 3 register lines from the factory, then 300 more, alternately at the city
    and at a district, by one method or two."""
    report = make_report("nanjing", 2023, records=3)
    city = report.region
    district = Region.objects.filter(parent=city).first() or city
    methods = list(SharingMethod.objects.order_by("order")[:2])
    with as_drafts(report):
        made = DataSharingRequest.private_objects.bulk_create(
            DataSharingRequest(
                report=report,
                group_number=1,
                line=n,
                region=district if n % 2 else city,
                scope=f"长台账{n}",
                records=n,
            )
            for n in range(4, 4 + ROWS)
        )
        through = DataSharingRequest.methods.through
        through.objects.bulk_create(
            through(datasharingrequest=r, sharingmethod=m)
            for r in made
            for m in methods[: 1 + r.line % 2]
        )
    return report


def test_the_report_page_shows_the_summary_and_the_first_25_rows(
    client, django_assert_num_queries, long_register
):
    with django_assert_num_queries(PAGES["/reports/huaian/2023/"]):
        page = read(client, URL).content.decode()
    assert len(re.findall(r'<tr data-line="', page)) == REGISTER_ROWS == 25
    requests = DataSharingRequest.private_objects.filter(report=long_register)
    total = sum(requests.values_list("records", flat=True))
    assert requests.count() == 303
    # Chinese by default: 303 requests, their records in all.
    assert f"数据共享台账共 303 次共享，共享诉求数据 {total:,} 件。" in page
    assert "仅显示 303 次共享中的前 25 次" in page
    assert 'href="/reports/nanjing/2023/tables/sharing-register/"' in page
    by_method = re.search(r"按共享方式.*?</tbody>", page, re.S)[0]
    first, second = SharingMethod.objects.order_by("order")[:2]
    # The factory's lines 1-3 have 2, 1 and 2 methods; every even line of the 300 has two.
    assert f'<th scope="row">{first.name}</th><td class="num">303</td>' in by_method
    assert f'<th scope="row">{second.name}</th><td class="num">152</td>' in by_method


def test_the_register_pages_and_the_pdf_say_where_the_rest_is(client, long_register):
    url = URL + "tables/sharing-register/"
    first = client.get(url).content.decode()
    assert len(re.findall(r'<tr data-line="', first)) == 50
    last = client.get(url + "?page=7").content.decode()
    assert len(re.findall(r'<tr data-line="', last)) == 303 - 6 * 50
    assert "第 7 页，共 7 页" in last
    pdf = pdf_bytes(client, URL + "report.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    text = re.sub(r"\s+", "", text)
    assert "此处仅列出303次共享中的前25次" in text
    assert "/reports/nanjing/2023/tables/sharing-register/" in text
