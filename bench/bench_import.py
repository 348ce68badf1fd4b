"""How fast a large data-sharing register imports, against two yardsticks, in one run.

    .venv/bin/python bench/bench_import.py [--rows 100000] [--stock-rows 5000] [--repeat 2]

Writes a CSV of `rows` data-sharing requests (as staff would: Chinese headers, 1,234,567,
2020.1.1—2023.12.31, recipients separated by 、) and times, each in a transaction rolled back:

1. a plain bulk_create of the same rows (the requests and their recipient and method links),
   read with the csv module and converted with no validation: the floor;
2. the project's importer (hotline.importing.service.import_records): every validation, the
   history rows, one transaction;
3. a stock django-import-export ModelResource with default options, on the first
   `stock-rows` rows (it makes dozens of queries a row; the full file would take long).

The database is DATABASE_URL, by default a fresh SQLite file in var/ (migrated and loaded).
Peak memory is measured apart, with /usr/bin/time -v around the commands: see the README.
"""

import argparse
import csv
import os
import random
import sys
import time
from datetime import date
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
# As in production: with DEBUG on, Django formats and keeps every query's SQL, which costs
# both yardsticks time and the importer memory.
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{BASE / 'var' / 'bench.sqlite3'}")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import translation  # noqa: E402

from hotline.importing.columns import spec_for  # noqa: E402
from hotline.importing.service import import_records  # noqa: E402
from hotline.models import (  # noqa: E402
    AnnualReport,
    DataSharingRequest,
    Department,
    Region,
    SharingMethod,
)

CITY, YEAR = "huaian", 2031
SCOPES = ["全量", "噪声污染和物业管理", "食品、药品、环境", "公务员考试、培训", "房屋建设，交通"]


def setup():
    call_command("migrate", verbosity=0)
    call_command("load_fixtures", verbosity=0)
    city = Region.objects.get(slug=CITY)
    report, _ = AnnualReport.objects.get_or_create(region=city, year=YEAR)
    return report


def write_csv(path, rows, report):
    departments = list(Department.objects.filter(region__slug=CITY).values_list("name", flat=True))
    methods = list(SharingMethod.objects.values_list("name", flat=True))
    regions = list(Region.objects.within(report.region).values_list("name", flat=True))
    spec = spec_for("datasharingrequest")
    header = [
        spec.by_key[k].header
        for k in [
            "city",
            "year",
            "group_number",
            "line",
            "region",
            "recipients",
            "methods",
            "scope",
            "period",
            "records",
            "purpose",
            "approval",
            "delivered_on",
            "note",
        ]
    ]
    rng = random.Random(12345)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for line in range(1, rows + 1):
            start = date(2020 + rng.randrange(3), 1 + rng.randrange(12), 1 + rng.randrange(28))
            end = date(2023, 1 + rng.randrange(12), 1 + rng.randrange(28))
            writer.writerow(
                [
                    report.region.name,
                    report.year,
                    1 + line // 50,
                    line,
                    rng.choice(regions),
                    "、".join(rng.sample(departments, 1 + rng.randrange(2))),
                    "、".join(rng.sample(methods, 1 + rng.randrange(2))),
                    rng.choice(SCOPES) + f"（第{line}批）",
                    f"{start.year}.{start.month}.{start.day}—{end.year}.{end.month}.{end.day}",
                    f"{rng.randrange(1, 2_000_000):,}",
                    "专项分析",
                    "分管领导审批",
                    f"2023年{1 + rng.randrange(12)}月{1 + rng.randrange(28)}日",
                    "",
                ]
            )


def dotted(text):
    return date(*map(int, text.replace("年", ".").replace("月", ".").rstrip("日").split(".")))


def plain_bulk_create(path, report):
    """The floor: the same rows with no validation, converted as simply as possible."""
    departments = {d.name: d.pk for d in Department.objects.filter(region__slug=CITY)}
    methods = {m.name: m.pk for m in SharingMethod.objects.all()}
    regions = {r.name: r.pk for r in Region.objects.within(report.region)}
    Recipient = DataSharingRequest.recipients.through
    Method = DataSharingRequest.methods.through
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream)
        next(reader)
        batch, links = [], []
        for row in reader:
            start, end = row[8].split("—")
            batch.append(
                DataSharingRequest(
                    report=report,
                    group_number=int(row[2]),
                    line=int(row[3]),
                    region_id=regions[row[4]],
                    scope=row[7],
                    period_start=dotted(start),
                    period_end=dotted(end),
                    records=int(row[9].replace(",", "")),
                    purpose=row[10],
                    approval=row[11],
                    delivered_on=dotted(row[12]),
                    note=row[13],
                )
            )
            links.append((row[5].split("、"), row[6].split("、")))
            if len(batch) == 1000:
                _flush(batch, links, departments, methods, Recipient, Method)
                batch, links = [], []
        _flush(batch, links, departments, methods, Recipient, Method)


def _flush(batch, links, departments, methods, Recipient, Method):
    DataSharingRequest.objects.bulk_create(batch)
    Recipient.objects.bulk_create(
        Recipient(datasharingrequest_id=obj.pk, department_id=departments[name])
        for obj, (names, _m) in zip(batch, links, strict=True)
        for name in names
    )
    Method.objects.bulk_create(
        Method(datasharingrequest_id=obj.pk, sharingmethod_id=methods[name])
        for obj, (_d, names) in zip(batch, links, strict=True)
        for name in names
    )


def stock_dataset(path, report, rows):
    """The same rows as a stock ModelResource reads them: field names and database ids."""
    import tablib

    departments = {d.name: d.pk for d in Department.objects.filter(region__slug=CITY)}
    methods = {m.name: m.pk for m in SharingMethod.objects.all()}
    regions = {r.name: r.pk for r in Region.objects.within(report.region)}
    dataset = tablib.Dataset(
        headers=[
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
    )
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream)
        next(reader)
        for _n, row in zip(range(rows), reader, strict=False):
            start, end = row[8].split("—")
            dataset.append(
                [
                    report.pk,
                    row[2],
                    row[3],
                    regions[row[4]],
                    ",".join(str(departments[n]) for n in row[5].split("、")),
                    ",".join(str(methods[n]) for n in row[6].split("、")),
                    row[7],
                    dotted(start).isoformat(),
                    dotted(end).isoformat(),
                    row[9].replace(",", ""),
                    row[10],
                    row[11],
                    dotted(row[12]).isoformat(),
                    row[13],
                ]
            )
    return dataset


def measure(work):
    wall, cpu = time.perf_counter(), time.process_time()
    with transaction.atomic():
        work()
        transaction.set_rollback(True)
    return time.perf_counter() - wall, time.process_time() - cpu


def report_line(label, rows, wall, cpu):
    print(
        f"{label:<40} {rows:>7,} rows {wall:7.2f} s wall {cpu:7.2f} s cpu "
        f"{rows / wall:>8,.0f} rows/s"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--stock-rows", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=2, help="best of this many runs")
    parser.add_argument("--keep", type=Path, help="keep the generated CSV at this path")
    options = parser.parse_args()
    translation.activate("zh-hans")
    report = setup()
    path = options.keep or BASE / "var" / "bench-sharing.csv"
    write_csv(path, options.rows, report)
    print(f"{connection.vendor}, {path.stat().st_size / 1e6:.1f} MB CSV")

    importer = get_user_model().objects.get_or_create(username="bench-importer")[0]

    def floor():
        plain_bulk_create(path, report)

    def ours():
        with path.open("rb") as stream:
            outcome = import_records(
                "datasharingrequest", stream, file_name=path.name, user=importer
            )
        assert outcome.saved and outcome.new == options.rows, outcome.messages()[:5]

    # The machine is shared: the two are run in turn, and each keeps its best run, so that a
    # neighbour's burst does not decide the comparison.
    best = {floor: None, ours: None}
    for _ in range(options.repeat):
        for work in best:
            took = measure(work)
            best[work] = min(best[work] or took, took)
    report_line("plain bulk_create", options.rows, *best[floor])
    report_line("import_records (hotline.importing)", options.rows, *best[ours])

    from import_export.resources import modelresource_factory

    dataset = stock_dataset(path, report, options.stock_rows)
    resource = modelresource_factory(DataSharingRequest)()

    def stock():
        result = resource.import_data(dataset)
        assert not result.has_errors() and not result.has_validation_errors()

    stock_wall, stock_cpu = measure(stock)
    report_line("stock ModelResource (default options)", options.stock_rows, stock_wall, stock_cpu)
    mine = options.rows / best[ours][0]
    print(
        f"importer / stock ModelResource: {mine / (options.stock_rows / stock_wall):5.1f}× faster"
    )
    for i, kind in enumerate(["wall", "cpu"]):
        ratio = best[ours][i] / best[floor][i]
        print(f"importer / plain bulk_create:   {ratio:5.2f}× the time ({kind})")
    # The rows were rolled back; the generated file goes too unless kept.
    if not options.keep:
        path.unlink()


if __name__ == "__main__":
    main()
