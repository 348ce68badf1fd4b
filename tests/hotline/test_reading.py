"""hotline.reading.ByKeys: a query compiled once (on PostgreSQL, with each list one array
parameter) or once per number of keys (an IN list elsewhere) and run with each list gives the
rows the ORM gives for it, in one query, however often it is reused."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hotline.models import DataSharingRequest, Department
from hotline.reading import ByKeys, Reader

pytestmark = pytest.mark.django_db

ARRAYS = connection.vendor == "postgresql"
LINKS = DataSharingRequest.recipients.through.objects.order_by("department__name", "pk")


def _orm(keys, *columns):
    return [tuple(row) for row in LINKS.filter(datasharingrequest__in=keys).values_list(*columns)]


def test_each_list_of_keys_gets_its_own_rows_from_one_compiled_query():
    pks = list(DataSharingRequest.public_objects.order_by("pk").values_list("pk", flat=True))
    assert len(pks) >= 9  # the Huai'an register
    by_keys = ByKeys(
        LINKS.values_list("datasharingrequest", "department"), "datasharingrequest", width=2
    )
    lists = [pks[0:3], pks[3:6], pks[6:9], pks[:1], pks[::-1][:3]]
    with CaptureQueriesContext(connection) as queries:
        found = [by_keys.rows(keys) for keys in lists]
    assert len(queries) == len(lists)  # one query a list
    assert [[tuple(row) for row in rows] for rows in found] == [
        _orm(keys, "datasharingrequest", "department") for keys in lists
    ]
    compiled = sorted(length for _alias, length in by_keys.compiled)
    assert compiled == [1, 3]  # a few keys: an IN list on every database


def test_the_values_are_converted_for_the_reader():
    pks = list(DataSharingRequest.public_objects.values_list("pk", flat=True)[:5])
    read = Reader(Department, "department__", {}, "default", 1, shared=True)
    rows = LINKS.values_list("datasharingrequest", *read.paths)
    by_keys = ByKeys(rows, "datasharingrequest")
    for _ in range(2):  # compiled, then reused
        made = [read(row) for row in by_keys.rows(pks, reader=read)]
        expected = [link.department for link in LINKS.filter(datasharingrequest__in=pks)]
        assert [(d.pk, d.name, d.aliases) for d in made] == [
            (d.pk, d.name, d.aliases) for d in expected
        ]


def test_a_query_with_other_parameters_is_compiled_each_time_and_still_right():
    pks = list(DataSharingRequest.public_objects.values_list("pk", flat=True)[:4])
    city_units = LINKS.filter(department__name__startswith="淮安")
    by_keys = ByKeys(
        city_units.values_list("datasharingrequest", "department"), "datasharingrequest", width=2
    )
    for _ in range(2):
        rows = [tuple(row) for row in by_keys.rows(pks)]
        expected = city_units.filter(datasharingrequest__in=pks)
        assert rows == [tuple(r) for r in expected.values_list("datasharingrequest", "department")]
    assert by_keys.compiled == {}


def test_no_keys_run_no_query(django_assert_num_queries):
    by_keys = ByKeys(
        LINKS.values_list("datasharingrequest", "department"), "datasharingrequest", width=2
    )
    with django_assert_num_queries(0):
        assert by_keys.rows([]) == []


def test_a_queryset_with_annotations_is_refused():
    """Filtered after an aggregate, the keys' join would be counted instead of the query's."""
    from django.db.models import Count

    counted = Department.objects.annotate(n=Count("sharing_requests")).values_list("pk", "n")
    with pytest.raises(ValueError):
        ByKeys(counted, "sharing_requests__report")


def test_a_limit_keeps_the_first_rows_of_each_run():
    pks = list(DataSharingRequest.public_objects.order_by("pk").values_list("pk", flat=True))
    by_keys = ByKeys(
        LINKS.values_list("datasharingrequest", "department"),
        "datasharingrequest",
        width=2,
        limit=2,
    )
    for keys in (pks[:4], pks[4:8]):
        expected = _orm(keys, "datasharingrequest", "department")
        assert len(expected) > 2
        assert [tuple(row) for row in by_keys.rows(keys)] == expected[:2]


def test_keys_of_two_fields_each_filter_their_own():
    pks = list(DataSharingRequest.public_objects.order_by("pk").values_list("pk", flat=True))
    units = list(
        Department.objects.filter(sharing_requests__pk__in=pks).values_list("pk", flat=True)
    )
    by_keys = ByKeys(
        LINKS.values_list("datasharingrequest", "department"),
        "datasharingrequest",
        "department",
        width=2,
    )
    for requests, departments in (
        (pks[:5], units[:2]),
        (pks[5:10], units[2:4]),
        (pks[:5], units[:1]),
    ):
        expected = LINKS.filter(datasharingrequest__in=requests, department__in=departments)
        assert [tuple(row) for row in by_keys.rows(requests, departments)] == [
            tuple(row) for row in expected.values_list("datasharingrequest", "department")
        ]
    compiled = sorted(shape[1:] for shape in by_keys.compiled)
    assert compiled == [(5, 1), (5, 2)]


@pytest.mark.skipif(not ARRAYS, reason="PostgreSQL's arrays")
def test_on_postgresql_a_long_list_of_keys_is_one_array_parameter():
    """psycopg parsed each of an IN list's placeholders on every run: 2,000 of them per chunk
    of the admin's export was a third of its time over the floor."""
    pks = list(DataSharingRequest.public_objects.order_by("pk").values_list("pk", flat=True))
    codes = list(Department.objects.order_by("pk").values_list("name", flat=True)[:3])
    by_keys = ByKeys(
        LINKS.values_list("datasharingrequest", "department"),
        "datasharingrequest",
        "department__name",
        width=2,
    )
    by_keys.ARRAY_FROM = 2  # the Huai'an register is short
    with CaptureQueriesContext(connection) as queries:
        for keys in (pks[:3], pks[:7], pks):
            rows = by_keys.rows(keys, codes)
            expected = LINKS.filter(datasharingrequest__in=keys, department__name__in=codes)
            assert [tuple(r) for r in rows] == [
                tuple(r) for r in expected.values_list("datasharingrequest", "department")
            ]
    ran = [query["sql"] for query in queries[0::2]]  # each run, before the ORM's own
    assert all("= ANY(" in sql and " IN (" not in sql for sql in ran)
    assert list(by_keys.compiled) == [("default", "arrays")]  # one for every length


def test_with_no_fields_a_query_without_parameters_is_run_as_compiled(compiled):
    """hotline.checks.data reads the active rules so: `active = true` is no parameter (Django
    writes a filter on True as the column itself), so the query is compiled once."""
    from hotline.models import CheckRule

    by_keys = ByKeys(CheckRule.objects.filter(active=True).values_list("pk", "code"))
    first = by_keys.rows()
    compiled["read"].clear()
    CheckRule.objects.filter(pk=first[0][0]).update(active=False)
    again = by_keys.rows()
    assert compiled["read"] == []  # run again as compiled
    assert [tuple(r) for r in again] == list(
        CheckRule.objects.filter(active=True).values_list("pk", "code")
    )
    assert len(again) == len(first) - 1


def test_a_subquery_annotation_is_kept_an_aggregate_refused():
    """A subquery is its own query: filtering the outer one by the keys changes no total."""
    from django.db.models import Count, OuterRef, Subquery

    from hotline.models import AnnualReport

    requests = (
        DataSharingRequest.private_objects.filter(report=OuterRef("pk"))
        .order_by()
        .values("report")
        .annotate(n=Count("pk"))
        .values("n")
    )
    totals = AnnualReport.private_objects.annotate(n=Subquery(requests[:1])).order_by()
    by_keys = ByKeys(totals.values_list("pk", "n"), "pk", width=2)
    pks = list(AnnualReport.private_objects.values_list("pk", flat=True))
    assert sorted(tuple(r) for r in by_keys.rows(pks)) == sorted(
        (pk, DataSharingRequest.private_objects.filter(report=pk).count() or None) for pk in pks
    )
    with pytest.raises(ValueError):
        ByKeys(AnnualReport.private_objects.annotate(n=Count("pk")), "sharing_requests__region")


def test_an_aggregate_filtered_across_foreign_keys_counts_as_the_orm_does():
    """The register's summary groups its requests so: the keys' filter reuses the joins of the
    foreign keys it crosses, a WHERE before the grouping, not a join of its own."""
    from django.db.models import Count, Sum

    from hotline.models import SharingMethod

    links = DataSharingRequest.methods.through.objects
    grouped = (
        links.values_list("sharingmethod__code")
        .annotate(n=Count("datasharingrequest"), total=Sum("datasharingrequest__records"))
        .order_by("sharingmethod__code")
    )
    by_keys = ByKeys(grouped, "datasharingrequest__report")
    for report in DataSharingRequest.private_objects.values_list("report", flat=True).distinct():
        expected = (  # grouped the other way round: the methods, each with its requests
            SharingMethod.objects.filter(sharing_requests__report=report)
            .annotate(n=Count("sharing_requests"), total=Sum("sharing_requests__records"))
            .order_by("code")
            .values_list("code", "n", "total")
        )
        assert [tuple(r) for r in by_keys.rows([report])] == [tuple(r) for r in expected]
        assert by_keys.rows([report])


def test_with_no_reader_the_values_are_converted_here():
    """A decimal is text or a float to SQLite until Django's converter makes it a Decimal."""
    from decimal import Decimal

    from hotline.models import Figure

    figures = Figure.public_objects.exclude(value=None).order_by("pk")
    pks = list(figures.values_list("pk", flat=True)[:3])
    by_keys = ByKeys(figures.values_list("pk", "value"), "pk")
    for _ in range(2):  # compiled, then reused
        rows = [tuple(row) for row in by_keys.rows(pks)]
        assert rows == list(figures.filter(pk__in=pks).values_list("pk", "value"))
        assert all(type(value) is Decimal for _pk, value in rows)


def test_objects_read_apart_are_read_once_and_a_key_read_after_them_alone(
    django_assert_num_queries,
):
    """ReadApart: the objects the list names in one query, the first time one is asked for;
    one named by a record written since (not among them) is read then, by itself."""
    from django.db.models import Q

    from hotline.models import Region
    from hotline.reading import ReadApart

    requests = DataSharingRequest.public_objects.all()
    named = set(requests.values_list("region", flat=True))
    other = Region.objects.exclude(pk__in=named).filter(parent__isnull=False).first()
    apart = ReadApart(
        Region.objects.select_related("parent"), Q(pk__in=requests.values("region")), {}
    )
    with django_assert_num_queries(1):
        found = [apart(pk) for pk in [*named, *named, None]]
    assert [r.pk for r in found[:-1]] == [*named, *named] and found[-1] is None
    assert found[0] is found[len(named)]  # made once
    assert set(apart.known) == named
    with django_assert_num_queries(1):
        late = apart(other.pk)
    assert (late.pk, late.name, late.parent_id) == (other.pk, other.name, other.parent_id)
    with django_assert_num_queries(0):
        assert apart(other.pk) is late and late.parent.pk == other.parent_id  # joined
