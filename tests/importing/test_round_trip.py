"""Every record type exported as CSV, XLSX and JSON and imported into a database emptied of
those records comes back equal: same values, same printed decimals, same related records
(found again by their names, not their ids)."""

import datetime
import io
from decimal import Decimal

import pytest

from hotline.importing import exporting
from hotline.importing.columns import spec_for
from hotline.models import (
    AppealCount,
    DataSharingRequest,
    Department,
    Figure,
    LivestreamEpisode,
    PolicyDocument,
    Region,
)

from ..hotline import factories as f
from .conftest import run

pytestmark = pytest.mark.django_db

FORMATS = ["csv", "xlsx", "json"]


def snapshot(queryset):
    """Every stored value but the primary key, and the names of many-to-many records."""
    model = queryset.model
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    rows = []
    for obj in queryset.order_by("pk"):
        # Related records by what they are, not their ids (a re-imported city has a new id).
        row = [
            (f.name, str(getattr(obj, f.name)) if f.is_relation else getattr(obj, f.attname))
            for f in fields
        ]
        row += [
            (m.name, sorted(map(str, getattr(obj, m.name).all()))) for m in model._meta.many_to_many
        ]
        rows.append(row)
    return sorted(rows, key=repr)


def regions():
    city = f.city()
    f.make_district(city, name="测试区,含逗号", name_en="Comma, District", order=2)
    f.make_district(city, level=Region.Level.ZONE, name="生态文旅区")
    slugs = list(Region.objects.within(city).values_list("slug", flat=True))
    queryset = Region.objects.filter(slug__in=slugs)
    return queryset, queryset.order_by("-parent_id")


def departments():
    city = f.city()
    district = f.make_district(city, name="测试县")
    f.make_department(
        city, name="测试市公安局", short_name="市公安局", aliases=["测试公安", "=公安"]
    )
    f.make_department(district, name="测试县检察院", kind=Department.Kind.PROCURATORATE)
    queryset = Department.objects.filter(region__in=[city, district])
    return queryset, queryset


def episodes(report):
    f.make_episode(report, number=1, title="政风热线, 第一期", satisfaction_rate=None, note="+1")
    f.make_episode(report, number=2, aired_on=datetime.date(2023, 12, 31), hot_topics_published=3)
    queryset = LivestreamEpisode.objects.filter(report=report)
    return queryset, queryset


def sharing(report):
    # Beside the register as published: a tab, commas and full-width punctuation in a cell.
    f.make_sharing_request(report, line=99, scope="噪声\t物业，“小区”, 问题；其他", note="@备注")
    queryset = DataSharingRequest.objects.filter(report=report)
    return queryset, queryset


CASES = {
    "region": lambda report: regions(),
    "department": lambda report: departments(),
    "figure": lambda report: (Figure.objects.filter(report=report),) * 2,
    "appealcount": lambda report: (AppealCount.objects.filter(report=report),) * 2,
    "livestreamepisode": episodes,
    "datasharingrequest": lambda report: sharing(report),
    "policydocument": lambda report: (PolicyDocument.objects.filter(report=report),) * 2,
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("model", CASES)
def test_every_record_type_comes_back_equal(reopened_2023, model, fmt):
    queryset, deletion_order = CASES[model](reopened_2023)
    spec = spec_for(model)
    before = snapshot(queryset)
    assert before, "nothing to round-trip"
    out = io.BytesIO()
    exporting.write(spec, queryset, fmt, out)

    for obj in deletion_order.all():
        obj.delete()
    assert not queryset.all().exists()

    outcome = run(model, out.getvalue(), f"{model}.{fmt}")
    assert outcome.saved, outcome.messages()
    assert outcome.new == len(before)
    assert snapshot(queryset) == before


def test_a_figure_keeps_its_printed_decimals_through_every_format(reopened_2023):
    rate = Figure.objects.get(report=reopened_2023, indicator__code="calls.inbound.answer_rate_30s")
    assert (rate.value, rate.decimals) == (Decimal("92.30"), 2)
    for fmt in FORMATS:
        out = io.BytesIO()
        exporting.write(spec_for("figure"), Figure.objects.filter(pk=rate.pk), fmt, out)
        Figure.objects.filter(pk=rate.pk).update(value=Decimal("92.3"), decimals=1)
        assert run("figure", out.getvalue(), f"rate.{fmt}").updated == 1
        rate.refresh_from_db()
        assert str(rate.printed_value) == "92.30"
