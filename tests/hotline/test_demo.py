"""generate_demo: made-up reports, marked, consistent, and never mixed with the published ones."""

import pytest
from django.core.management import CommandError, call_command

from hotline import demo
from hotline.checks import check_report
from hotline.models import (
    AnnualReport,
    AppealCount,
    DataSharingRequest,
    Department,
    Figure,
    Indicator,
    LivestreamEpisode,
    PolicyDocument,
    Region,
)

pytestmark = pytest.mark.django_db


def generate(**options):
    defaults = {
        "cities": "huaian,nanjing",
        "years": 2,
        "until": 2023,
        "sharing_requests": 40,
        "seed": 7,
        "verbosity": 0,
    }
    call_command("generate_demo", **(defaults | options))


def snapshot_2023():
    """Everything of the published Huai'an report, to compare before and after."""
    report = AnnualReport.private_objects.get(region__slug="huaian", year=2023)
    return {
        "report": AnnualReport.private_objects.filter(pk=report.pk).values().get(),
        "figures": list(report.figures.order_by("pk").values()),
        "counts": list(report.appeal_counts.order_by("pk").values()),
        "sharing": list(report.sharing_requests.order_by("pk").values()),
        "recipients": list(
            DataSharingRequest.recipients.through.objects.filter(
                datasharingrequest__report=report
            ).values_list("datasharingrequest_id", "department_id")
        ),
        "documents": list(report.policy_documents.order_by("pk").values()),
        "checks": [d.rule_code for d in check_report(report, drafts=False).discrepancies],
    }


def synthetic_values():
    return sorted(
        Figure.private_objects.filter(report__is_synthetic=True).values_list(
            "report__region__slug", "report__year", "indicator__code", "value", "change", "text"
        )
    )


def test_it_makes_every_indicator_for_each_city_year_and_skips_the_published_one():
    generate()
    made = AnnualReport.private_objects.synthetic()
    assert sorted(made.values_list("region__slug", "year")) == [
        ("huaian", 2022),
        ("nanjing", 2022),
        ("nanjing", 2023),
    ]
    indicators = Indicator.objects.count()
    for report in made:
        assert report.title.startswith(demo.TITLE_PREFIX)
        assert "generate_demo" in report.source
        assert report.is_published and report.population
        assert report.figures.count() == indicators
        assert report.episodes.exists() and report.policy_documents.exists()
        assert report.appeal_counts.filter(department__isnull=False).exists()
        assert report.appeal_counts.filter(category__isnull=False).exists()
    assert DataSharingRequest.private_objects.filter(report__is_synthetic=True).count() == 40
    assert not AnnualReport.private_objects.get(region__slug="huaian", year=2023).is_synthetic


def test_made_up_figures_obey_the_catalogue_rules_and_last_year():
    generate()
    for report in AnnualReport.private_objects.synthetic():
        result = check_report(report, drafts=False)
        assert result.discrepancies == [], report
        assert result.checks_made > 50
    nanjing = AnnualReport.private_objects.get(region__slug="nanjing", year=2023)
    assert check_report(nanjing, drafts=False).prior_report.year == 2022
    total = nanjing.figures.get(indicator__code="appeals.total.total")
    assert total.change is not None  # compared with 2022, and found right above


def test_it_never_touches_the_published_report():
    before = snapshot_2023()
    generate()
    assert snapshot_2023() == before
    # Nor does the published report take the made-up 2022 as its last year.
    published = AnnualReport.private_objects.get(region__slug="huaian", year=2023)
    assert check_report(published, drafts=False).prior_report is None


def test_clear_removes_only_synthetic_data():
    before = snapshot_2023()
    departments = set(Department.objects.values_list("pk", flat=True))
    regions = set(Region.objects.values_list("pk", flat=True))
    generate()
    assert Department.objects.filter(is_synthetic=True).exists()
    assert Region.objects.filter(is_synthetic=True).exists()  # Nanjing had no districts
    call_command("generate_demo", clear=True, verbosity=0)
    assert not AnnualReport.private_objects.synthetic().exists()
    assert set(Department.objects.values_list("pk", flat=True)) == departments
    assert set(Region.objects.values_list("pk", flat=True)) == regions
    for model in (Figure, AppealCount, DataSharingRequest, LivestreamEpisode, PolicyDocument):
        assert not model._default_manager.filter(report__is_synthetic=True).exists()
    assert snapshot_2023() == before


def test_the_same_seed_makes_the_same_data():
    generate()
    first = synthetic_values()
    call_command("generate_demo", clear=True, verbosity=0)
    generate()
    assert synthetic_values() == first
    call_command("generate_demo", clear=True, verbosity=0)
    generate(seed=8)
    assert synthetic_values() != first


def test_it_refuses_an_unknown_city():
    with pytest.raises(CommandError):
        generate(cities="atlantis")


def test_public_pages_label_synthetic_reports(client):
    generate()
    made = client.get("/reports/nanjing/2023/").content.decode()
    assert "synthetic-banner" in made and demo.TITLE_PREFIX in made
    for url in ("/", "/reports/huaian/", "/compare/?year=2022", "/data-sharing/", "/episodes/"):
        assert "tag-synthetic" in client.get(url).content.decode(), url
    table = client.get("/reports/nanjing/2023/tables/appeals/").content.decode()
    assert "synthetic-banner" in table
    published = client.get("/reports/huaian/2023/").content.decode()
    assert "synthetic-banner" not in published
    assert "/reports/huaian/2022/" not in published  # no made-up year among its years


def test_the_admin_lists_and_filters_synthetic_reports(admin_client):
    generate()
    page = admin_client.get("/admin/hotline/annualreport/?is_synthetic__exact=1")
    assert page.status_code == 200
    html = page.content.decode()
    assert "column-is_synthetic" in html
    assert html.count('class="field-__str__"') == 3


def test_on_postgresql_the_planner_knows_the_generated_rows_at_once():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the planner's statistics (ANALYZE) are PostgreSQL's")
    generate()
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [Figure._meta.db_table])
        (estimated,) = cursor.fetchone()
    assert estimated >= Figure.private_objects.count() > 0
