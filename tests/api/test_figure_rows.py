"""The figures list writes its rows from values (api.serializers.row_plan), not through
FigureSerializer's fields: each row must be what FigureSerializer writes for that figure, which
the detail answers with, in JSON and in CSV, for a figure of every kind and shape."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models.signals import post_init
from rest_framework import serializers as drf

from api.serializers import FigureSerializer, row_plan
from hotline.models import Figure, Indicator

from .conftest import figure
from .endpoints import results

pytestmark = pytest.mark.django_db

HUAIAN = "/api/v1/figures/?city=huaian&page_size=1000"


@pytest.fixture
def figures_of_every_kind(more_data, draft_2024):
    """The published 2023 report (every kind: counts, rates, durations, a ratio, texts, "—"s,
    notes, published changes), last year's values for some (computed changes), and a draft with
    the odd shapes: more digits stored than printed, a negative change, an empty text."""
    figure(draft_2024, "calls.inbound.answer_rate_30s", Decimal("92.305"), decimals=2)
    figure(
        draft_2024,
        "calls.inbound.avg_wait_s",
        Decimal("12.5"),
        decimals=1,
        change=Decimal("-0.8"),
        change_decimals=2,
    )
    figure(draft_2024, "team.citywide.seats_per_100k", Decimal("3.10"), decimals=2, note="注")
    figure(draft_2024, "security.citywide.status", None, text="良好")
    figure(draft_2024, "appeals.public.source_phone", None)
    return draft_2024


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_every_row_of_the_list_is_what_the_serializer_writes(
    anonymous, reviewer, figures_of_every_kind
):
    for client, years in ((anonymous, {2022, 2023}), (reviewer, {2022, 2023, 2024})):
        response = client.get(HUAIAN)
        listed = results(response)
        assert {row["year"] for row in listed} == years
        assert {row["kind"] for row in listed} == set(Indicator.Kind.values)
        assert any(row["computed_change"] for row in listed)
        context = {"request": response.renderer_context["request"]}  # who reads: drafts or not
        for row in listed:
            one = FigureSerializer(Figure.private_objects.get(pk=row["id"]), context=context)
            assert list(row.items()) == list(one.data.items())  # the keys in the same order too


def test_every_kind_of_csv_row_is_the_details(reviewer, figures_of_every_kind):
    header, *rows = csv_rows(reviewer.get(HUAIAN + "&format=csv"))
    assert header == list(FigureSerializer().fields)
    assert len(rows) > 100
    at = {name: header.index(name) for name in ("id", "year", "kind")}
    # One figure of each kind in each year, and every figure of the draft.
    sample = {}
    for row in rows:
        pk, year, kind = (row[at[name]] for name in ("id", "year", "kind"))
        sample[year, kind, pk if year == "2024" else None] = pk, row
    assert {("2023", kind) for kind in Indicator.Kind.values} <= {key[:2] for key in sample}
    for pk, row in sample.values():
        detail = reviewer.get(f"/api/v1/figures/{pk}/?format=csv")
        assert csv_rows(detail) == [header, row]


def test_the_list_reads_values_not_figures(anonymous, figures_of_every_kind):
    built = []

    def count(sender, **kwargs):
        built.append(sender)

    post_init.connect(count)
    try:
        response = anonymous.get(HUAIAN)
    finally:
        post_init.disconnect(count)
    assert len(results(response)) > 100
    assert Figure not in built


def test_a_field_the_list_cannot_write_from_values_is_refused():
    class Guessed(FigureSerializer):
        guess = drf.SerializerMethodField()

        class Meta(FigureSerializer.Meta):
            fields = [*FigureSerializer.Meta.fields, "guess"]

    with pytest.raises(ImproperlyConfigured, match="guess"):
        row_plan(Guessed)


def test_the_catalogue_words_are_read_once_per_version_and_corrected_at_once(
    anonymous, reviewer, figures_of_every_kind
):
    """The rows copy their indicators' and cities' words from the catalogue, read once per
    version of it (hotline.freshness.kept), not joined into every row of every page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    code = "calls.inbound.answer_rate_30s"

    def words(client):
        return {
            row["row_label_en"] for row in results(client.get(HUAIAN)) if row["indicator"] == code
        }

    assert words(anonymous) == {"Inbound"}
    with CaptureQueriesContext(connection) as queries:
        rows = results(reviewer.get(HUAIAN))  # never cached, and it sees the draft
    assert {row["year"] for row in rows} == {2022, 2023, 2024}
    assert all(row["table_title"] and row["city"] == "huaian" for row in rows)
    assert not any("hotline_indicator" in query["sql"] for query in queries)
    indicator = Indicator.objects.get(code=code)
    indicator.row_label_en = "Calls coming in"
    indicator.save()  # moves the catalogue's version (hotline.freshness)
    assert words(reviewer) == {"Calls coming in"}
