"""Figure.kind is a copy of its indicator's kind (for the database's rate constraints) and never
drifts from it: an indicator's new kind reaches its figures in the same transaction, and is
refused on the indicator's form while a figure would break it."""

from decimal import Decimal

import pytest
from django.core import serializers
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse
from django.utils import translation

from hotline.models import Figure, Indicator

from . import factories as f
from .admin_forms import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted():
    """A count indicator with a figure in two reports."""
    indicator = f.make_indicator(code="test.counted", kind=Indicator.Kind.COUNT)
    city = f.make_city(name="测试市甲")
    figures = [
        f.make_figure(f.make_report(city, year=year), indicator, value=value)
        for year, value in ((2022, Decimal(60)), (2023, Decimal(75)))
    ]
    return indicator, figures


def change_kind(client, indicator, kind):
    url = reverse("admin:hotline_indicator_change", args=[indicator.pk])
    return client.post(url, form_data(client.get(url), kind=kind))


def kinds(indicator):
    return set(Figure.private_objects.filter(indicator=indicator).values_list("kind", flat=True))


def test_an_indicators_new_kind_reaches_its_figures(admin_client, counted):
    indicator, _figures = counted
    response = change_kind(admin_client, indicator, Indicator.Kind.RATE)
    assert response.status_code == 302, response.context["adminform"].form.errors
    indicator.refresh_from_db()
    assert indicator.kind == Indicator.Kind.RATE
    assert kinds(indicator) == {Indicator.Kind.RATE}


@pytest.mark.parametrize(
    ("value", "new_kind", "reason"),
    [
        (Decimal(150), Indicator.Kind.RATE, "比率须在 0 至 100 之间。"),
        (Decimal("92.30"), Indicator.Kind.COUNT, "数量须为整数。"),
        (Decimal(75), Indicator.Kind.TEXT, "该数据为文字，不是数值。"),
    ],
    ids=["rate", "count", "text"],
)
def test_a_kind_that_a_figure_would_break_is_refused_on_the_form(
    admin_client, value, new_kind, reason
):
    indicator = f.make_indicator(code="test.ratio", kind=Indicator.Kind.RATIO)
    report = f.make_report(f.make_city(name="测试市乙"), year=2023)
    f.make_figure(report, indicator, value=value, decimals=2)
    with translation.override("zh-hans"):
        response = change_kind(admin_client, indicator, new_kind)
    assert response.status_code == 200
    [message] = response.context["adminform"].form.errors["kind"]
    with translation.override("zh-hans"):
        label = str(Indicator.Kind(new_kind).label)
    assert message.startswith(f"指标类型不能改为“{label}”：有 1 项数据与之不符，请先更正。")
    assert f"测试市乙 2023：{reason}" in message
    indicator.refresh_from_db()
    assert indicator.kind == Indicator.Kind.RATIO
    assert kinds(indicator) == {Indicator.Kind.RATIO}


def test_the_database_refuses_what_the_form_would_have(counted):
    """Saved outside the admin, a new kind that a figure breaks in the database is undone whole
    (the figures' copies are written in the indicator's own transaction)."""
    indicator, figures = counted
    Figure.private_objects.filter(pk=figures[0].pk).update(value=Decimal(150))
    indicator.kind = Indicator.Kind.RATE
    with pytest.raises(IntegrityError):
        indicator.save()
    assert Indicator.objects.get(pk=indicator.pk).kind == Indicator.Kind.COUNT
    assert kinds(indicator) == {Indicator.Kind.COUNT}


def test_fixtures_that_change_a_kind_change_the_figures_too(counted, tmp_path):
    indicator, _figures = counted
    indicator.kind = Indicator.Kind.DURATION
    fixture = tmp_path / "catalogue.json"
    fixture.write_text(serializers.serialize("json", [indicator]))
    Indicator.objects.filter(pk=indicator.pk).update(kind=Indicator.Kind.COUNT)
    call_command("loaddata", str(fixture), verbosity=0)
    assert kinds(indicator) == {Indicator.Kind.DURATION}


def test_a_bulk_update_of_indicators_changes_the_figures_too(counted):
    indicator, _figures = counted
    Indicator.objects.filter(kind=Indicator.Kind.COUNT, pk=indicator.pk).update(
        kind=Indicator.Kind.RATIO
    )
    assert kinds(indicator) == {Indicator.Kind.RATIO}


def test_bulk_writes_of_figures_copy_the_kind(counted):
    _indicator, figures = counted
    rate = f.make_indicator(kind=Indicator.Kind.RATE)
    report = f.make_report(year=2024)
    [created] = Figure.private_objects.bulk_create(
        [Figure(report=report, indicator_id=rate.pk, value=Decimal(5))]
    )
    assert Figure.private_objects.get(pk=created.pk).kind == Indicator.Kind.RATE
    figures[0].indicator = rate
    Figure.private_objects.bulk_update([figures[0]], ["indicator"])
    assert Figure.private_objects.get(pk=figures[0].pk).kind == Indicator.Kind.RATE
    Figure.private_objects.filter(pk=figures[1].pk).update(indicator=rate)
    assert Figure.private_objects.get(pk=figures[1].pk).kind == Indicator.Kind.RATE
