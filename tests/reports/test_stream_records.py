"""The record lists' downloads read their records as values and make each report, region and
unit once (reports.selectors.streams): the files are cell for cell the ones that the records
read through the ORM, one instance per row and relation, would give."""

import datetime
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from hotline import writers
from hotline.models import (
    AnnualReport,
    DataSharingRequest,
    Department,
    EpisodeGuest,
    LivestreamEpisode,
    PolicyDocument,
    Region,
)
from reports import downloads, selectors
from tests.hotline.factories import as_drafts

from .factories import make_report

pytestmark = pytest.mark.django_db

KINDS = {
    "sharing": (selectors.sharing, downloads.sharing_dataset),
    "episodes": (selectors.episodes, downloads.episode_dataset),
    "policies": (selectors.policies, downloads.policy_dataset),
}


@pytest.fixture
def every_cell():
    """Beside the Huai'an register (names as printed, districts, several methods): records
    with every kind of cell: empty texts, no dates, no relations, decimals and none, a text a
    spreadsheet would run, names in English, and units linked without their printed names."""
    report = make_report("nanjing", 2023, records=2)
    district = Region.objects.filter(parent__slug="nanjing").first() or report.region
    district.name_en = "Xuanwu District"
    district.save()
    units = [
        Department.objects.create(region=report.region, name="南京市测试委", kind="government"),
        Department.objects.create(
            region=report.region,
            name="南京市测试办公室",
            short_name="测试办",
            aliases=["市测试办"],
            kind="government",
        ),
    ]
    with as_drafts(report):
        DataSharingRequest.private_objects.create(  # nothing but what is required
            report=report, group_number=3, line=3, region=district, scope="", records=0
        )
        full = DataSharingRequest.private_objects.create(
            report=report,
            group_number=3,
            line=4,
            region=district,
            scope="=SUM(A1:A9)",
            records=12_345_678_901,
            purpose="-1",
            approval="@审批",
            period_start=datetime.date(2023, 2, 1),
            delivered_on=datetime.date(2023, 12, 31),
            note="第一行\n第二行",
            recipients_printed="测试办、不相干的名字",  # names other units: the usual names
        )
        full.recipients.add(*units)
        named = DataSharingRequest.private_objects.create(
            report=report, group_number=3, line=5, region=report.region, scope="x", records=1
        )
        named.recipients.add(*units)
        named.recipients_printed = "测试办、南京市测试委"
        named.save()
        episode = LivestreamEpisode.private_objects.create(
            report=report,
            number=7,
            aired_on=datetime.date(2023, 7, 1),
            title="+热线",
            appeals_received=0,
            answered_on_air=0,
            supervised_after=0,
            satisfaction_rate=None,
        )
        for n, unit in enumerate(units):
            EpisodeGuest.objects.create(episode=episode, department=unit, name=f"嘉宾{n}")
        LivestreamEpisode.private_objects.create(
            report=report,
            number=8,
            aired_on=datetime.date(2023, 8, 1),
            appeals_received=3,
            answered_on_air=2,
            supervised_after=1,
            satisfaction_rate=Decimal("90.05"),
        )
        document = PolicyDocument.private_objects.create(
            report=report,
            order=9,
            title="=测试",
            issuers_printed="南京市测试委、测试办",
            issued_on=datetime.date(2023, 3, 3),
            url="https://example.com/a",
        )
        document.issuers.add(*units)
        PolicyDocument.private_objects.create(report=report, order=10, title="无发文单位")
    return report


def sheets(content: bytes) -> bytes:
    """An XLSX's sheets, without the times the workbook's properties carry."""
    book = zipfile.ZipFile(io.BytesIO(content))
    return b"".join(book.read(n) for n in sorted(book.namelist()) if n.startswith("xl/"))


@pytest.mark.parametrize("kind", ["sharing", "episodes", "policies"])
def test_the_small_tables_a_list_names_are_read_whole_its_reports_by_the_list(every_cell, kind):
    """Regions, units and methods (the reference data, a few hundred rows) are read all: a
    subquery over 100,000 records took 115 ms on SQLite to narrow them down. The reports,
    one a city and year, are read as the list names them."""
    queryset = KINDS[kind][0](AnonymousUser(), {"city": "nanjing"})
    with CaptureQueriesContext(connection) as queries:
        files(kind, selectors.stream_records(kind, queryset.all()))
    records = queryset.model._meta.db_table
    apart = {
        re.search(r'FROM "(\w+)"', q["sql"])[1]: q["sql"]
        for q in queries.captured_queries
        if '"_key0"' not in q["sql"]
    }
    small = {"hotline_region", "hotline_department", "hotline_sharingmethod"} & set(apart)
    assert small >= ({"hotline_department"} | ({"hotline_region"} if kind == "sharing" else set()))
    for table in small:
        assert records not in apart[table] and "WHERE" not in apart[table], apart[table]
    assert records in apart["hotline_annualreport"]


def files(kind, records) -> dict:
    make = KINDS[kind][1]
    records = list(records)
    out = {fmt: writers.content(make("list", "title", records), fmt) for fmt in ("csv", "json")}
    out["xlsx"] = sheets(writers.content(make("list", "title", records), "xlsx"))
    return out


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    ("kind", "filters"),
    [
        ("sharing", {}),
        ("sharing", {"city": "nanjing", "year": 2023}),
        ("sharing", {"department": "unit"}),
        ("sharing", {"method": "network"}),
        ("episodes", {}),
        ("episodes", {"department": "unit"}),
        ("policies", {}),
        ("policies", {"department": "unit"}),
    ],
)
def test_a_streamed_list_writes_what_its_records_read_one_by_one_would(
    every_cell, kind, filters, language
):
    if filters.get("department"):
        filters = {"department": Department.objects.get(name="南京市测试办公室")}
    select = KINDS[kind][0]
    with translation.override(language):
        one_by_one = files(kind, select(AnonymousUser(), filters))
        streamed = files(kind, selectors.stream_records(kind, select(AnonymousUser(), filters)))
    assert one_by_one["csv"].count(b"\r\n") >= 2  # a header and records
    assert streamed == one_by_one


# The list, its to-many relations, and each kind of object they name, read apart (reports,
# districts, recipients' units, methods; an episode's reports and its guests' units).
@pytest.mark.parametrize(("kind", "queries"), [("sharing", 7), ("episodes", 4), ("policies", 4)])
def test_a_streamed_list_is_written_in_one_query_and_one_per_relation(
    every_cell, kind, queries, django_assert_num_queries
):
    """The fields the downloads read are the ones the stream reads (STREAMS): any other would
    be read once per report or unit, and counted here."""
    queryset = KINDS[kind][0](AnonymousUser(), {})
    for language in ("zh-hans", "en"):
        with translation.override(language), django_assert_num_queries(queries):
            files(kind, selectors.stream_records(kind, queryset.all()))


def test_the_records_of_a_list_share_their_report_and_region_and_units(
    every_cell, django_assert_num_queries
):
    # The records, their recipients, their methods, and apart: reports, districts, units, methods.
    with django_assert_num_queries(7):
        records = list(selectors.stream_records("sharing", selectors.sharing(AnonymousUser(), {})))
    assert len({r.report_id for r in records}) > 1
    # Made once each, not once per row: what the long lists' reading saves.
    for attribute in ("report", "region"):
        made = {}
        for r in records:
            made.setdefault(getattr(r, f"{attribute}_id"), set()).add(id(getattr(r, attribute)))
        assert all(len(instances) == 1 for instances in made.values())
    units = {}
    for r in records:
        for unit in r.recipients.all():
            units.setdefault(unit.pk, set()).add(id(unit))
    assert len(units) > 1 and all(len(instances) == 1 for instances in units.values())


def test_a_short_list_read_as_values_is_the_orms_list_with_its_related_objects_shared(
    django_assert_num_queries,
):
    """streams.read_records (a report's figures, TOP5s, trends): the records and their
    select_related objects as the ORM gives them, in one query, each related object made once."""
    from hotline.models import Figure
    from reports.selectors.streams import read_records

    figures = Figure.private_objects.filter(report__year=2023).select_related(
        "indicator__table__section"
    )
    expected = list(figures)
    with django_assert_num_queries(1):
        found = read_records(figures)
    assert len(found) == len(expected) > 100

    def values(obj):
        return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}

    for mine, theirs in zip(found, expected, strict=True):
        assert type(mine) is Figure and values(mine) == values(theirs)
        for path in ("indicator", "indicator.table", "indicator.table.section"):
            a, b = mine, theirs
            for name in path.split("."):
                a, b = getattr(a, name), getattr(b, name)
            assert values(a) == values(b)
        assert mine.printed_value == theirs.printed_value
    tables = {figure.indicator.table_id: figure.indicator.table for figure in found}
    assert all(figure.indicator.table is tables[figure.indicator.table_id] for figure in found)
    with django_assert_num_queries(0):  # nothing left to read
        [figure.indicator.table.section.code for figure in found]


@pytest.mark.parametrize(
    ("kind", "model", "relations", "printed"),
    [
        ("sharing", DataSharingRequest, ["recipients", "methods"], "recipients_as_printed"),
        ("policies", PolicyDocument, ["issuers"], "issuers_as_printed"),
    ],
)
def test_a_short_list_with_its_to_many_relations_is_what_prefetching_gives(
    every_cell, django_assert_num_queries, kind, model, relations, printed
):
    """A report's first register rows and its policy documents: the records, and their
    relations in the order prefetch_related() gives them, in one query each."""
    from reports.selectors.streams import read_records

    records = model.private_objects.order_by("pk")
    expected = list(records.prefetch_related(*relations))
    with django_assert_num_queries(1 + len(relations)):
        found = read_records(records, kind)
    assert [r.pk for r in found] == [r.pk for r in expected] and len(found) > 3
    with django_assert_num_queries(0):  # as printed: the units' names read with them
        for mine, theirs in zip(found, expected, strict=True):
            for name in relations:
                assert [o.pk for o in getattr(mine, name).all()] == [
                    o.pk for o in getattr(theirs, name).all()
                ]
            assert getattr(mine, printed) == getattr(theirs, printed)
    assert any(getattr(r, relations[0]).all() for r in found)
    assert any(not getattr(r, relations[0]).all() for r in found)  # and one without any


def test_keyed_records_read_each_reports_own_records_from_one_compiled_query():
    """selectors' REPORT_FIGURES and POLICY_DOCUMENTS (streams.KeyedRecords): compiled with one
    report's key, run with another's, each report gets its own records, as read_records reads
    them through the ORM's query."""
    from reports.selectors import report as pages
    from reports.selectors.streams import KeyedRecords, read_records

    huaian = AnnualReport.private_objects.get(region__slug="huaian", year=2023)
    other = make_report("huaian", 2022, records=4)
    figures = KeyedRecords(pages.REPORT_FIGURES.queryset, "report")
    policies = KeyedRecords(PolicyDocument.private_objects.all(), "report", kind="policies")

    def fields(records):
        return [
            (r.pk, r.report_id, *(getattr(r, f.attname) for f in r._meta.concrete_fields))
            for r in records
        ]

    for report in (huaian, other, huaian):
        orm = read_records(pages.REPORT_FIGURES.queryset.filter(report=report))
        assert fields(figures(report.pk)) == fields(orm) and orm
        assert [f.indicator.table.section.code for f in figures(report.pk)] == [
            f.indicator.table.section.code for f in orm
        ]
        orm = read_records(report.policy_documents.all(), "policies")
        read = policies(report.pk)
        assert fields(read) == fields(orm)
        assert [[u.pk for u in p.issuers.all()] for p in read] == [
            [u.pk for u in p.issuers.all()] for p in orm
        ]
        tops = report.appeal_counts.filter(department__isnull=False).top()
        assert [c.pk for c in pages.top_departments(report)] == [c.pk for c in tops]
        ranked = report.appeal_counts.filter(category__isnull=False).ranked()
        shown = [c.pk for _type, counts in pages.top_categories(report) for c in counts]
        assert set(shown) <= {c.pk for c in ranked} and shown
        first = pages.sharing_requests(report)[: pages.REGISTER_ROWS]
        read = pages.sharing_summary(report).first
        assert fields(read) == fields(first) and read
        assert [[u.pk for u in r.recipients.all()] for r in read] == [
            [u.pk for u in r.recipients.all()] for r in first
        ]
    assert len(figures.keyed.by_keys.compiled) == 1


def _summary_through_the_orm(report):
    """The register's summary as the selectors once grouped it: each level, method and kind of
    unit, with the report's requests counted through its own relation."""
    from django.db.models import Count, Sum

    from hotline.models import SharingMethod
    from hotline.models.catalogue import translated

    sums = {"n": Count("sharing_requests"), "total": Sum("sharing_requests__records")}
    mine = {"sharing_requests__report": report}
    levels = Region.objects.filter(**mine).annotate(**sums).order_by("order", "slug")
    methods = SharingMethod.objects.filter(**mine).annotate(**sums).order_by("order", "code")
    kinds = (
        Department.objects.filter(**mine)
        .values("kind")
        .annotate(n=Count("sharing_requests", distinct=True))
        .order_by("-n", "kind")
    )
    labels = dict(Department.Kind.choices)
    return (
        [(r.level_as_printed, r.n, r.total or 0) for r in levels],
        [(translated(m, "name"), m.n, m.total or 0) for m in methods],
        [(str(labels[k["kind"]]), k["n"], 0) for k in kinds],
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_register_summary_groups_as_the_orm_does_from_queries_compiled_once(
    every_cell, compiled, language
):
    from reports.selectors import report as pages

    empty = make_report("wuxi", 2023, records=0)
    reports = [AnnualReport.private_objects.get(region__slug="huaian", year=2023), every_cell]
    with translation.override(language):
        for report in [*reports, empty, *reports]:
            summary = pages.sharing_summary(report)
            groups = [
                [(g.label, g.requests, g.records) for g in found]
                for found in (summary.by_level, summary.by_method, summary.by_kind)
            ]
            assert tuple(groups) == _summary_through_the_orm(report)
            assert summary.requests == report.sharing_requests.count()
        assert all(pages.sharing_summary(report).by_method for report in reports)
        compiled["read"].clear()
        pages.sharing_summary(reports[0])
    # The first rows are read by a compiled query too (KeyedRecords): nothing is built.
    assert compiled["read"] == []


@pytest.mark.parametrize("kind", ["sharing", "episodes", "policies"])
def test_the_long_queries_of_a_list_carry_keys_of_the_objects_they_name_not_their_columns(
    every_cell, kind
):
    """A list's rows and its relations' rows name a few hundred reports, regions and units;
    their names rode on each of 100,000 rows and the database sorted rows three times as wide.
    They are read apart (hotline.reading.ReadApart), a query each."""
    queryset = KINDS[kind][0](AnonymousUser(), {})
    with CaptureQueriesContext(connection) as queries:
        files(kind, selectors.stream_records(kind, queryset.all()))
    long_ones = [q["sql"] for q in queries.captured_queries if '"_key0"' in q["sql"]]
    assert len(long_ones) == {"sharing": 3, "episodes": 2, "policies": 2}[kind]
    for sql in long_ones:
        selected = sql[: sql.index(" FROM ")]
        assert re.search(r'AS "[a-z]\w*__\w+"', selected) is None, sql  # report__region, …
