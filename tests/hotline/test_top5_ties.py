"""Equal counts rank the same way on the public page, in the API and in the figure checks
(AppealCountQuerySet.RANK_ORDER): the check's footnote marks must land on the rows they are
about, and a reader must find the same TOP5 in every format."""

import pytest
from rest_framework.test import APIClient

from hotline.checks.data import ReportData
from hotline.models import AnnualReport

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def tied():
    """Two departments and two categories with equal counts, entered in an order that is
    neither their names' nor the categories' display order."""
    report = f.make_report(status=AnnualReport.Status.PUBLISHED)
    departments = [
        f.make_department(report.region, name=name, short_name=name) for name in ("甲局", "乙局")
    ]
    categories = [f.make_category(name="丁类", order=2), f.make_category(name="丙类", order=1)]
    with f.as_drafts(report):
        for department in departments:
            f.make_appeal_count(report, department, count=500)
        f.make_appeal_count(report, f.make_department(report.region), count=900)
        for category in categories:
            f.make_appeal_count(report, department=None, category=category, count=70)
    return report


def on_page(client, report, table, names):
    page = client.get(f"/reports/{report.region.slug}/{report.year}/tables/{table}/")
    assert page.status_code == 200
    text = page.content.decode()
    return sorted(names, key=text.index)


def test_equal_counts_rank_alike_on_the_page_in_the_api_and_in_the_checks(client, tied):
    query = f"city={tied.region.slug}&year={tied.year}"
    api = APIClient().get(f"/api/v1/top5/?{query}").json()["results"]
    in_api = {
        ranking: [row["name"] for row in api if row["ranking"] == ranking and row["count"] < 900]
        for ranking in ("department", "category")
    }
    in_checks = [
        str(c.subject) for c in ReportData.load(tied, drafts=False).appeal_counts if c.count < 900
    ]

    expected = {"department": ["甲局", "乙局"], "category": ["丁类", "丙类"]}
    assert in_api == expected
    assert in_checks == expected["department"] + expected["category"]
    assert on_page(client, tied, "top5-departments", ["甲局", "乙局"]) == expected["department"]
    assert on_page(client, tied, "top5-categories", ["丙类", "丁类"]) == expected["category"]
    csv = client.get(f"/reports/{tied.region.slug}/{tied.year}/tables/top5-departments.csv")
    text = csv.content.decode("utf-8-sig")
    assert text.index("甲局") < text.index("乙局")
