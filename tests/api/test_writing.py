"""Staff write with their model permissions, only to drafts; reviewers alone publish."""

import pytest
from rest_framework.test import APIClient

from hotline.models import (
    AnnualReport,
    AppealCount,
    DataSharingRequest,
    Department,
    Figure,
    LivestreamEpisode,
    PolicyDocument,
    ReportEvent,
)

from .conftest import token_client

pytestmark = pytest.mark.django_db

NEW = {
    "figures": {
        "city": "huaian",
        "year": 2024,
        "indicator": "calls.inbound.answer_rate_30s",
        "value": "91.50",
        "decimals": 2,
        "change": "-0.80",
        "change_decimals": 2,
    },
    "appeal-counts": {
        "city": "huaian",
        "year": 2024,
        "appeal_type": "consultation",
        "category": "housing",
        "count": 100,
        "published_share": "7.16",
    },
    "episodes": {
        "city": "huaian",
        "year": 2024,
        "number": 1,
        "aired_on": "2024-03-01",
        "appeals_received": 10,
        "answered_on_air": 6,
        "supervised_after": 4,
        "guests": [{"department": "淮安市公安局", "position": "局长", "is_principal": True}],
    },
    "sharing-requests": {
        "city": "huaian",
        "year": 2024,
        "group_number": 1,
        "line": 1,
        "region": "huaian",
        "recipients": ["淮安市审计局"],
        "methods": ["usb", "network"],
        "scope": "全量",
        "records": 10,
    },
    "policy-documents": {
        "city": "huaian",
        "year": 2024,
        "order": 1,
        "title": "关于印发…的通知",
        "doc_number": "淮政办[2024]1号",
        "issuers": ["淮安市人民政府办公室"],
    },
}
CHANGE = {
    "figures": {"value": "92.00"},
    "appeal-counts": {"count": 101},
    "episodes": {"title": "第一期"},
    "sharing-requests": {"records": 11},
    "policy-documents": {"title": "关于印发…的通知（修订）"},
}
MODELS = {
    "figures": Figure,
    "appeal-counts": AppealCount,
    "episodes": LivestreamEpisode,
    "sharing-requests": DataSharingRequest,
    "policy-documents": PolicyDocument,
}
CREATED = {"anonymous": 401, "data_entry": 201, "reviewer": 201}


def url(name, pk=None):
    return f"/api/v1/{name}/" + (f"{pk}/" if pk else "")


@pytest.mark.parametrize("name", NEW)
def test_records_of_a_draft_are_written_as_permissions_say(role, name, draft_2024):
    who, client = role
    response = client.post(url(name), NEW[name], format="json")
    assert response.status_code == CREATED[who], response.content
    if who == "anonymous":
        assert response["WWW-Authenticate"] == "Token"
        return
    pk = response.json()["id"]
    assert MODELS[name]._default_manager.get(pk=pk).report == draft_2024
    changed = client.patch(url(name, pk), CHANGE[name], format="json")
    assert changed.status_code == 200, changed.content
    assert client.delete(url(name, pk)).status_code == 204
    assert not MODELS[name]._default_manager.filter(pk=pk).exists()


@pytest.mark.parametrize("name", NEW)
def test_records_of_a_published_report_are_refused(name, data_entry, reviewer, report_2023):
    from .conftest import add_records

    add_records(report_2023)
    record = MODELS[name]._default_manager.filter(report=report_2023).first()
    for client in (data_entry, reviewer):
        response = client.post(url(name), {**NEW[name], "year": 2023}, format="json")
        assert response.status_code == 403, response.content
        assert "only a draft report" in response.json()["detail"]
        assert client.patch(url(name, record.pk), CHANGE[name], format="json").status_code == 403
        assert client.delete(url(name, record.pk)).status_code == 403
    assert MODELS[name]._default_manager.filter(pk=record.pk).exists()


def test_a_record_cannot_move_into_a_published_report(data_entry, draft_2024):
    figure = Figure.private_objects.get(report=draft_2024)
    response = data_entry.patch(url("figures", figure.pk), {"year": 2023}, format="json")
    assert response.status_code == 403
    figure.refresh_from_db()
    assert figure.report == draft_2024


def test_staff_without_permissions_cannot_write(django_user_model, draft_2024):
    user = django_user_model.objects.create_user("guest", password="x", is_staff=True)
    client = token_client(user)
    assert client.post(url("figures"), NEW["figures"], format="json").status_code == 403
    # ... and, without the view permission, do not see drafts either.
    assert client.get("/api/v1/reports/huaian/2024/").status_code == 404


def test_the_public_cannot_write_or_see_drafts_through_a_write(anonymous, draft_2024):
    figure = Figure.private_objects.get(report=draft_2024)
    assert anonymous.patch(url("figures", figure.pk), {"value": "1"}).status_code == 401
    assert anonymous.delete(url("figures", figure.pk)).status_code == 401


# Reports and their workflow


def test_data_entry_starts_a_draft_and_submits_it(data_entry):
    response = data_entry.post(url("reports"), {"city": "huaian", "year": 2025}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "draft"
    submitted = data_entry.post("/api/v1/reports/huaian/2025/submit/")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "review"


def test_only_reviewers_publish_and_reopen(data_entry, reviewer, anonymous, draft_2024):
    assert anonymous.post("/api/v1/reports/huaian/2024/publish/").status_code == 401
    refused = data_entry.post("/api/v1/reports/huaian/2024/publish/")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only a reviewer can publish a report."
    assert reviewer.post("/api/v1/reports/huaian/2024/publish/").json()["status"] == "published"
    assert (
        data_entry.post(
            "/api/v1/reports/huaian/2024/reopen/", {"reason": "更正"}, format="json"
        ).status_code
        == 403
    )
    no_reason = reviewer.post("/api/v1/reports/huaian/2024/reopen/", {}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    number = reviewer.post("/api/v1/reports/huaian/2024/reopen/", {"reason": 1}, format="json")
    assert number.status_code == 400 and "reason" in number.json()
    blank = reviewer.post("/api/v1/reports/huaian/2024/reopen/", {"reason": " "}, format="json")
    assert blank.status_code == 400
    reopened = reviewer.post(
        "/api/v1/reports/huaian/2024/reopen/", {"reason": "更正话务表"}, format="json"
    )
    assert reopened.json()["status"] == "draft"
    assert ReportEvent.objects.filter(report=draft_2024).count() == 2


def test_a_step_out_of_order_is_a_400(reviewer, report_2023):
    response = reviewer.post("/api/v1/reports/huaian/2023/submit/")
    assert response.status_code == 400
    assert "cannot be" in response.json()["non_field_errors"][0]


def test_a_report_changes_only_as_a_draft(data_entry, reviewer, draft_2024, report_2023):
    assert data_entry.patch(url("reports") + "huaian/2024/", {"title": "新"}).status_code == 200
    assert data_entry.patch(url("reports") + "huaian/2023/", {"title": "新"}).status_code == 403
    moved = data_entry.patch(url("reports") + "huaian/2024/", {"year": 2026}, format="json")
    assert moved.status_code == 400 and "year" in moved.json()
    assert data_entry.delete(url("reports") + "huaian/2024/").status_code == 403  # no permission
    assert reviewer.delete(url("reports") + "huaian/2023/").status_code == 403  # published
    assert reviewer.delete(url("reports") + "huaian/2024/").status_code == 204
    assert not Figure.private_objects.filter(report__year=2024).exists()


def test_a_report_belongs_to_a_city_once_a_year(data_entry):
    county = data_entry.post(url("reports"), {"city": "huaian-lianshui", "year": 2025})
    assert county.status_code == 400 and "city" in county.json()
    again = data_entry.post(url("reports"), {"city": "huaian", "year": 2023})
    assert again.status_code == 400
    assert again.json()["non_field_errors"] == ["This city already has a report for this year."]


# Departments and nested records


@pytest.mark.parametrize(
    ("changes", "field"), [({"name": 0}, "name"), ({"aliases": ["测试局", 7]}, "aliases")]
)
def test_a_departments_names_are_text(data_entry, changes, field):
    new = {"region": "huaian", "name": "淮安市测试局", "kind": "government", **changes}
    response = data_entry.post(url("departments"), new, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not Department.objects.filter(name__in=["0", "淮安市测试局"]).exists()


def test_departments_are_written_by_staff(data_entry, anonymous):
    new = {"region": "huaian", "name": "淮安市测试局", "kind": "government", "aliases": ["测试局"]}
    assert anonymous.post(url("departments"), new, format="json").status_code == 401
    response = data_entry.post(url("departments"), new, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert data_entry.delete(url("departments", pk)).status_code == 204


def test_a_department_that_records_name_is_not_deleted(reviewer):
    audit = Department.objects.get(name="淮安市审计局")  # a data-sharing recipient in 2023
    response = reviewer.delete(url("departments", audit.pk))
    assert response.status_code == 409
    police = Department.objects.get(name="淮安市公安局")  # counted in the TOP5
    assert reviewer.delete(url("departments", police.pk)).status_code == 409
    assert Department.objects.filter(pk__in=[audit.pk, police.pk]).count() == 2


def test_episode_guests_are_written_with_their_episode(data_entry, draft_2024):
    response = data_entry.post(url("episodes"), NEW["episodes"], format="json")
    assert response.status_code == 201, response.content
    episode = LivestreamEpisode.private_objects.get(pk=response.json()["id"])
    assert [g.department.name for g in episode.guests.all()] == ["淮安市公安局"]
    guests = [{"department": "淮安市审计局"}, {"department": "huaian/淮安市交通运输局"}]
    data_entry.patch(url("episodes", episode.pk), {"guests": guests}, format="json")
    assert {g.department.name for g in episode.guests.all()} == {"淮安市审计局", "淮安市交通运输局"}


def test_session_writes_need_the_csrf_token(data_entry_user, draft_2024):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(data_entry_user)
    response = client.post(url("figures"), NEW["figures"], format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


# Bad input is a 400 per field


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"value": "1" * 30}, "value"),
        ({"value": "1e30"}, "value"),
        ({"value": "-1"}, "value"),
        ({"value": "NaN"}, "value"),
        ({"value": "Infinity"}, "value"),
        ({"value": "九十"}, "value"),
        ({"value": [1]}, "value"),
        ({"value": {"a": 1}}, "value"),
        ({"value": True}, "value"),
        ({"value": "100.01"}, "non_field_errors"),  # a rate above 100: the model's constraint
        ({"decimals": 99}, "decimals"),
        ({"decimals": -1}, "decimals"),
        ({"decimals": "two"}, "decimals"),
        ({"change": "-100.5"}, "change"),
        ({"change": "9" * 20}, "change"),
        ({"text": "优秀"}, "non_field_errors"),  # a number and a text
        ({"text": "x" * 101}, "text"),
        ({"text": "\x00"}, "text"),
        ({"note": "bell\x07"}, "note"),
        ({"note": 0}, "note"),  # a JSON number where the schema says text, not "0"
        ({"text": True}, "text"),
        ({"indicator": "no.such.code"}, "indicator"),
        ({"indicator": "calls\x00"}, "indicator"),
        ({"indicator": 12}, "indicator"),
        ({"indicator": None}, "indicator"),
        ({"city": "huai an"}, "city"),
        ({"city": "huaian\x00"}, "city"),
        ({"city": "nanjing"}, "year"),  # no such report
        ({"year": 99999}, "year"),
        ({"year": "二〇二四"}, "year"),
        ({"year": 2023.5}, "year"),
        ({"indicator": "appeals.public.total"}, "non_field_errors"),  # already has one
    ],
)
def test_hostile_figures_are_a_400_naming_the_field(data_entry, draft_2024, changes, field):
    response = data_entry.post(url("figures"), {**NEW["figures"], **changes}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()


@pytest.mark.parametrize(
    ("name", "changes", "field"),
    [
        ("appeal-counts", {"count": 10**20}, "count"),
        ("appeal-counts", {"count": -5}, "count"),
        ("appeal-counts", {"department": "淮安市公安局"}, "non_field_errors"),  # and a category
        ("appeal-counts", {"category": None}, "non_field_errors"),  # neither
        ("appeal-counts", {"published_share": "100.5"}, "published_share"),
        ("appeal-counts", {"department": "无此单位", "category": None}, "department"),
        ("appeal-counts", {"department": "\x00", "category": None}, "department"),
        ("episodes", {"aired_on": "2024-02-30"}, "aired_on"),
        ("episodes", {"satisfaction_rate": "101"}, "non_field_errors"),
        ("episodes", {"number": 10**12}, "number"),
        ("episodes", {"guests": [{"department": "无此单位"}]}, "guests"),
        ("episodes", {"guests": "淮安市公安局"}, "guests"),
        ("sharing-requests", {"records": "many"}, "records"),
        ("sharing-requests", {"methods": ["fax"]}, "methods"),
        ("sharing-requests", {"recipients": "淮安市审计局"}, "recipients"),
        ("sharing-requests", {"region": "\x01"}, "region"),
        (
            "sharing-requests",
            {"period_start": "2024-05-01", "period_end": "2024-01-01"},
            "non_field_errors",
        ),
        ("policy-documents", {"url": "javascript:alert(1)"}, "url"),
        ("policy-documents", {"issuers": [None]}, "issuers"),
        ("policy-documents", {"title": ""}, "title"),
        ("policy-documents", {"title": 2024}, "title"),
        ("episodes", {"guests": [{"department": "淮安市公安局", "position": 1}]}, "guests"),
        ("sharing-requests", {"scope": False}, "scope"),
    ],
)
def test_hostile_records_are_a_400_naming_the_field(data_entry, draft_2024, name, changes, field):
    response = data_entry.post(url(name), {**NEW[name], **changes}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()


@pytest.mark.parametrize("form", ["multipart", "urlencoded"])
def test_a_form_is_a_415_the_api_reads_json(data_entry, draft_2024, form):
    """A form's fields are all text: `true` and "true" would be one value, where the schema
    tells a boolean from a text."""
    alias = {"region": "huaian", "name": "淮安市测试局", "kind": "government", "aliases": "true"}
    if form == "multipart":
        response = data_entry.post(url("departments"), alias, format="multipart")
    else:
        body = "&".join(f"{key}={value}" for key, value in alias.items())
        response = data_entry.post(
            url("departments"), body, content_type="application/x-www-form-urlencoded"
        )
    assert response.status_code == 415, response.content
    assert set(response.json()) == {"detail"}
    assert not Department.objects.filter(name="淮安市测试局").exists()


def test_a_body_that_is_not_json_is_a_400(data_entry, draft_2024):
    response = data_entry.post(url("figures"), "{not json", content_type="application/json")
    assert response.status_code == 400
    assert data_entry.post(url("figures"), [1, 2], format="json").status_code == 400


def test_a_duplicate_doc_number_is_a_400(data_entry, draft_2024):
    assert (
        data_entry.post(url("policy-documents"), NEW["policy-documents"], format="json").status_code
        == 201
    )
    again = data_entry.post(url("policy-documents"), NEW["policy-documents"], format="json")
    assert again.status_code == 400
    assert again.json()["non_field_errors"] == [
        "This report already lists a document with this number."
    ]


def test_tokens_are_for_staff(data_entry_user, django_user_model, anonymous):
    ok = anonymous.post("/api/v1/auth/token/", {"username": "clerk", "password": "pw-12345-test"})
    assert ok.status_code == 200 and len(ok.json()["token"]) == 40
    django_user_model.objects.create_user("citizen", password="pw-12345-test")
    refused = anonymous.post(
        "/api/v1/auth/token/", {"username": "citizen", "password": "pw-12345-test"}
    )
    assert refused.status_code == 400
    assert anonymous.post("/api/v1/auth/token/", {"username": "clerk"}).status_code == 400
    as_number = {"username": 0, "password": "pw-12345-test"}
    assert anonymous.post("/api/v1/auth/token/", as_number, format="json").status_code == 400
    assert AnnualReport.private_objects.count() == 1


READ_ONLY = ["regions", "sections", "tables", "indicators", "appeal-categories", "sharing-methods"]


@pytest.mark.parametrize("name", [*READ_ONLY, "top5"])
def test_reference_data_and_rankings_are_read_only(role, name):
    who, client = role
    response = client.post(url(name), {"code": "x"}, format="json")
    # Staff without the model's add permission are refused before the method is looked at.
    assert response.status_code in ({401} if who == "anonymous" else {403, 405})


def test_rankings_have_no_records_to_change(reviewer, report_2023):
    pk = AppealCount.private_objects.filter(report=report_2023).first().pk
    for method in ("get", "put", "patch", "delete"):
        assert getattr(reviewer, method)(url("top5", pk)).status_code == 404


def test_a_request_written_with_its_printed_recipients_reads_back_as_printed(
    data_entry, draft_2024
):
    """The units by their official names, the cell as printed beside them: the answer gives
    the units in the printed order and the row as printed, and a replace with what was read
    keeps it."""
    new = {
        **NEW["sharing-requests"],
        "line": 7,
        "region": "huaian-huaiyin",
        "recipients": ["淮阴区委巡察组", "江苏省委巡视组"],
        "recipients_printed": "省委巡视组、淮阴区委巡察组",
    }
    created = data_entry.post(url("sharing-requests"), new, format="json")
    assert created.status_code == 201, created.content
    read = data_entry.get(url("sharing-requests", created.json()["id"])).json()
    assert read["recipients"] == ["江苏省委巡视组", "淮阴区委巡察组"]
    assert read["recipients_as_printed"] == ["省委巡视组", "淮阴区委巡察组"]
    assert read["level_as_printed"] == "Huaiyin District"  # this client reads English
    writable = {k: v for k, v in read.items() if not k.endswith("_as_printed") and k != "id"}
    replaced = data_entry.put(url("sharing-requests", read["id"]), writable, format="json")
    assert replaced.status_code == 200, replaced.content
    assert replaced.json()["recipients_as_printed"] == ["省委巡视组", "淮阴区委巡察组"]
