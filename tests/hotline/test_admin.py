import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from hotline.models import (
    AnnualReport,
    AppealCount,
    DataSharingRequest,
    Department,
    EpisodeGuest,
    Figure,
    ImportJob,
    LivestreamEpisode,
    PolicyDocument,
    Region,
    ReportEvent,
)
from hotline.services.reports import report_publish, report_submit

from . import factories as f
from .admin_forms import form_data

pytestmark = pytest.mark.django_db

Status = AnnualReport.Status
HOTLINE_MODELS = [m for m in admin.site._registry if m._meta.app_label == "hotline"]


def url(model, view, *args):
    return reverse(f"admin:hotline_{model._meta.model_name}_{view}", args=args)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def one_of_each(status=Status.DRAFT):
    """A report with one record of every kind, and a figure."""
    report = f.make_report(status=status)
    indicator = f.make_indicator()
    with f.as_drafts(report):
        episode = f.make_episode(report)
        return {
            "report": report,
            "figure": f.make_figure(report, indicator, value=5),
            "indicator": indicator,
            "appeal_count": f.make_appeal_count(report),
            "episode": episode,
            "guest": f.make_guest(episode, name="张三"),
            "sharing": f.make_sharing_request(report),
            "document": f.make_policy_document(report),
        }


# Not records staff keep: an upload between an import's preview and its confirmation, and the
# version of public data that the pages' cache keys are made of (written by the workflow).
INTERNAL = {"ImportUpload", "PublishedVersion"}


def test_every_model_of_the_app_is_registered():
    models = apps.get_app_config("hotline").get_models()
    kept = {m for m in models if not m.__name__.startswith("Historical")}
    assert {m for m in kept if m.__name__ not in INTERNAL} == set(HOTLINE_MODELS)


@pytest.mark.parametrize("model", HOTLINE_MODELS, ids=lambda m: m.__name__)
def test_every_list_and_add_page_opens_for_a_superuser(admin_client, model):
    records = one_of_each()
    f.make_category()
    f.make_district(records["report"].region)
    f.make_event(records["report"])

    assert admin_client.get(url(model, "changelist")).status_code == 200
    add = admin_client.get(url(model, "add"))
    # The workflow writes its own steps, and an import its job; nobody adds one by hand.
    assert add.status_code == (403 if model in (ReportEvent, ImportJob) else 200)


@pytest.mark.parametrize(
    "key", ["report", "figure", "appeal_count", "episode", "guest", "sharing", "document"]
)
def test_every_change_and_history_page_opens(admin_client, key):
    obj = one_of_each()[key]
    assert admin_client.get(url(type(obj), "change", obj.pk)).status_code == 200
    assert admin_client.get(url(type(obj), "history", obj.pk)).status_code == 200


def test_the_site_is_named_and_offers_both_languages(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert "12345" in page
    assert f'action="{reverse("set_language")}"' in page
    assert 'value="en"' in page and "English" in page
    assert 'value="zh-hans"' in page and "简体中文" in page
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", page)  # a CSP is coming


def test_the_language_switcher_changes_the_language(admin_client):
    admin_client.post(reverse("set_language"), {"language": "en", "next": "/admin/"})
    page = admin_client.get(reverse("admin:index"))
    assert page.wsgi_request.LANGUAGE_CODE == "en"
    assert "Log out" in page.content.decode()


# Search and filters


def changelist_objects(client, model, **params):
    response = client.get(url(model, "changelist"), params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_figures_are_found_by_indicator_code_and_labels(admin_client):
    report = f.make_report()
    phone = f.make_indicator(
        code="test-calls-phone", row_label="群众诉求", column_group="诉求来源", column_label="电话"
    )
    web = f.make_indicator(column_label="互联网")
    phone_figure = f.make_figure(report, phone, value=1)
    web_figure = f.make_figure(report, web, value=2)

    for term in ["test-calls-phone", "电话", "诉求来源", "群众诉求"]:
        found = changelist_objects(admin_client, Figure, q=term)
        assert phone_figure in found and web_figure not in found, term


def test_departments_are_found_by_name_short_name_and_alias(admin_client):
    police = f.make_department(
        name="淮安测试市公安局", short_name="测试公安", aliases=["公安测试别名"]
    )
    other = f.make_department(name="测试住建局")
    for term in ["淮安测试市公安局", "测试公安", "公安测试别名", "别名"]:
        found = changelist_objects(admin_client, Department, q=term)
        assert police in found and other not in found, term


def test_sharing_requests_are_found_by_scope_and_recipient(admin_client):
    report = f.make_report()
    auditors = f.make_department(report.region, name="测试审计局", short_name="测审计")
    audit = f.make_sharing_request(report, recipients=[auditors], scope="噪声污染和物业管理")
    other = f.make_sharing_request(report, scope="全量诉求")
    for term in ["噪声污染", "测试审计局", "测审计"]:
        found = changelist_objects(admin_client, DataSharingRequest, q=term)
        assert audit in found and other not in found, term


def test_the_city_filter_lists_only_cities(admin_client):
    city = f.make_city(name="测试过滤市")
    district = f.make_district(city, name="测试过滤区")
    response = admin_client.get(url(AnnualReport, "changelist"))
    city_filter = next(
        spec for spec in response.context["cl"].filter_specs if spec.parameter_name == "city"
    )
    slugs = {slug for slug, _name in city_filter.lookup_choices}
    assert city.slug in slugs
    assert district.slug not in slugs
    assert not Region.objects.filter(slug__in=slugs).exclude(level=Region.Level.CITY).exists()


def test_the_city_and_year_filters_filter(admin_client):
    city, other_city = f.make_city(), f.make_city()
    kept = f.make_report(city, year=2099)
    f.make_report(city, year=2098)
    f.make_report(other_city, year=2099)
    assert changelist_objects(admin_client, AnnualReport, city=city.slug, year="2099") == [kept]

    figure = f.make_figure(kept, f.make_indicator(), value=1)
    found = changelist_objects(admin_client, Figure, city=city.slug, year="2099")
    assert found == [figure]

    guest = f.make_guest(f.make_episode(kept))
    assert changelist_objects(admin_client, EpisodeGuest, city=city.slug) == [guest]


def test_the_city_filter_keeps_a_citys_departments(admin_client):
    city = f.make_city()
    in_city = f.make_department(city)
    in_district = f.make_department(f.make_district(city))
    elsewhere = f.make_department()
    found = changelist_objects(admin_client, Department, city=city.slug)
    assert set(found) == {in_city, in_district}
    assert elsewhere not in found


def test_status_kind_and_type_filters_work(admin_client):
    draft = f.make_report()
    published = f.make_report(status=Status.PUBLISHED)
    found = changelist_objects(
        admin_client, AnnualReport, status="published", city=published.region.slug
    )
    assert found == [published]
    consultation = f.make_appeal_count(draft, appeal_type="consultation")
    f.make_appeal_count(draft, appeal_type="non_consultation")
    found = changelist_objects(
        admin_client, AppealCount, appeal_type="consultation", city=draft.region.slug
    )
    assert found == [consultation]
    police = f.make_department(kind=Department.Kind.VERTICAL)
    found = changelist_objects(admin_client, Department, kind="vertical", q=police.name)
    assert found == [police]


def test_a_bad_year_is_refused_politely(admin_client):
    f.make_report()  # the filter shows, and so reads its parameter, only when years exist
    response = admin_client.get(url(AnnualReport, "changelist"), {"year": "twenty"})
    assert response.status_code == 302
    assert "e=1" in response["Location"]


# Department aliases


def test_aliases_are_typed_one_per_line_or_with_dun_commas(admin_client):
    department = f.make_department(aliases=["旧名"])
    assert (
        "旧名</textarea>"
        in admin_client.get(url(Department, "change", department.pk)).content.decode()
    )
    page = admin_client.get(url(Department, "change", department.pk))
    response = admin_client.post(
        url(Department, "change", department.pk),
        form_data(page, aliases="甲局\r\n乙局、丙局\r\n\r\n甲局 "),
    )
    assert response.status_code == 302
    department.refresh_from_db()
    assert department.aliases == ["甲局", "乙局", "丙局"]


# The publishing workflow


def action_choices(client):
    response = client.get(url(AnnualReport, "changelist"))
    return {name for name, _label in response.context["action_form"].fields["action"].choices}


def run_action(client, action, *reports, **extra):
    return client.post(
        url(AnnualReport, "changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [r.pk for r in reports], **extra},
    )


def workflow_url(report, step):
    return reverse("admin:hotline_annualreport_workflow", args=[report.pk, step])


def test_data_entry_is_not_offered_publish_or_reopen(client, data_entry_user):
    report = f.make_report()
    client.force_login(data_entry_user)
    choices = action_choices(client)
    assert "submit_reports" in choices
    assert "publish_reports" not in choices
    assert "reopen_reports" not in choices
    page = client.get(url(AnnualReport, "change", report.pk)).content.decode()
    assert workflow_url(report, "submit") in page
    assert workflow_url(report, "publish") not in page
    assert client.get(workflow_url(report, "publish")).status_code == 403


def test_data_entry_cannot_publish_by_posting(client, data_entry_user):
    report = f.make_report(status=Status.REVIEW)
    client.force_login(data_entry_user)

    run_action(client, "publish_reports", report)
    report.refresh_from_db()
    assert report.status == Status.REVIEW

    response = client.post(workflow_url(report, "publish"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.REVIEW
    with translation.override("zh-hans"):
        refusal = translation.gettext("Only a reviewer can publish a report.")
    assert any(refusal in message for message in messages_of(response))

    response = client.post(workflow_url(report, "reopen"), {"reason": "错了"})
    report.refresh_from_db()
    assert report.status == Status.REVIEW
    assert not ReportEvent.objects.filter(report=report).exists()


def test_the_service_refuses_data_entry_too(data_entry_user):
    report = f.make_report()
    with pytest.raises(PermissionDenied):
        report_publish(report=report, by=data_entry_user)


def test_data_entry_submits_for_review(client, data_entry_user):
    report = f.make_report()
    client.force_login(data_entry_user)
    response = client.post(workflow_url(report, "submit"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.REVIEW
    assert ReportEvent.objects.get(report=report).by == data_entry_user


def test_a_reviewer_publishes_from_the_list(client, reviewer_user):
    reports = [f.make_report(status=Status.REVIEW), f.make_report()]
    client.force_login(reviewer_user)
    assert {"publish_reports", "reopen_reports"} <= action_choices(client)
    response = run_action(client, "publish_reports", *reports)
    assert response.status_code == 302
    for report in reports:
        report.refresh_from_db()
        assert report.status == Status.PUBLISHED
        assert report.published_by == reviewer_user


def test_a_reviewer_publishes_from_the_report_page(client, reviewer_user):
    report = f.make_report(status=Status.REVIEW)
    client.force_login(reviewer_user)
    page = client.get(url(AnnualReport, "change", report.pk)).content.decode()
    assert workflow_url(report, "publish") in page
    assert workflow_url(report, "submit") not in page  # not a draft
    assert client.get(workflow_url(report, "publish")).status_code == 200
    response = client.post(workflow_url(report, "publish"))
    report.refresh_from_db()
    assert report.status == Status.PUBLISHED
    assert messages_of(response)


def test_a_wrong_step_shows_the_services_message(client, reviewer_user):
    report = f.make_report(status=Status.PUBLISHED)
    client.force_login(reviewer_user)
    response = client.post(workflow_url(report, "publish"))
    assert response.status_code == 302
    assert any(str(report) in message for message in messages_of(response))
    report.refresh_from_db()
    assert report.status == Status.PUBLISHED


def test_reopening_needs_a_reason(client, reviewer_user):
    report = f.make_report(status=Status.PUBLISHED)
    client.force_login(reviewer_user)
    response = client.post(workflow_url(report, "reopen"), {"reason": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors
    report.refresh_from_db()
    assert report.status == Status.PUBLISHED

    client.post(workflow_url(report, "reopen"), {"reason": "电话数字录错了"})
    report.refresh_from_db()
    assert report.status == Status.DRAFT
    assert ReportEvent.objects.get(report=report, action="reopen").reason == "电话数字录错了"


def test_reopening_from_the_list_asks_for_the_reason(client, reviewer_user):
    report = f.make_report(status=Status.PUBLISHED)
    client.force_login(reviewer_user)
    response = run_action(client, "reopen_reports", report)
    assert response.status_code == 200
    assert 'name="reason"' in response.content.decode()
    report.refresh_from_db()
    assert report.status == Status.PUBLISHED

    response = run_action(client, "reopen_reports", report, post="yes", reason="数据更正")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.DRAFT


def test_the_report_page_shows_the_workflow_history(client, reviewer_user):
    report = f.make_report()
    report_submit(report=report, by=reviewer_user)
    report_publish(report=report, by=reviewer_user)
    client.force_login(reviewer_user)
    response = client.get(url(AnnualReport, "change", report.pk))
    page = response.content.decode()
    assert "reviewer" in page
    with translation.override("zh-hans"):
        for label in (ReportEvent.Action.SUBMIT.label, ReportEvent.Action.PUBLISH.label):
            assert str(label) in page
    # Read-only: no inputs for the steps.
    assert 'name="events-0-reason"' not in page


def test_the_status_cannot_be_typed(admin_client):
    report = f.make_report()
    page = admin_client.get(url(AnnualReport, "change", report.pk))
    response = admin_client.post(
        url(AnnualReport, "change", report.pk), form_data(page, title="改", status="published")
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.title == "改"
    assert report.status == Status.DRAFT


# Records of a report that is not a draft


RECORD_KEYS = ["report", "figure", "appeal_count", "episode", "guest", "sharing", "document"]


@pytest.mark.parametrize("key", RECORD_KEYS)
@pytest.mark.parametrize("status", [Status.REVIEW, Status.PUBLISHED])
def test_records_of_a_submitted_report_are_read_only(client, reviewer_user, key, status):
    obj = one_of_each(status=status)[key]
    model = type(obj)
    client.force_login(reviewer_user)
    response = client.get(url(model, "change", obj.pk))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert 'name="_save"' not in response.content.decode()
    assert client.post(url(model, "change", obj.pk), {}).status_code == 403
    assert client.get(url(model, "delete", obj.pk)).status_code == 403


@pytest.mark.parametrize("key", RECORD_KEYS)
def test_records_of_a_draft_can_be_changed(client, data_entry_user, key):
    obj = one_of_each()[key]
    client.force_login(data_entry_user)
    response = client.get(url(type(obj), "change", obj.pk))
    assert response.context["has_change_permission"] is True


def test_deleting_records_of_a_published_report_from_the_list_is_refused(admin_client):
    records = one_of_each(status=Status.PUBLISHED)
    response = admin_client.post(
        url(Figure, "changelist"),
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [records["figure"].pk], "post": "yes"},
    )
    assert response.status_code == 403 or response.context["perms_lacking"]
    assert Figure.private_objects.filter(pk=records["figure"].pk).exists()


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (Figure, "report"),
        (LivestreamEpisode, "report"),
        (DataSharingRequest, "report"),
        (PolicyDocument, "report"),
        (EpisodeGuest, "episode"),
    ],
)
def test_add_forms_offer_only_draft_reports(admin_client, model, field):
    draft, published = f.make_report(), f.make_report(status=Status.PUBLISHED)
    draft_episode = f.make_episode(draft)
    with f.as_drafts(published):
        published_episode = f.make_episode(published)
    response = admin_client.get(url(model, "add"))
    choices = response.context["adminform"].form.fields[field].queryset
    if field == "episode":
        assert draft_episode in choices and published_episode not in choices
    else:
        assert draft in choices and published not in choices


def test_guests_of_a_published_episode_are_read_only_inline(admin_client):
    records = one_of_each(status=Status.PUBLISHED)
    response = admin_client.get(url(LivestreamEpisode, "change", records["episode"].pk))
    page = response.content.decode()
    assert "张三" in page
    assert 'name="guests-0-name"' not in page


def test_reverting_a_record_of_a_published_report_is_refused(admin_client):
    figure = one_of_each()["figure"]
    figure.value = 6
    figure.save()
    old = figure.history.earliest()
    AnnualReport.private_objects.filter(pk=figure.report_id).update(status=Status.PUBLISHED)
    revert = reverse("admin:hotline_figure_simple_history", args=[figure.pk, old.history_id])
    assert admin_client.get(revert).status_code == 200
    assert admin_client.post(revert, {"value": 5}).status_code == 403
    figure.refresh_from_db()
    assert figure.value == 6


def test_reverting_a_report_keeps_its_status(admin_client, reviewer_user):
    report = f.make_report(title="旧")
    old = report.history.earliest()
    report_publish(report=report, by=reviewer_user)
    from hotline.services.reports import report_reopen

    report_reopen(report=report, by=reviewer_user, reason="改")
    report.refresh_from_db()
    published_version = report.history.filter(status=Status.PUBLISHED).first()
    revert = reverse(
        "admin:hotline_annualreport_simple_history", args=[report.pk, published_version.history_id]
    )
    response = admin_client.post(revert, form_data(admin_client.get(revert), title="新"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert old.title == "旧" and report.title == "新"
    assert report.status == Status.DRAFT


# Lists do not query once per row


LISTS = [
    (AnnualReport, lambda: f.make_report()),
    (Figure, lambda: f.make_figure(f.make_report(), f.make_indicator(), value=1)),
    (Department, lambda: f.make_department(f.make_district(f.make_city()))),
    (Region, lambda: f.make_district(f.make_city())),
    (
        DataSharingRequest,
        lambda: f.make_sharing_request(f.make_report(), recipients=[f.make_department()]),
    ),
    (PolicyDocument, lambda: f.make_policy_document(f.make_report())),
    (LivestreamEpisode, lambda: f.make_guest(f.make_episode(f.make_report()))),
    (EpisodeGuest, lambda: f.make_guest(f.make_episode(f.make_report()))),
    (AppealCount, lambda: f.make_appeal_count(f.make_report())),
    (ReportEvent, lambda: f.make_event(f.make_report())),
]


@pytest.mark.parametrize(("model", "make"), LISTS, ids=lambda v: getattr(v, "__name__", ""))
def test_lists_do_not_query_per_row(admin_client, model, make):
    make()
    path = url(model, "changelist")
    admin_client.get(path)  # warm the session and content types
    with CaptureQueriesContext(connection) as few:
        admin_client.get(path)
    make()
    make()
    with CaptureQueriesContext(connection) as more:
        admin_client.get(path)
    assert len(more) == len(few), [q["sql"] for q in more]


def test_the_admin_speaks_chinese_whatever_the_browser_prefers(admin_client):
    page = admin_client.get(
        reverse("admin:hotline_annualreport_changelist"), headers={"accept-language": "en-US"}
    )
    assert "年度报告" in page.content.decode()
    assert page["Content-Language"] == "zh-hans"
    admin_client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    page = admin_client.get(reverse("admin:hotline_annualreport_changelist"))
    assert "Annual reports" in page.content.decode()


def test_the_model_list_follows_the_staffs_work(admin_client):
    """Reports, figures and records first, the catalogue and reference data last."""
    page = admin_client.get("/admin/")
    [hotline] = [app for app in page.context["app_list"] if app["app_label"] == "hotline"]
    names = [m["object_name"] for m in hotline["models"]]
    assert names[:2] == ["AnnualReport", "Figure"]
    assert names.index("LivestreamEpisode") < names.index("CheckRule") < names.index("Region")
    assert names.index("Indicator") < names.index("Department")


def test_the_login_protection_section_speaks_chinese(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert "登录防护" in page and "登录尝试" in page and ">Axes<" not in page


def test_the_background_jobs_section_speaks_chinese_and_comes_after_the_records(admin_client):
    page = admin_client.get("/admin/")
    html = page.content.decode()
    assert "后台任务" in html and "任务结果" in html
    assert "Tasks Database Backend" not in html and "Task Results" not in html
    assert page.context["app_list"][0]["app_label"] == "hotline"


def test_the_hotline_app_keeps_its_own_config():
    """hotline/apps.py holds AxesConfig too: the hotline's config (its ready(), which connects
    the freshness receivers) must still be the one Django picks."""
    from django.apps import apps as registry

    from hotline.apps import HotlineConfig

    assert type(registry.get_app_config("hotline")) is HotlineConfig
