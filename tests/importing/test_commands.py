"""import_records, export_records: the same importer and exporter as the admin, from a shell."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from hotline.importing.service import stored_keys
from hotline.models import AnnualReport, DataSharingRequest

from .conftest import DATA, data, import_queries, run

pytestmark = pytest.mark.django_db


def call(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_dry_run_counts_and_saves_nothing(draft_2024):
    out, _err = call("import_records", "datasharingrequest", DATA / "sharing-gbk.csv", "--dry-run")
    assert out.strip() == "sharing-gbk.csv（试导入，未保存）：新增 4 条，修改 0 条，0 条未变。"
    assert not DataSharingRequest.private_objects.filter(report=draft_2024).exists()


def test_the_command_imports_with_the_user_in_the_history(draft_2024, data_entry_user):
    out, _err = call(
        "import_records", "数据共享", DATA / "sharing.xlsx", "--user", data_entry_user.username
    )
    assert out.strip() == "sharing.xlsx：新增 4 条，修改 0 条，0 条未变。"
    history = DataSharingRequest.history.filter(report=draft_2024)
    assert history.count() == 4
    assert {(h.history_user, h.history_change_reason) for h in history} == {
        (data_entry_user, "导入 sharing.xlsx")
    }


def test_errors_are_printed_by_row_and_column_and_the_command_fails(draft_2024, tmp_path):
    bad = tmp_path / "共享登记.csv"
    bad.write_bytes(data("sharing-gbk.csv").replace(b"110709", b"12a"))
    err = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_records", "datasharingrequest", bad, stderr=err)
    assert str(error.value) == "共享登记.csv 有 1 处错误，未保存任何数据。"
    assert err.getvalue().strip() == "共享登记.csv: 第 3 行「共享诉求数据量」：“12a”不是整数。"
    assert not DataSharingRequest.private_objects.filter(report=draft_2024).exists()


def test_an_unknown_kind_of_record_is_refused(tmp_path):
    with pytest.raises(CommandError, match="未知的记录类型“widgets”"):
        call("import_records", "widgets", DATA / "sharing-gbk.csv")


def register(rows):
    lines = ["城市,年度,序号,行号,行政层级,共享部门,共享方式,共享主题,期间,共享诉求数据量"]
    lines += [
        f"淮安市,2024,1,{n},淮安市,市审计局、市公安局,U盘拷贝,全量,2020.1.1—2023.12.31,{n}"
        for n in range(1, rows + 1)
    ]
    return "\n".join(lines).encode("gbk")


def test_the_queries_do_not_grow_with_the_rows(draft_2024, tmp_path):
    counts = []
    for rows in (5, 50):
        path = tmp_path / f"{rows}.csv"
        path.write_bytes(register(rows))
        with CaptureQueriesContext(connection) as queries:
            call("import_records", "datasharingrequest", path)
        counts.append(len(queries))
        DataSharingRequest.private_objects.filter(report=draft_2024).delete()
    # A savepoint; the lookups (regions, departments, methods, reports); the report locked;
    # its keys; a batch: savepoint, six inserts, release; the release. Whatever the rows.
    assert counts[0] == counts[1]
    assert counts[0] == import_queries(16, batches=1), counts


def test_queries_grow_only_by_batches(draft_2024):
    def queries(rows, batch_size):
        with CaptureQueriesContext(connection) as captured:
            outcome = run("datasharingrequest", register(rows), batch_size=batch_size)
        assert outcome.saved
        DataSharingRequest.private_objects.filter(report=draft_2024).delete()
        return len(captured)

    # Each batch: the stored records of its lines, a savepoint, six inserts (requests,
    # history, two links, their history), the release; on PostgreSQL the new keys of four of
    # them drawn first.
    per_batch = import_queries(9, batches=1) - import_queries(0)
    assert queries(30, batch_size=10) - queries(10, batch_size=10) == 2 * per_batch


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_on_postgresql_each_batch_is_copied_with_its_history_and_links(draft_2024):
    """Issue 15: the importer's batches written by COPY, keys drawn from each table's sequence
    first, every check and the history kept (the other tests here run on both databases)."""
    with CaptureQueriesContext(connection) as queries:
        outcome = run("datasharingrequest", register(30), batch_size=10)
    assert outcome.saved and outcome.new == 30
    written = [
        q["sql"].split(" (")[0].replace('"', "")
        for q in queries
        if q["sql"].startswith(("INSERT", "COPY"))
    ]
    assert (
        written
        == [
            "COPY hotline_datasharingrequest",
            "COPY hotline_historicaldatasharingrequest",
            "COPY hotline_datasharingrequest_recipients",
            "COPY hotline_datasharingrequest_methods",
            "COPY hotline_historicaldatasharingrequest_recipients",
            "COPY hotline_historicaldatasharingrequest_methods",
        ]
        * 3
    )
    stored = DataSharingRequest.private_objects.filter(report=draft_2024)
    assert sorted(stored.values_list("line", flat=True)) == list(range(1, 31))
    for request in stored:
        (record,) = request.history.all()
        assert {d.pk for d in request.recipients.all()} == {
            link.department_id for link in record.recipients.all()
        } and len(record.recipients.all()) == 2


def test_a_preview_checks_every_row_as_the_import_will_but_writes_nothing(draft_2024):
    """Writing and rolling back was half a preview's time (issue 16: upload to done)."""
    run("datasharingrequest", register(5))
    changed = register(30).replace("全量".encode("gbk"), "增量".encode("gbk"), 1)
    with CaptureQueriesContext(connection) as queries:
        preview = run("datasharingrequest", changed, dry_run=True, batch_size=10)
    written = [q["sql"] for q in queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]
    assert written == []
    imported = run("datasharingrequest", changed, batch_size=10)
    assert (preview.new, preview.updated, preview.skipped) == (25, 1, 4)
    assert (imported.new, imported.updated, imported.skipped) == (25, 1, 4)


def test_an_import_reads_the_stored_records_of_its_own_lines_only(draft_2024):
    """Not every stored line of the reports a file touches: a worker's memory then follows the
    file, not the register (issue 16: a worker's peak 274 MB with 200,000 stored keys)."""
    assert run("datasharingrequest", register(300)).saved
    table = connection.ops.quote_name(DataSharingRequest._meta.db_table)
    reads = []

    def record(execute, sql, params, many, context):
        if table in sql and sql.lstrip().upper().startswith(("SELECT", "WITH")):
            reads.append((sql, params))
        return execute(sql, params, many, context)

    edited = register(301).decode("gbk").splitlines()
    edited = [edited[0], *(line.replace("全量", "增量") for line in edited[-3:])]
    with connection.execute_wrapper(record):
        outcome = run("datasharingrequest", "\n".join(edited).encode("gbk"), dry_run=True)
    assert (outcome.new, outcome.updated) == (1, 2)
    with connection.cursor() as cursor:
        rows_read = []
        for sql, params in reads:
            cursor.execute(sql, params)
            rows_read.append(len(cursor.fetchall()))
    assert rows_read and max(rows_read) == 2, rows_read  # lines 299 and 300, stored


def test_progress_is_reported_after_each_batch(draft_2024):
    seen = []
    run("datasharingrequest", register(5), batch_size=2, progress=lambda *a: seen.append(a))
    # Checked, its records written, their history written, the batch done.
    assert [rows for rows, _fraction in seen] == [2] * 4 + [4] * 4 + [5] * 4
    assert seen[-1][1] == 1.0
    assert all(0 < fraction <= 1 for _rows, fraction in seen)


def test_progress_is_reported_between_batches_too(draft_2024):
    seen = []
    run("datasharingrequest", register(250), progress=lambda *a: seen.append(a))
    assert [rows for rows, _fraction in seen] == [100, 200, 250, 250, 250, 250]


def test_progress_is_reported_between_checking_a_batch_and_writing_it_and_between_its_writes(
    draft_2024,
):
    """A batch's checks and its writes each take about half its time, and on PostgreSQL its
    records and their history up to half a second each: progress comes between them too, so
    that the page's bar moves at least once a second on a busy machine."""
    seen = []
    history = DataSharingRequest.history.model.objects.filter(report=draft_2024)

    def progress(rows, _fraction):
        stored = DataSharingRequest.private_objects.filter(report=draft_2024).count()
        seen.append((rows, stored, history.count()))

    run("datasharingrequest", register(250), progress=progress, batch_size=100)
    # Each batch checked (nothing of it stored yet), its records written, their history, the
    # batch done; the last at the file's end.
    assert seen == [
        *[(100, 0, 0), (100, 100, 0), (100, 100, 100), (100, 100, 100)],
        *[(200, 100, 100), (200, 200, 100), (200, 200, 200), (200, 200, 200)],
        *[(250, 200, 200), (250, 250, 200), (250, 250, 250), (250, 250, 250)],
    ]


def test_on_postgresql_references_are_checked_as_each_batch_is_written(draft_2024):
    """Not all at the commit, after the last progress told (3.5 s for 100,000 rows): in the
    import's transaction, deleting the city that the rows name is refused at once."""
    if connection.vendor != "postgresql":
        pytest.skip("foreign keys checked at the commit are PostgreSQL's (deferred)")
    refused = []

    def progress(rows, _fraction):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("DELETE FROM hotline_region WHERE id = %s", [draft_2024.region_id])
        except IntegrityError:
            refused.append(rows)

    outcome = run("datasharingrequest", register(20), progress=progress, batch_size=10)
    assert outcome.ok, outcome.messages()
    # Each batch checked, its records written, their history, the batch done; the file's end.
    assert refused == [10] * 4 + [20] * 5


def test_an_export_from_the_command_imports_back_unchanged(report_2023, tmp_path):
    AnnualReport.private_objects.filter(pk=report_2023.pk).update(status="draft")
    for fmt in ("csv", "xlsx", "json"):
        path = tmp_path / f"figures.{fmt}"
        call("export_records", "figure", "--format", fmt, "-o", path, "--city", "huaian")
        outcome = run("figure", path.read_bytes(), path.name, dry_run=True)
        assert (outcome.new, outcome.updated, outcome.skipped) == (0, 0, 122)


def test_on_postgresql_stored_keys_are_found_through_the_unique_index(draft_2024):
    """Not by a hash of the whole table, which PostgreSQL plans for a join of the keys once the
    table holds some thousands of rows: a batch's look-up then grew with the register (30-64 ms
    a batch of 1,000 at 61,000 rows, against 3.5-5 ms through the index)."""
    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's: SQLite joins through the index whatever it holds")
    stored = [
        DataSharingRequest(
            report=draft_2024, group_number=1, line=n, region=draft_2024.region, records=n
        )
        for n in range(1, 10_001)
    ]
    DataSharingRequest.private_objects.bulk_create(stored)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {DataSharingRequest._meta.db_table}")
    keys = [(draft_2024.pk, n) for n in range(9_500, 10_500)]
    with CaptureQueriesContext(connection) as queries:
        found = stored_keys(DataSharingRequest, ["report", "line"], keys)
    assert sorted(line for _pk, _report, line in found) == list(range(9_500, 10_001))
    (query,) = queries
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + query["sql"])
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "Seq Scan" not in plan and "sharing_unique_line" in plan, plan
