"""Anyone reads published data; only staff see drafts, and a draft is a 404 to everyone else."""

import pytest

from reports.public_pages import API_RECORDS, api_detail_urls

from .conftest import add_records
from .endpoints import DETAILS, LISTS, results

pytestmark = pytest.mark.django_db

SEES_DRAFTS = {"anonymous": False, "data_entry": True, "reviewer": True}


@pytest.mark.parametrize("name", LISTS)
def test_every_list_answers_everyone(role, name, report_2023):
    add_records(report_2023)
    response = role[1].get(LISTS[name])
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    assert results(response), f"{name} is empty"


@pytest.mark.parametrize("name", DETAILS)
def test_every_detail_answers_everyone(role, name, report_2023):
    add_records(report_2023)
    response = role[1].get(api_detail_urls(report_2023)[name])
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("name", [*API_RECORDS.values(), "reports"])
def test_drafts_are_in_lists_for_staff_only(role, name, draft_2024, report_2023):
    add_records(report_2023)
    who, client = role
    years = {row["year"] for row in results(client.get(LISTS[name] + "?page_size=1000"))}
    assert (2024 in years) is SEES_DRAFTS[who]
    assert 2023 in years


@pytest.mark.parametrize("name", [*API_RECORDS.values(), "reports"])
def test_a_draft_is_a_404_not_an_empty_answer(role, name, draft_2024):
    who, client = role
    response = client.get(api_detail_urls(draft_2024)[name])
    assert response.status_code == (200 if SEES_DRAFTS[who] else 404)


def test_a_draft_report_and_its_checks_are_404_for_the_public(anonymous, draft_2024):
    for suffix in ("", "checks/"):
        assert anonymous.get(f"/api/v1/reports/huaian/2024/{suffix}").status_code == 404
    assert anonymous.get("/api/v1/figures/?year=2024").json()["results"] == []
    assert anonymous.get("/api/v1/top5/?year=2024").json()["count"] == 0


def test_top5_ranks_five_departments_and_five_categories(anonymous):
    rows = results(anonymous.get("/api/v1/top5/?appeal_type=all&page_size=100"))
    departments = [r for r in rows if r["ranking"] == "department"]
    assert [r["rank"] for r in departments] == [1, 2, 3, 4, 5]
    assert departments[0]["department"] == "淮安市公安局"
    assert departments[0]["name"] == "市公安局"
    assert departments[0]["count"] == 26851
    categories = [r for r in rows if r["ranking"] == "category"]
    assert categories[0]["category"] == "livelihood"
    assert categories[0]["printed_share"] == "31.39"


def test_a_figure_shows_its_labels_unit_and_printed_decimals(anonymous):
    [row] = results(anonymous.get("/api/v1/figures/?indicator=calls.inbound.answer_rate_30s"))
    assert row["city"] == "huaian" and row["year"] == 2023
    assert row["section"] == "appeals" and row["table"] == "calls"
    assert row["row_label"] == "接听" and row["row_label_en"] == "Inbound"
    assert row["column_label"] == "30秒人工接通率"
    assert row["unit"] == "%" and row["kind"] == "rate" and row["change_kind"] == "points"
    assert row["printed_value"] == "92.30"
    assert row["printed_change"] == "18.14"
    assert row["computed_change"] is None  # no 2022 report stored


def test_the_figure_checks_of_a_report(role, report_2023):
    response = role[1].get("/api/v1/reports/huaian/2023/checks/")
    assert response.status_code == 200
    body = response.json()
    assert body["prior_report"] is None and len(body["discrepancies"]) == 8
    talk = next(
        d
        for d in body["discrepancies"]
        if d["period"] == "current" and d["indicator_code"] == "calls.total.avg_talk_s"
    )
    assert talk["published"] == "292" and talk["computed"] == "191.76"
    assert talk["arithmetic"] == "(203 × 1,421,313 + 89 × 155,517) ÷ 1,576,830 = 191.76"
    assert any(n["reason"] for n in body["not_checked"])


def test_the_api_speaks_chinese_unless_asked_otherwise():
    from rest_framework.test import APIClient

    chinese = APIClient().post("/api/v1/figures/", {})
    english = APIClient(headers={"accept-language": "en"}).post("/api/v1/figures/", {})
    assert chinese["Content-Language"] == "zh-hans" and english["Content-Language"] == "en"
    assert chinese.json()["detail"] == "身份认证信息未提供。"
    assert english.json()["detail"] == "Authentication credentials were not provided."
