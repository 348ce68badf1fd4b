"""hotline.reference: the figures are given their indicators (with tables and sections) from a
catalogue each process reads once per version of the reference data, not joined into every
figure's row; a correction of the catalogue is seen by the next reader."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hotline.models import Figure, Indicator
from hotline.reading import instances
from hotline.reference import with_indicators

pytestmark = pytest.mark.django_db

CODE = "calls.inbound.answer_rate_30s"


def _figures(report):
    return list(instances(Figure.private_objects.filter(report=report)))


def test_the_indicators_are_read_once_per_version_and_shared(report_2023):
    figures = _figures(report_2023)
    with CaptureQueriesContext(connection) as first:
        with_indicators(figures)
    # The reference version (then remembered: hotline.freshness), and the indicators.
    assert len(first) == 2
    assert sum('FROM "hotline_indicator"' in query["sql"] for query in first) == 1
    again = _figures(report_2023)
    with CaptureQueriesContext(connection) as second:
        with_indicators(again)
    assert len(second) == 0
    by_code = {f.indicator.code: f for f in again}
    assert by_code[CODE].indicator is {f.indicator.code: f for f in figures}[CODE].indicator
    # Every figure has its own indicator, table and section, as select_related() gives them.
    expected = {
        f.pk: (f.indicator.code, f.indicator.table.code, f.indicator.table.section.code)
        for f in Figure.private_objects.filter(report=report_2023).select_related(
            "indicator__table__section"
        )
    }
    assert {
        f.pk: (f.indicator.code, f.indicator.table.code, f.indicator.table.section.code)
        for f in again
    } == expected


def test_a_corrected_indicator_is_read_by_the_next_reader(report_2023):
    with_indicators(_figures(report_2023))
    indicator = Indicator.objects.get(code=CODE)
    indicator.row_label_en = "Calls coming in"
    indicator.save()  # moves the reference version (hotline.freshness)
    by_code = {f.indicator.code: f for f in with_indicators(_figures(report_2023))}
    assert by_code[CODE].indicator.row_label_en == "Calls coming in"


def test_an_indicator_the_kept_catalogue_does_not_know_is_read_for_that_call(report_2023):
    """Written in bulk (no receiver moved the version): the catalogue kept does not have it,
    and the call reads the indicators again rather than failing."""
    with_indicators(_figures(report_2023))
    known = Indicator.objects.get(code=CODE)
    [new] = Indicator.objects.bulk_create(
        [
            Indicator(
                code="calls.inbound.answer_rate_60s",
                table=known.table,
                kind=known.kind,
                row_label="60秒接通率",
                row_order=99,
                column_order=known.column_order,
            )
        ]
    )
    Figure.private_objects.filter(report=report_2023, indicator=known).update(indicator=new)
    figures = with_indicators(_figures(report_2023))
    assert {f.indicator.code for f in figures if f.indicator_id == new.pk} == {new.code}


def test_a_report_page_reads_its_figures_without_their_catalogue(client, reviewer_user):
    """Staff see every page rendered (never from the page cache): from the second page on,
    the figures' query carries none of the catalogue's words."""
    client.force_login(reviewer_user)
    assert client.get("/reports/huaian/2023/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/reports/huaian/2023/")
    assert response.status_code == 200 and "private" in response["Cache-Control"]
    assert '"hotline_figure"."value"' in "".join(query["sql"] for query in queries)
    assert not any('"hotline_indicator"."row_label"' in query["sql"] for query in queries)
    assert Indicator.objects.get(code=CODE).row_label in response.content.decode()
