"""Bulk writes through hotline.models.bulk: the rows Django's bulk_create() would store, without
its compiler, for records and their history (an import's largest writes)."""

import datetime

import pytest
from django.db import models

from hotline.models import DataSharingRequest, Figure, Indicator, Region

from ..importing.conftest import data, run
from . import factories as f

pytestmark = pytest.mark.django_db


def sharing_requests(report, first_line):
    """Records of every kind of value: text with quotes, tabs and newlines, dates and none."""
    return [
        DataSharingRequest(
            report=report,
            group_number=2,
            line=first_line + n,
            region=report.region,
            scope=["全量", "噪声\t“小区”\n第二行", "=SUM(A1)"][n % 3],
            period_start=datetime.date(2023, 1, 1 + n) if n % 2 else None,
            period_end=datetime.date(2023, 12, 31),
            records=1000 * n,
            purpose="",
            note="" if n % 2 else "备注",
        )
        for n in range(5)
    ]


def stored(pks):
    fields = [f.attname for f in DataSharingRequest._meta.concrete_fields if f.name != "id"]
    rows = DataSharingRequest.private_objects.filter(pk__in=pks).order_by("line")
    return [{k: v for k, v in row.items() if k != "line"} for row in rows.values(*fields)]


@pytest.fixture
def inserts(compiled):
    """The models whose rows go through Django's insert compiler from now on."""
    return compiled["insert"]


def test_records_are_stored_as_djangos_bulk_create_stores_them(inserts):
    report = f.make_report(Region.objects.get(slug="huaian"), year=2024)
    inserts.clear()
    by_django = models.QuerySet.bulk_create(
        DataSharingRequest.private_objects.all(), sharing_requests(report, 100)
    )
    assert inserts == [DataSharingRequest]
    ours = DataSharingRequest.private_objects.bulk_create(sharing_requests(report, 200))
    assert inserts == [DataSharingRequest]  # none more
    assert stored([r.pk for r in ours]) == stored([r.pk for r in by_django])
    assert all(r.pk and not r._state.adding and r._state.db == "default" for r in ours)
    assert len({r.pk for r in ours + by_django}) == 10
    assert [r.line for r in DataSharingRequest.private_objects.filter(pk__in=[r.pk for r in ours])
            .order_by("pk")] == [200, 201, 202, 203, 204]  # fmt: skip


def test_an_option_or_a_key_already_set_take_djangos_way(inserts):
    report = f.make_report(Region.objects.get(slug="huaian"), year=2024)
    inserts.clear()
    DataSharingRequest.private_objects.bulk_create(sharing_requests(report, 1), batch_size=2)
    keyed = sharing_requests(report, 10)
    for n, request in enumerate(keyed):
        request.pk = 90_000 + n
    DataSharingRequest.private_objects.bulk_create(keyed)
    assert inserts == [DataSharingRequest] * 4  # three batches of two or fewer, then one
    assert DataSharingRequest.private_objects.filter(pk__gte=90_000).count() == 5


def test_an_unsaved_related_object_is_refused_as_django_refuses_it():
    report = f.make_report(Region.objects.get(slug="huaian"), year=2024)
    (request,) = sharing_requests(report, 1)[:1]
    request.region = Region(slug="new", name="新区")
    with pytest.raises(ValueError, match="unsaved related object 'region'"):
        DataSharingRequest.private_objects.bulk_create([request])


def test_figures_written_in_bulk_still_copy_their_indicators_kind(inserts):
    report = f.make_report(Region.objects.get(slug="huaian"), year=2024)
    indicator = f.make_indicator(kind=Indicator.Kind.RATE)
    inserts.clear()
    (figure,) = Figure.private_objects.bulk_create([Figure(report=report, indicator=indicator)])
    assert Figure.private_objects.get(pk=figure.pk).kind == Indicator.Kind.RATE
    assert inserts == []


def test_an_import_writes_its_records_and_their_history_without_the_compiler(inserts):
    f.make_report(Region.objects.get(slug="huaian"), year=2024)
    inserts.clear()
    outcome = run("datasharingrequest", data("sharing-gbk.csv"), "共享登记.csv")
    assert outcome.saved and outcome.new == 4
    assert DataSharingRequest.history.filter(history_type="+").count() == 4
    assert inserts == []


def test_each_value_is_prepared_as_djangos_fields_prepare_it():
    """A value already of its field's type is taken as it is (preparing each value the long
    way was most of writing a record and its history row); any other value (a number given
    as text, a lazy translation, a choice, None, a date) still goes through its field."""
    from django.db import connection
    from django.utils.translation import gettext_lazy

    from hotline.models.bulk import preparer

    report = f.make_report(Region.objects.get(slug="huaian"), year=2024)
    records = sharing_requests(report, 1)
    records[0].group_number, records[1].line = "3", True  # not yet of their field's type
    records[2].scope, records[3].approval = gettext_lazy("Scope"), None
    records[4].records = DataSharingRequest._meta.get_field("records").to_python("12")
    records[0].period_end = datetime.datetime(2024, 12, 31, 8, 30)  # a datetime in a date field
    records[1].delivered_on = "2024-03-01"
    history = DataSharingRequest.history.model
    copied = [{f.attname: getattr(r, f.attname) for f in history.tracked_fields} for r in records]
    reason = gettext_lazy("Import")
    rows = [history(history_type="+", history_change_reason=reason, **c) for c in copied]
    taken = set()
    for model, objs in ((DataSharingRequest, records), (history, rows)):
        for field in model._meta.concrete_fields:
            prepare = preparer(field, connection)
            taken.add((model, field.name, prepare.__name__))
            for obj in objs:
                mine = prepare(obj)
                django = field.get_db_prep_save(field.pre_save(obj, True), connection)
                assert (mine, type(mine)) == (django, type(django)), (model, field.name)
    # The short way is taken where it can be, and only there.
    assert (DataSharingRequest, "scope", "as_it_is") in taken
    assert (DataSharingRequest, "report", "as_the_database_takes_it") in taken  # its integer
    assert (DataSharingRequest, "records", "as_the_database_takes_it") in taken
    assert (DataSharingRequest, "period_start", "as_the_database_takes_it") in taken
    assert (history, "history_date", "prepared") in taken  # a datetime: time zones
    auto = models.DateField(auto_now_add=True)
    auto.set_attributes_from_name("delivered_on")
    assert preparer(auto, connection).__name__ == "prepared"  # it sets its own value
