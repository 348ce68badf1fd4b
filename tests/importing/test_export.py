"""Exports: CSV with a BOM, formulas that cannot run, and rows streamed a chunk at a time."""

import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext

from hotline import writers
from hotline.importing import exporting
from hotline.importing.columns import spec_for
from hotline.models import DataSharingRequest

from ..hotline import factories as f
from .conftest import run

pytestmark = pytest.mark.django_db

DANGEROUS = ['=HYPERLINK("http://x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]


def test_cells_that_would_run_as_formulas_cannot(draft_2024):
    for line, text in enumerate(DANGEROUS, start=1):
        f.make_sharing_request(draft_2024, line=line, scope=text, purpose="ok", records=line)
    queryset = DataSharingRequest.private_objects.filter(report=draft_2024)
    spec = spec_for("datasharingrequest")

    body = b"".join(writers.iter_csv(exporting.table(spec, queryset)))
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    scope = rows[0].index("共享主题")
    assert [row[scope] for row in rows[1:]] == ["'" + text for text in DANGEROUS]
    assert [row[rows[0].index("共享诉求数据量(件)")] for row in rows[1:]] == ["1", "2", "3", "4"]

    out = io.BytesIO()
    writers.write_xlsx(exporting.table(spec, queryset), out)
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    cells = [sheet.cell(row, scope + 1) for row in range(2, 6)]
    assert [c.value for c in cells] == DANGEROUS
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)

    # And the apostrophe does not come back: the text imports as it was.
    queryset.delete()
    for name, content in (("a.csv", body), ("a.xlsx", out.getvalue())):
        assert run("datasharingrequest", content, name).saved
        assert sorted(queryset.values_list("scope", flat=True)) == sorted(DANGEROUS)
        queryset.delete()


def test_a_workbooks_texts_import_back_as_they_were_written(draft_2024):
    """Lines ended as browsers send them (CRLF), and a text that looks like the workbook's own
    escape of a control character (`_x000D_`): the workbook escapes both, the importer reads
    them back."""
    texts = ["第一行\r\n第二行", "文件名_x000D_.xlsx", "a_x005F_b"]
    for line, text in enumerate(texts, start=1):
        f.make_sharing_request(draft_2024, line=line, scope="全量", note=text, records=line)
    queryset = DataSharingRequest.private_objects.filter(report=draft_2024)
    out = io.BytesIO()
    writers.write_xlsx(exporting.table(spec_for("datasharingrequest"), queryset), out)
    queryset.delete()
    assert run("datasharingrequest", out.getvalue(), "a.xlsx").saved
    assert list(queryset.order_by("line").values_list("note", flat=True)) == texts


def test_a_negative_number_stays_a_number():
    spec = spec_for("figure")
    negative = spec.model._default_manager.filter(change__lt=0)[:1]
    body = b"".join(writers.iter_csv(exporting.table(spec, negative)))
    assert ",-" in body.decode("utf-8-sig") and ",'-" not in body.decode("utf-8-sig")


def test_the_admin_export_streams(admin_client):
    response = admin_client.post(
        "/admin/hotline/datasharingrequest/export/", {"format": "0", "resource": "0"}
    )
    assert isinstance(response, StreamingHttpResponse)


def test_rows_are_read_a_chunk_at_a_time_as_the_file_is_written(draft_2024):
    """The mechanism that bounds memory: 1,200 requests, chunks of 100. When the first rows
    are written out, only the chunks they came from have been read (each chunk one query
    for its recipients and one for its methods); the rest is read as the file is written."""
    city = draft_2024.region
    department = f.make_department(city)
    method = f.make_method()
    requests = DataSharingRequest.private_objects.bulk_create(
        DataSharingRequest(
            report=draft_2024, group_number=1, line=n, region=city, scope="全量", records=n
        )
        for n in range(1, 1201)
    )
    DataSharingRequest.recipients.through.objects.bulk_create(
        DataSharingRequest.recipients.through(datasharingrequest=r, department=department)
        for r in requests
    )
    DataSharingRequest.methods.through.objects.bulk_create(
        DataSharingRequest.methods.through(datasharingrequest=r, sharingmethod=method)
        for r in requests
    )
    queryset = DataSharingRequest.private_objects.filter(report=draft_2024)
    table = exporting.table(spec_for("datasharingrequest"), queryset, chunk_size=100)
    chunks = writers.iter_csv(table)
    with CaptureQueriesContext(connection) as queries:
        header = next(chunks)
        assert len(queries) == 0 and header.startswith(b"\xef\xbb\xbf")
        first = next(chunks)  # the first 500 rows
        assert first.count(b"\r\n") == 500
        # The rows, 5 chunks' recipients and methods, and the report, the level, the unit and
        # the method each read once (exporting.Related), not once a chunk or a row.
        assert len(queries) == 1 + 2 * 5 + 4
        rest = b"".join(chunks)
    assert rest.count(b"\r\n") == 1200 - 500
    assert len(queries) == 1 + 2 * 12 + 4


@pytest.mark.parametrize("chunk_size", [1, 2])
@pytest.mark.parametrize("order", ["scope", "-line"])
def test_the_export_writes_what_the_orms_objects_give_in_the_lists_order(
    draft_2024, order, chunk_size
):
    """Related objects read once for the whole export (exporting.Related) give the cells the
    ORM's joined and prefetched objects give, the units in their order, in the list's order
    by whichever column it is sorted; chunks of one record each run one compiled links query
    with each chunk's keys."""
    city = draft_2024.region
    district = f.make_district(city)
    units = [f.make_department(city, name="乙局"), f.make_department(city, name="甲局")]
    far = f.make_department(district, name="丙局")
    f.make_sharing_request(draft_2024, recipients=[far, *units], line=1, scope="b")
    f.make_sharing_request(draft_2024, recipients=[units[1]], line=2, scope="c")
    bare = f.make_sharing_request(draft_2024, line=3, scope="a", region=district, note="备注")
    bare.recipients.clear()
    spec = spec_for("datasharingrequest")
    queryset = DataSharingRequest.private_objects.filter(report=draft_2024).order_by(order)

    written = list(exporting.rows(spec, queryset, chunk_size=chunk_size))

    orm = queryset.select_related(*spec.select_related).prefetch_related(*spec.prefetch_related)
    assert written == [[column.export(r) for column in spec.export_columns] for r in orm]
    assert [row[3] for row in written] == [r.line for r in queryset]
    assert [] in [row[5] for row in written]  # the request without recipients
