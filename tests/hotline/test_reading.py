"""hotline.reading.ByKeys: an IN-list query compiled once per number of keys and run with each
list gives the rows the ORM gives for it, in one query, however often it is reused."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hotline.models import DataSharingRequest, Department
from hotline.reading import ByKeys, Reader

pytestmark = pytest.mark.django_db

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
    assert sorted(length for _alias, length in by_keys.compiled) == [1, 3]


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
    assert sorted(shape[1:] for shape in by_keys.compiled) == [(5, 1), (5, 2)]
