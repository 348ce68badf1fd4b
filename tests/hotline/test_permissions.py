"""Permissions from the outside: anonymous, data entry and reviewers against every admin page,
every admin action and the figure grid.

What each group may do is read from the migrations that create the groups, not from the admin
classes under test: the admin must answer as the groups' permissions say.
"""

import importlib
from urllib.parse import urlparse

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from hotline import roles
from hotline.importing.jobs import run_import_job
from hotline.models import (
    AnnualReport,
    CheckOperand,
    CheckRule,
    Figure,
    ImportJob,
    Indicator,
    Region,
    ReportEvent,
)

from . import factories as f

pytestmark = pytest.mark.django_db

Status = AnnualReport.Status
_groups = importlib.import_module("hotline.migrations.0002_staff_groups")
_rules = importlib.import_module("hotline.migrations.0003_checks")
GRANTED = {
    "anonymous": set(),
    "data_entry": {f"hotline.{c}" for c in _groups.DATA_ENTRY + _rules.DATA_ENTRY},
    "reviewer": {f"hotline.{c}" for c in _groups.REVIEWERS + _rules.REVIEWERS},
}
ROLES = list(GRANTED)
MODELS = sorted(admin.site._registry, key=lambda m: m._meta.label)


def fresh(model, django_user_model):
    """A record of `model` that nothing else refers to, so that it may be deleted."""
    report = f.make_report()  # a draft: its records are editable
    episode = f.make_episode(report)
    makers = {
        Region: lambda: f.make_district(f.make_city()),
        Figure: lambda: f.make_figure(report, f.make_indicator(), value=1),
        Indicator: lambda: f.make_indicator(),
        AnnualReport: lambda: report,
        ReportEvent: lambda: f.make_event(report),
        CheckRule: lambda: f.rule("test.perm", CheckRule.Kind.SUM, f.make_indicator()),
        CheckOperand: lambda: CheckOperand.objects.create(
            rule=f.rule("test.perm2", CheckRule.Kind.SUM, f.make_indicator()),
            role=CheckOperand.Role.PART,
            order=1,
            indicator=f.make_indicator(),
        ),
        Group: lambda: Group.objects.create(name="test-group"),
        django_user_model: lambda: django_user_model.objects.create_user("someone-else"),
        AccessAttempt: lambda: AccessAttempt.objects.create(
            username="x",
            ip_address="10.0.0.9",
            user_agent="",
            get_data="",
            post_data="",
            http_accept="",
            path_info="/admin/login/",
            failures_since_start=1,
        ),
        AccessLog: lambda: AccessLog.objects.create(
            username="x", ip_address="10.0.0.9", user_agent="", http_accept="", path_info="/"
        ),
        AccessFailureLog: lambda: AccessFailureLog.objects.create(
            username="x", ip_address="10.0.0.9", user_agent="", http_accept="", path_info="/"
        ),
    }
    by_name = {
        "Section": f.make_section,
        "ReportTable": f.make_table,
        "AppealCategory": f.make_category,
        "SharingMethod": f.make_method,
        "Department": f.make_department,
        "AppealCount": lambda: f.make_appeal_count(report),
        "LivestreamEpisode": lambda: episode,
        "EpisodeGuest": lambda: f.make_guest(episode),
        "DataSharingRequest": lambda: f.make_sharing_request(report),
        "PolicyDocument": lambda: f.make_policy_document(report),
    }
    makers[ImportJob] = lambda: ImportJob.objects.create(
        spec="datasharingrequest", file_name="x.csv", stored_name="permissions-test", size=1
    )
    makers[DBTaskResult] = lambda: DBTaskResult.objects.get(id=run_import_job.enqueue(0).id)
    make = makers.get(model) or by_name[model.__name__]
    return make()


@pytest.fixture
def as_role(client, data_entry_user, reviewer_user):
    def log_in(role):
        user = {"anonymous": None, "data_entry": data_entry_user, "reviewer": reviewer_user}[role]
        if user:
            client.force_login(user)
        return client

    return log_in


def perm(model, action):
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def expected(role, model, page):
    """The status an admin page must answer, from the groups' permissions alone."""
    if role == "anonymous":
        return "login"
    granted = GRANTED[role]
    if model is ReportEvent:
        # The workflow's own record: seen by whoever sees reports, written only by the workflow.
        may_view = "hotline.view_annualreport" in granted
        return 200 if page in {"changelist", "change", "history"} and may_view else 403
    if model is ImportJob:
        # Staff see their own imports, and others' not at all (this one is nobody's: not found,
        # and the history page's "not found" redirect); none is added or changed by hand.
        return {"changelist": 200, "change": 404, "history": 302}.get(page, 403)
    may_view = bool({perm(model, "view"), perm(model, "change")} & granted)
    needed = {
        "changelist": may_view,
        "change": may_view,
        "history": may_view,
        "add": perm(model, "add") in granted,
        "delete": perm(model, "delete") in granted,
    }[page]
    if page == "add" and model in {AccessAttempt, AccessLog, AccessFailureLog}:
        needed = False  # django-axes writes these itself
    return 200 if needed else 403


def admin_url(model, page, obj):
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}"
    return reverse(name) if page in {"changelist", "add"} else reverse(name, args=[obj.pk])


def answered(response):
    if response.status_code == 302 and urlparse(response["Location"]).path == reverse(
        "admin:login"
    ):
        return "login"
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_every_admin_page_answers_as_the_groups_permissions_say(
    as_role, django_user_model, role, model
):
    obj = fresh(model, django_user_model)
    client = as_role(role)
    found = {
        page: answered(client.get(admin_url(model, page, obj)))
        for page in ("changelist", "add", "change", "delete", "history")
    }
    wanted = {page: expected(role, model, page) for page in found}
    assert found == wanted


def offered_actions(client, model):
    response = client.get(admin_url(model, "changelist", None))
    if response.status_code != 200:
        return set()
    action_form = response.context["action_form"]
    return (
        {name for name, _label in action_form.fields["action"].choices if name}
        if action_form
        else set()
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_delete_selected_deletes_only_for_those_who_may_delete(
    as_role, django_user_model, role, model
):
    obj = fresh(model, django_user_model)
    client = as_role(role)
    may_delete = expected(role, model, "delete") == 200
    assert ("delete_selected" in offered_actions(client, model)) == may_delete
    response = client.post(
        admin_url(model, "changelist", None),
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [obj.pk], "post": "yes"},
    )
    if role == "anonymous":
        assert answered(response) == "login"
    assert model._default_manager.filter(pk=obj.pk).exists() != may_delete


WORKFLOW = [
    # action, status before, status after, permission it needs
    ("submit_reports", Status.DRAFT, Status.REVIEW, "hotline.change_annualreport"),
    ("publish_reports", Status.REVIEW, Status.PUBLISHED, "hotline.publish_annualreport"),
    ("reopen_reports", Status.PUBLISHED, Status.DRAFT, "hotline.publish_annualreport"),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("action", "before", "after", "needs"), WORKFLOW, ids=lambda v: str(v))
def test_workflow_actions_move_reports_only_for_those_allowed(
    as_role, role, action, before, after, needs
):
    reports = [f.make_report(status=before), f.make_report(status=before)]
    client = as_role(role)
    allowed = needs in GRANTED[role]
    assert (action in offered_actions(client, AnnualReport)) == allowed
    response = client.post(
        admin_url(AnnualReport, "changelist", None),
        {
            "action": action,
            ACTION_CHECKBOX_NAME: [r.pk for r in reports],
            "post": "yes",
            "reason": "更正",
        },
    )
    if role == "anonymous":
        assert answered(response) == "login"
    for report in reports:
        report.refresh_from_db()
        assert report.status == (after if allowed else before)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("step", "before", "after", "needs"),
    [
        ("submit", Status.DRAFT, Status.REVIEW, "hotline.change_annualreport"),
        ("publish", Status.REVIEW, Status.PUBLISHED, "hotline.publish_annualreport"),
        ("reopen", Status.PUBLISHED, Status.DRAFT, "hotline.publish_annualreport"),
    ],
    ids=lambda v: str(v),
)
def test_workflow_pages_move_a_report_only_for_those_allowed(
    as_role, role, step, before, after, needs
):
    report = f.make_report(status=before)
    client = as_role(role)
    url = reverse("admin:hotline_annualreport_workflow", args=[report.pk, step])
    response = client.post(url, {"reason": "更正"})
    if role == "anonymous":
        assert answered(response) == "login"
    report.refresh_from_db()
    assert report.status == (after if needs in GRANTED[role] else before)


@pytest.mark.parametrize("role", ROLES)
def test_the_figure_grid_saves_only_for_those_who_may_change_figures(as_role, role):
    indicator = f.make_indicator()
    report = f.make_report()
    client = as_role(role)
    url = reverse("admin:hotline_annualreport_figures", args=[report.pk])
    response = client.post(
        url, {f"f{indicator.pk}-value": "7", f"initial-f{indicator.pk}-value": ""}
    )
    allowed = {"hotline.change_figure", "hotline.add_figure"} <= GRANTED[role]
    if role == "anonymous":
        assert answered(response) == "login"
    else:
        assert response.status_code == (302 if allowed else 403)
    assert Figure.private_objects.filter(report=report, indicator=indicator).exists() == allowed


def test_the_groups_exist_as_the_migrations_say():
    for role, name in (("data_entry", roles.DATA_ENTRY), ("reviewer", roles.REVIEWERS)):
        group = Group.objects.get(name=name)
        codenames = {f"hotline.{p.codename}" for p in group.permissions.all()}
        assert codenames == GRANTED[role]
