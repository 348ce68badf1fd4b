"""The measured steps of `make bench`, each run in a process of its own (so that its peak
memory is its own): `python -m bench.steps STEP --out result.json [options]`.

The database is the one DATABASE_URL names (the runner points it at a scratch database).
"""

import argparse
import csv
import importlib
import itertools
import json
import os
import re
import resource
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import django

from bench import load

# Where the data-sharing CSV's columns come from: the model's fields, records named by natural
# keys as the fixtures name them (the report by city slug and year, the district by slug,
# recipients by their names within the city, methods by code), lists separated by 、.
CSV_COLUMNS = [
    "city",
    "year",
    "group_number",
    "line",
    "region",
    "recipients",
    "methods",
    "scope",
    "period_start",
    "period_end",
    "records",
    "purpose",
    "approval",
    "delivered_on",
    "note",
]
SEPARATOR = "、"
FLOOR_LINES = 1_000_000  # imported rows are numbered from here, after the generated ones
STOCK_LINES = 2_000_000
PROJECT_LINES = 3_000_000
ADMIN_LINES = 4_000_000
COPY_LINES = 5_000_000
BATCH = 2000
ADMIN_IMPORT = "/admin/hotline/datasharingrequest/import/"
SAMPLE_SECONDS = 0.02  # how often the job's progress file is looked at


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# -- PLUG-IN POINT: the project's own importer (branch io, package hotline.importing) ----------


def import_with_project_importer(path: Path, *, line_offset: int) -> int:
    """Import the data-sharing CSV at `path` through the project's importer, with every
    validation it applies (and its history rows), and return the rows imported."""
    from hotline.importing.service import import_records

    with open(path, "rb") as stream:
        outcome = import_records("datasharingrequest", stream, file_name=path.name)
    if not outcome.saved:
        raise SystemExit(f"project import failed: {outcome.summary()} {outcome.messages()[:5]}")
    return outcome.rows


def offset_lines(path: Path, offset: int) -> Path:
    """The same CSV with its lines moved past the generated ones: new records, not updates."""
    moved = path.with_name(f"{path.stem}-{offset}{path.suffix}")
    with (
        open(path, newline="", encoding="utf-8") as src,
        open(moved, "w", newline="", encoding="utf-8") as out,
    ):
        reader, writer = csv.reader(src), csv.writer(out)
        header = next(reader)
        writer.writerow(header)
        line = header.index("line")
        for row in reader:
            row[line] = str(offset + int(row[line]))
            writer.writerow(row)
    return moved


# -- Steps -------------------------------------------------------------------------------------


def query_counts(args) -> dict:
    """Every public page (reports/public_pages.py) as an anonymous visitor reads it."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from reports.public_pages import every_page, read

    client = Client()
    counts = {}
    # Every download written in the request, as on the small database: the generated
    # register's workbook would be a job's (DOWNLOAD_BACKGROUND_ROWS), whose reading is the
    # same and whose request reads less.
    with override_settings(DOWNLOAD_BACKGROUND_ROWS=sys.maxsize):
        for url, expected in every_page().items():
            with CaptureQueriesContext(connection) as queries:
                status = read(client, url).status_code
            # A record's id differs once the data is generated again: compared by its kind.
            name = re.sub(r"/\d+/$", "/{id}/", url)
            counts[name] = {"queries": len(queries), "expected": expected, "status": status}
    return {"pages": counts}


def write_sharing_csv(args) -> dict:
    """A data-sharing CSV of `rows` rows over the synthetic reports, in the importer's format."""
    import random

    from hotline.models import AnnualReport, Department, Region, SharingMethod

    rng = random.Random(args.seed)
    reports = list(
        AnnualReport.private_objects.synthetic()
        .select_related("region")
        .order_by("region__order", "year")
    )
    if not reports:
        raise SystemExit("no synthetic report: run generate_demo first")
    districts, units = {}, {}
    for region in Region.objects.exclude(parent=None).select_related("parent"):
        districts.setdefault(region.parent.slug, []).append(region)
    for unit in Department.objects.select_related("region__parent"):
        units.setdefault(unit.region.slug, []).append(unit.name)
    methods = list(SharingMethod.objects.values_list("code", flat=True))
    started = time.monotonic()
    with open(args.path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for i in range(args.rows):
            report = reports[i % len(reports)]
            city = report.region.slug
            region = rng.choice(districts.get(city) or [report.region])
            names = units.get(region.slug) or units[city]
            year = report.year
            has_period = rng.random() < 0.6
            writer.writerow(
                [
                    city,
                    year,
                    1 + i // 3 % 50,
                    i // len(reports) + 1,
                    region.slug,
                    SEPARATOR.join(rng.sample(names, min(len(names), rng.randint(1, 2)))),
                    SEPARATOR.join(rng.sample(methods, rng.randint(1, 2))),
                    rng.choice(
                        ["民生保障工单", "城乡建设、住房保障工单", "全量工单", "噪音扰民工单"]
                    ),
                    f"{year - 1}-01-01" if has_period else "",
                    f"{year}-06-30" if has_period else "",
                    max(1, int(rng.lognormvariate(7, 1.6))),
                    rng.choice(["专项整治", "巡察监督", "案件办理", ""]),
                    rng.choice(["分管领导签批", ""]),
                    f"{year}-07-01" if rng.random() < 0.5 else "",
                    "",
                ]
            )
    return {"rows": args.rows, "seconds": time.monotonic() - started}


def _rows(path, limit=None):
    with open(path, newline="", encoding="utf-8") as source:
        for n, row in enumerate(csv.DictReader(source)):
            if limit is not None and n >= limit:
                return
            yield row


class Keys:
    """Natural keys of the CSV to primary keys, read once."""

    def __init__(self):
        from hotline.models import AnnualReport, Department, Region, SharingMethod

        self.reports = {
            (r.region.slug, r.year): r.pk
            for r in AnnualReport.private_objects.select_related("region")
        }
        self.regions = dict(Region.objects.values_list("slug", "pk"))
        self.units = {}
        for unit in Department.objects.select_related("region__parent"):
            city = unit.region.city.slug if unit.region.city else unit.region.slug
            self.units.setdefault((city, unit.name), unit.pk)
        self.methods = dict(SharingMethod.objects.values_list("code", "pk"))

    def resolve(self, row):
        city = row["city"]
        return (
            self.reports[(city, int(row["year"]))],
            self.regions[row["region"]],
            [self.units[(city, name)] for name in row["recipients"].split(SEPARATOR) if name],
            [self.methods[code] for code in row["methods"].split(SEPARATOR) if code],
        )


def import_floor(args) -> dict:
    """The floor: the same rows with plain bulk_create, through-table rows included, in
    batches in one transaction; no validation, no history."""
    from django.db import transaction
    from django.utils.dateparse import parse_date

    from hotline.models import DataSharingRequest

    before = peak_rss_mb()
    started = time.monotonic()
    keys = Keys()
    recipients = DataSharingRequest.recipients.through
    ways = DataSharingRequest.methods.through
    imported = 0

    def flush(batch):
        DataSharingRequest.private_objects.bulk_create([request for request, _r, _m in batch])
        recipients.objects.bulk_create(
            recipients(datasharingrequest_id=request.pk, department_id=unit)
            for request, units, _m in batch
            for unit in units
        )
        ways.objects.bulk_create(
            ways(datasharingrequest_id=request.pk, sharingmethod_id=method)
            for request, _r, methods in batch
            for method in methods
        )

    with transaction.atomic():
        batch = []
        for row in _rows(args.path, args.limit):
            report, region, units, methods = keys.resolve(row)
            request = DataSharingRequest(
                report_id=report,
                group_number=int(row["group_number"]),
                line=FLOOR_LINES + int(row["line"]),
                region_id=region,
                scope=row["scope"],
                period_start=parse_date(row["period_start"]) if row["period_start"] else None,
                period_end=parse_date(row["period_end"]) if row["period_end"] else None,
                records=int(row["records"]),
                purpose=row["purpose"],
                approval=row["approval"],
                delivered_on=parse_date(row["delivered_on"]) if row["delivered_on"] else None,
                note=row["note"],
            )
            batch.append((request, units, methods))
            imported += 1
            if len(batch) == BATCH:
                flush(batch)
                batch = []
        flush(batch)
    seconds = time.monotonic() - started
    return {"rows": imported, "seconds": seconds, "peak_mb": peak_rss_mb(), "start_mb": before}


def import_copy(args) -> dict:
    """PostgreSQL's physical floor (issue 15): the same rows written with COPY (psycopg 3's
    cursor.copy), their ids drawn from the table's sequence first so that the through rows can
    name them; no validation, no history. Only on PostgreSQL."""
    from django.db import connection, transaction
    from django.utils.dateparse import parse_date

    from hotline.models import DataSharingRequest

    if connection.vendor != "postgresql":
        return {"skipped": f"COPY is PostgreSQL's; this is {connection.vendor}"}
    before = peak_rss_mb()
    started = time.monotonic()
    keys = Keys()
    meta = DataSharingRequest._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    rows = list(_rows(args.path, args.limit))
    dates = {"period_start", "period_end", "delivered_on"}
    through = {}  # through table: [(request id, other id)]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        copy = f"COPY {connection.ops.quote_name(meta.db_table)} (id, {columns}) FROM STDIN"
        with cursor.cursor.copy(copy) as out:
            for pk, row in zip(ids, rows, strict=True):
                report, region, units, methods = keys.resolve(row)
                given = {
                    **row,
                    "report": report,
                    "region": region,
                    "line": COPY_LINES + int(row["line"]),
                }
                values = []
                for f in fields:
                    value = given.get(f.name, f.get_default())
                    if f.name in dates:
                        value = parse_date(value) if value else None
                    values.append(value)
                out.write_row([pk, *values])
                for relation, others in (("recipients", units), ("methods", methods)):
                    through.setdefault(relation, []).extend((pk, other) for other in others)
        for relation, pairs in through.items():
            table = getattr(DataSharingRequest, relation).through
            owner, other = (f.column for f in table._meta.concrete_fields if not f.primary_key)
            name = connection.ops.quote_name(table._meta.db_table)
            with cursor.cursor.copy(f"COPY {name} ({owner}, {other}) FROM STDIN") as out:
                for pair in pairs:
                    out.write_row(pair)
    seconds = time.monotonic() - started
    return {"rows": len(rows), "seconds": seconds, "peak_mb": peak_rss_mb(), "start_mb": before}


def import_stock(args) -> dict:
    """What a user gets without us: django-import-export's ModelResource for the model, with
    default options, fed the same rows keyed as its default widgets expect (primary keys)."""
    import tablib
    from import_export import fields, resources, widgets

    from hotline.models import AnnualReport, DataSharingRequest

    # The one thing a stock resource cannot guess: reports have no default manager (every
    # reader picks private or public), so the report's widget is told which one.
    class ReportWidget(widgets.ForeignKeyWidget):
        def get_queryset(self, value, row, *args, **kwargs):
            return AnnualReport.private_objects.all()

    class SharingResource(resources.ModelResource):
        report = fields.Field("report", "report", ReportWidget(AnnualReport))

        class Meta:
            model = DataSharingRequest

    keys = Keys()
    headers = [
        "report",
        "group_number",
        "line",
        "region",
        "recipients",
        "methods",
        "scope",
        "period_start",
        "period_end",
        "records",
        "purpose",
        "approval",
        "delivered_on",
        "note",
    ]
    dataset = tablib.Dataset(headers=headers)
    for row in _rows(args.path, args.limit):
        report, region, units, methods = keys.resolve(row)
        dataset.append(
            [
                report,
                row["group_number"],
                STOCK_LINES + int(row["line"]),
                region,
                ",".join(map(str, units)),
                ",".join(map(str, methods)),
                row["scope"],
                row["period_start"],
                row["period_end"],
                row["records"],
                row["purpose"],
                row["approval"],
                row["delivered_on"],
                row["note"],
            ]
        )
    with synthetic_drafts():
        before = peak_rss_mb()
        started = time.monotonic()
        result = SharingResource().import_data(dataset, dry_run=False)
        seconds = time.monotonic() - started
    if result.has_errors() or result.has_validation_errors():
        invalid = [(row.number, row.error_dict) for row in result.invalid_rows[:3]]
        raise SystemExit(f"stock import failed: {result.totals} {invalid}")
    return {"rows": len(dataset), "seconds": seconds, "peak_mb": peak_rss_mb(), "start_mb": before}


@contextmanager
def synthetic_drafts():
    """Importers refuse records of a published report, as they must: the synthetic reports are
    drafts while one runs (outside the timing), published again after."""
    from hotline.models import AnnualReport

    synthetic = AnnualReport.private_objects.synthetic()
    published = list(synthetic.published().values_list("pk", flat=True))
    synthetic.update(status=AnnualReport.Status.DRAFT)
    try:
        yield
    finally:
        AnnualReport.private_objects.filter(pk__in=published).update(
            status=AnnualReport.Status.PUBLISHED
        )


def import_project(args) -> dict:
    path = offset_lines(Path(args.path), PROJECT_LINES)
    with synthetic_drafts():
        before = peak_rss_mb()
        started = time.monotonic()
        rows = import_with_project_importer(path, line_offset=PROJECT_LINES)
        seconds = time.monotonic() - started
    path.unlink()
    return {"rows": rows, "seconds": seconds, "peak_mb": peak_rss_mb(), "start_mb": before}


def admin_import_job(args, *, worker_env=None) -> dict:
    """The same file as import_project, uploaded to the admin's import by a data-entry clerk
    (the test client, the real views), which makes it a background job (hotline.importing.jobs):
    its preview, then, once confirmed, its import, each run by a real worker (`manage.py
    db_worker` in a process of its own, started before the upload, as deployed).

    Measured: the request that starts the job; upload to done; the largest gap between the
    job's progress updates while a step runs (the worker rewrites a progress file beside the
    upload, which the job's page polls; looked at every SAMPLE_SECONDS from here, its end
    being the job's state leaving "running"); the worker's peak RSS (VmHWM).
    """
    import subprocess
    import tempfile
    import threading

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client, override_settings
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    from hotline import roles
    from hotline.models import DataSharingRequest, ImportJob

    path = offset_lines(Path(args.path), ADMIN_LINES)
    with open(path, newline="", encoding="utf-8") as source:
        rows = sum(1 for _row in csv.reader(source)) - 1
    user = get_user_model().objects.create_user(
        f"bench-clerk-{os.getpid()}-{time.monotonic_ns()}", is_staff=True
    )
    user.groups.add(Group.objects.get(name=roles.DATA_ENTRY))
    client = Client()
    client.force_login(user)
    # The clerk opens the upload page first, as in a browser: the process is warm, as a
    # deployed one is (pdf_job_start's first request shows the cold start's cost).
    if client.get(ADMIN_IMPORT).status_code != 200:
        raise SystemExit(f"{ADMIN_IMPORT} did not answer 200 to a data-entry clerk")
    with open(path, "rb") as upload:
        body = encode_multipart(BOUNDARY, {"import_file": upload, "format": "0"})
    before = DataSharingRequest.private_objects.filter(line__gt=ADMIN_LINES).count()

    with (
        tempfile.TemporaryDirectory(prefix="hotline-bench-imports-") as folder,
        # Only a file of more rows than this is a job: the small run's file too.
        override_settings(
            IMPORT_UPLOAD_DIR=Path(folder),
            IMPORT_BACKGROUND_ROWS=min(settings.IMPORT_BACKGROUND_ROWS, rows - 1),
        ),
        synthetic_drafts(),
    ):
        env = {
            **(worker_env or os.environ),
            "IMPORT_UPLOAD_DIR": folder,
            "DJANGO_SETTINGS_MODULE": "hotline.settings",
        }
        worker = load.db_worker(
            env,
            queue="default",  # the imports' queue
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        output, ready = [], threading.Event()

        def drain():
            for line in worker.stdout:
                output.append(line)
                if "Starting worker" in line:
                    ready.set()
            ready.set()

        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        try:
            if not ready.wait(60) or worker.poll() is not None:
                raise SystemExit(f"db_worker did not start: {''.join(output)[-2000:]}")
            start_mb = load.status_mb(worker.pid, "VmHWM")
            started = time.perf_counter()
            response = client.generic("POST", ADMIN_IMPORT, body, content_type=MULTIPART_CONTENT)
            start_ms = (time.perf_counter() - started) * 1000
            if response.status_code != 302 or "/importjob/" not in response["Location"]:
                raise SystemExit(f"the upload answered {response.status_code}, not a job")
            job = ImportJob.objects.get(user=user)
            watched = watch_job(job, worker, output, confirm=lambda: client.post(
                f"/admin/hotline/importjob/{job.pk}/confirm/"
            ))  # fmt: skip
            seconds = time.perf_counter() - started
            peak_mb = load.status_mb(worker.pid, "VmHWM")
        finally:
            if worker.poll() is None:
                worker.terminate()
            worker.wait(30)
            reader.join(5)
        job.refresh_from_db()
        if job.state != ImportJob.DONE:
            raise SystemExit(f"import job {job.state}: {job.error[:2000]}")
        # The job's files are gone once it is done (the worker removes them).
        left = sorted(p.name for p in Path(folder).iterdir() if p.name != job.stored_name)
        assert not left, left
    path.unlink()
    imported = DataSharingRequest.private_objects.filter(line__gt=ADMIN_LINES).count() - before
    if imported != rows:
        raise SystemExit(f"the admin's job imported {imported} rows of {rows}")
    return {
        "rows": rows,
        "bytes": len(body),
        "start_ms": start_ms,
        "seconds": seconds,
        "peak_mb": peak_mb,
        "start_mb": start_mb,
        **watched,
    }


def watch_job(job, worker, output, *, confirm) -> dict:
    """Follow the job through its preview and its import, confirming it once it waits; per
    step, the moments its progress file was rewritten and when the step ended."""
    from hotline.importing import jobs
    from hotline.models import ImportJob

    progress = jobs._side(job, "progress")
    steps = {}  # step: {"queued": t, "running": t, "updates": [t, ...], "ended": t}
    seen = None
    last_query = 0.0
    step = ImportJob.PREVIEW
    steps[step] = {"queued": time.perf_counter(), "updates": []}
    confirmed_at = None
    while True:
        now = time.perf_counter()
        try:
            stat = progress.stat()
            key = (stat.st_ino, stat.st_mtime_ns)
        except FileNotFoundError:
            key = None
        if key is not None and key != seen:
            steps[step].setdefault("running", now)
            steps[step]["updates"].append(now)
        seen = key
        if now - last_query >= 5 * SAMPLE_SECONDS:
            last_query = now
            job.refresh_from_db(fields=["state", "step", "error", "seconds"])
            if job.state == ImportJob.RUNNING:
                steps[step].setdefault("running", now)
            elif job.state == ImportJob.WAITING and step == ImportJob.PREVIEW:
                steps[step]["ended"] = now
                steps[step]["worker_seconds"] = job.seconds
                confirm()
                confirmed_at = time.perf_counter()
                step = ImportJob.IMPORT
                steps[step] = {"queued": confirmed_at, "updates": []}
                seen = None
            elif job.state in ImportJob.ENDED:
                steps[step]["ended"] = now
                steps[step]["worker_seconds"] = job.seconds
                break
        if worker.poll() is not None:
            raise SystemExit(f"db_worker stopped ({worker.returncode}): {''.join(output)[-2000:]}")
        time.sleep(SAMPLE_SECONDS)
    if job.state != ImportJob.DONE:
        raise SystemExit(f"import job {job.state} in its {step}: {job.error[:2000]}")
    result = {"max_gap": 0.0, "updates": 0}
    for name, found in steps.items():
        # A short step can start and end between two looks: then when it ran is known only
        # from the duration the worker recorded on the job.
        running = found.get("running", found["ended"] - (found["worker_seconds"] or 0.0))
        moments = [running, *found["updates"], found["ended"]]
        gaps = [b - a for a, b in itertools.pairwise(moments)]
        result[f"{name}_seconds"] = found["worker_seconds"]
        result[f"{name}_queued"] = running - found["queued"]
        result[f"{name}_max_gap"] = max(gaps, default=0.0)
        result[f"{name}_gaps"] = [round(gap, 3) for gap in gaps]
        result["max_gap"] = max(result["max_gap"], result[f"{name}_max_gap"])
        result["updates"] += len(found["updates"])
    return result


def export_csv(args) -> dict:
    """The public site's streamed download of the whole data-sharing register, as its first
    reader gets it: written while it is sent, into a download store of its own (the query
    counts' step has read the same URL into the site's store, which would serve the file)."""
    import tempfile

    from django.test import Client, override_settings

    before = peak_rss_mb()
    with tempfile.TemporaryDirectory() as folder, override_settings(DOWNLOADS_DIR=folder):
        started = time.monotonic()
        response = Client().get("/data-sharing.csv")
        if response.status_code != 200 or not response.streaming:
            raise SystemExit(f"/data-sharing.csv answered {response.status_code}")
        return _read_to_the_end(response.streaming_content, started, before)


def export_admin(args) -> dict:
    """The admin's export of the same published rows as CSV, the bytes its response streams
    (hotline.importing.exporting, which `export_records` writes through too), against the
    same floor (issue 15: every streamed download within 2 × of it)."""
    from hotline import writers
    from hotline.importing import exporting
    from hotline.models import DataSharingRequest

    before = peak_rss_mb()
    started = time.monotonic()
    table = exporting.table("datasharingrequest", DataSharingRequest.public_objects.all())
    return _read_to_the_end(writers.iter_csv(table), started, before)


def export_xlsx_job(args) -> dict:
    """The whole register's workbook as its first reader gets it: the request that queues its
    job (202 生成中: a list of more than DOWNLOAD_BACKGROUND_ROWS records, the small run's
    too), the job run here as a worker runs it, then the file sent from the store."""
    import tempfile

    from django.conf import settings
    from django.test import Client, override_settings
    from django_tasks_db.models import DBTaskResult

    from hotline.models import DataSharingRequest

    url = "/data-sharing.xlsx"
    rows = DataSharingRequest.public_objects.count()
    before = peak_rss_mb()
    with (
        tempfile.TemporaryDirectory() as folder,
        override_settings(
            DOWNLOADS_DIR=folder,
            DOWNLOAD_BACKGROUND_ROWS=min(settings.DOWNLOAD_BACKGROUND_ROWS, rows - 1),
        ),
    ):
        client = Client()
        started = time.perf_counter()
        first = client.get(url)
        queued_ms = (time.perf_counter() - started) * 1000
        if first.status_code != 202:
            raise SystemExit(f"{url} answered {first.status_code}, not 202")
        job = DBTaskResult.objects.get(task_path="reports.tasks.write_record_list")
        try:
            started = time.perf_counter()
            job.task.call(*job.args_kwargs["args"])
            seconds = time.perf_counter() - started
        finally:
            job.delete()  # run here: no worker of a later step takes it
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code} once its job ran")
        size = sum(len(chunk) for chunk in response.streaming_content)
    return {
        "rows": rows,
        "bytes": size,
        "queued_ms": queued_ms,
        "seconds": seconds,
        "peak_mb": peak_rss_mb(),
        "start_mb": before,
    }


def _read_to_the_end(chunks, started: float, before: float) -> dict:
    """A CSV download's rows, bytes, seconds since `started` and the process's memory."""
    size = lines = 0
    for chunk in chunks:
        size += len(chunk)
        lines += chunk.count(b"\r\n")
    return {
        "rows": lines - 1,
        "bytes": size,
        "seconds": time.monotonic() - started,
        "peak_mb": peak_rss_mb(),
        "start_mb": before,
    }


def export_floor(args) -> dict:
    """The floor for the register's download (issue 15): the same published rows and columns
    written by a plain csv.writer over values_list(), each to-many relation read in one query
    into a dict; no model instances, no translation, no download store. What a download can
    approach, not pass."""
    import tempfile

    from hotline.models import DataSharingRequest

    requests = DataSharingRequest.public_objects.order_by("report", "group_number", "line")
    columns = ["report__region__name", "report__year", "group_number", "line", "region__name",
               "scope", "period_start", "period_end", "records", "purpose", "approval",
               "delivered_on", "note"]  # fmt: skip
    before = peak_rss_mb()
    started = time.monotonic()
    related = {}
    for relation in ("recipients", "methods"):
        names = related[relation] = {}
        for pk, name in requests.order_by().values_list("pk", f"{relation}__name"):
            names.setdefault(pk, []).append(name)
    rows = 0
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([*columns, "recipients", "methods"])
        for pk, *values in requests.values_list("pk", *columns).iterator(chunk_size=2000):
            recipients = SEPARATOR.join(filter(None, related["recipients"].get(pk, ())))
            methods = SEPARATOR.join(filter(None, related["methods"].get(pk, ())))
            writer.writerow([*values, recipients, methods])
            rows += 1
        size = out.tell()
    seconds = time.monotonic() - started
    return {
        "rows": rows,
        "bytes": size,
        "seconds": seconds,
        "peak_mb": peak_rss_mb(),
        "start_mb": before,
    }


def pdf_job_start(args) -> dict:
    """The request that finds no PDF for its version and queues its job (202 生成中), for
    up to `limit` published reports; the job itself is not run (no worker here)."""
    import statistics
    import tempfile

    from django.test import Client, override_settings

    from hotline.models import AnnualReport

    reports = AnnualReport.public_objects.select_related("region").order_by("-year")
    urls = [f"/reports/{r.region.slug}/{r.year}/report.pdf" for r in reports[: args.limit or 20]]
    timings = []
    with tempfile.TemporaryDirectory() as folder, override_settings(DOWNLOADS_DIR=folder):
        client = Client()
        for url in urls:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 202:
                raise SystemExit(f"{url} answered {response.status_code}, not 202")
    # The first pays for the process's cold start (imports, templates), once per worker.
    first, warm = timings[0], timings[1:] or timings
    return {
        "requests": len(timings),
        "first_ms": first,
        "median_ms": statistics.median(warm),
        "max_ms": max(warm),
    }


def staff_session(args) -> dict:
    """A reviewer signed in (the real login's session, in the database as deployed): the
    cookie the load test sends as staff, who see drafts and are never served from a cache."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    from hotline import roles

    user = get_user_model().objects.create_user(
        f"bench-reviewer-{os.getpid()}-{time.monotonic_ns()}", is_staff=True
    )
    user.groups.add(Group.objects.get(name=roles.REVIEWERS))
    client = Client()
    client.force_login(user)
    return {"cookie": f"{settings.SESSION_COOKIE_NAME}={client.session.session_key}"}


def resolves(args) -> dict:
    from django.urls import Resolver404, resolve

    try:
        resolve(args.url)
    except Resolver404:
        return {"resolves": False}
    return {"resolves": True}


STEPS = {
    "query_counts": query_counts,
    "write_csv": write_sharing_csv,
    "import_floor": import_floor,
    "import_stock": import_stock,
    "import_project": import_project,
    "admin_import_job": admin_import_job,
    "export_csv": export_csv,
    "export_admin": export_admin,
    "export_floor": export_floor,
    "export_xlsx_job": export_xlsx_job,
    "import_copy": import_copy,
    "resolves": resolves,
    "staff_session": staff_session,
    "pdf_job_start": pdf_job_start,
}

# The steps that time requests, as a web worker answers them.
SERVED = {
    "query_counts",
    "admin_import_job",
    "export_csv",
    "export_admin",
    "export_xlsx_job",
    "resolves",
    "staff_session",
    "pdf_job_start",
}


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=sorted(STEPS))
    parser.add_argument("--out", required=True)
    parser.add_argument("--path")
    parser.add_argument("--rows", type=int, default=0)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--url")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    if args.step in SERVED:
        # The site as gunicorn's master loads it before forking the workers that serve it
        # (its views imported, its templates compiled): a first request here is a deployed
        # worker's. The other steps are commands, whose processes do not load it.
        importlib.import_module("hotline.wsgi")
    else:
        django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host name is allowed, as in tests
    result = STEPS[args.step](args)
    Path(args.out).write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
