"""Every record type exported as CSV, XLSX and JSON and imported into a database emptied of
those records comes back equal: same values, same printed decimals, same related records
(found again by their names, not their ids)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hotline.importing import exporting, readers
from hotline.importing.columns import spec_for
from hotline.models import (
    AnnualReport,
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
    queryset = LivestreamEpisode.private_objects.filter(report=report)
    return queryset, queryset


def sharing(report):
    # Beside the register as published: a tab, commas and full-width punctuation in a cell.
    f.make_sharing_request(report, line=99, scope="噪声\t物业，“小区”, 问题；其他", note="@备注")
    queryset = DataSharingRequest.private_objects.filter(report=report)
    return queryset, queryset


CASES = {
    "region": lambda report: regions(),
    "department": lambda report: departments(),
    "figure": lambda report: (Figure.private_objects.filter(report=report),) * 2,
    "appealcount": lambda report: (AppealCount.private_objects.filter(report=report),) * 2,
    "livestreamepisode": episodes,
    "datasharingrequest": lambda report: sharing(report),
    "policydocument": lambda report: (PolicyDocument.private_objects.filter(report=report),) * 2,
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
    rate = Figure.private_objects.get(
        report=reopened_2023, indicator__code="calls.inbound.answer_rate_30s"
    )
    assert (rate.value, rate.decimals) == (Decimal("92.30"), 2)
    for fmt in FORMATS:
        out = io.BytesIO()
        exporting.write(spec_for("figure"), Figure.private_objects.filter(pk=rate.pk), fmt, out)
        Figure.private_objects.filter(pk=rate.pk).update(value=Decimal("92.3"), decimals=1)
        assert run("figure", out.getvalue(), f"rate.{fmt}").updated == 1
        rate.refresh_from_db()
        assert str(rate.printed_value) == "92.30"


PUBLIC_DOWNLOADS = {
    # The report's table and the public list: the same records, both importable.
    "datasharingrequest": ["/reports/huaian/2023/tables/sharing-register", "/data-sharing"],
    "policydocument": ["/reports/huaian/2023/tables/policy-documents", "/policies"],
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("model", "url"), [(m, url) for m, urls in PUBLIC_DOWNLOADS.items() for url in urls]
)
def test_the_public_downloads_of_records_import_back_equal(client, report_2023, model, url, fmt):
    """What a reader downloads from the public site, a clerk can import back unchanged."""
    queryset = spec_for(model).model.private_objects.filter(report=report_2023)
    before = snapshot(queryset)
    response = client.get(f"{url}.{fmt}")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content

    AnnualReport.private_objects.filter(pk=report_2023.pk).update(status=AnnualReport.Status.DRAFT)
    queryset.delete()
    outcome = run(model, content, f"{model}.{fmt}")
    assert outcome.saved, outcome.messages()
    assert outcome.new == len(before)
    assert snapshot(queryset) == before


@pytest.mark.parametrize(("literal", "decimals"), [("92.30", 2), ("92.3", 1), ("92", 0)])
def test_a_json_number_imports_with_the_decimals_it_is_written_with(
    reopened_2023, literal, decimals
):
    content = (
        '[{"城市": "淮安市", "年度": 2023, "指标": "calls.inbound.answer_rate_30s", '
        f'"数值": {literal}}}]'
    ).encode()
    assert run("figure", content, "rate.json").updated == (literal != "92.30")
    rate = Figure.private_objects.get(
        report=reopened_2023, indicator__code="calls.inbound.answer_rate_30s"
    )
    assert rate.decimals == decimals and str(rate.printed_value) == literal


ADMIN_FORMATS = {"csv": "0", "xlsx": "1", "json": "2"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_admin_export_imports_back_unchanged_through_the_admin(admin_client, reopened_2023, fmt):
    """The register as the admin exports it: its columns are the ones the pages list (期间起
    and 期间止, not one 期间 text), and the file imports back through the admin's import as it
    is: nothing changed over the records it came from, every record back equal once deleted."""

    def admin_url(view):
        return reverse(f"admin:hotline_datasharingrequest_{view}")

    def import_file(name):
        preview = admin_client.post(
            admin_url("import"),
            {"resource": "0", "format": "0", "import_file": SimpleUploadedFile(name, content)},
        )
        outcome = preview.context["result"].outcome
        assert outcome.ok, outcome.messages()
        confirm = preview.context["confirm_form"].initial
        assert admin_client.post(admin_url("process_import"), confirm).status_code == 302
        return outcome

    queryset = DataSharingRequest.private_objects.filter(report=reopened_2023)
    before = snapshot(queryset)
    assert queryset.filter(period_start__isnull=False).exists()
    response = admin_client.post(
        admin_url("export") + "?year=2023", {"format": ADMIN_FORMATS[fmt], "resource": "0"}
    )
    content = b"".join(response.streaming_content) if response.streaming else response.content
    headers = readers.open_table(io.BytesIO(content)).headers
    assert "期间起" in headers and "期间止" in headers and "期间" not in headers

    again = import_file(f"register.{fmt}")
    assert (again.new, again.updated, again.skipped) == (0, 0, len(before))
    assert snapshot(queryset) == before

    queryset.delete()
    outcome = import_file(f"register.{fmt}")
    assert outcome.new == len(before)
    assert snapshot(queryset) == before
