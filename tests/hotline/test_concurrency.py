"""Two staff editing the same record: the second save is refused and the first is kept."""

import contextlib
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from hotline.admin.base import VERSION_FIELD, ConcurrentEditMixin
from hotline.admin.figure_grid import FigureGrid
from hotline.models import AnnualReport, Figure

from . import factories as f
from .admin_forms import form_data

pytestmark = pytest.mark.django_db

Status = AnnualReport.Status


def change_url(obj):
    return reverse(f"admin:hotline_{obj._meta.model_name}_change", args=[obj.pk])


def clients(data_entry_user, reviewer_user):
    first, second = Client(), Client()
    first.force_login(data_entry_user)
    second.force_login(reviewer_user)
    return first, second


def refusal_in(response):
    errors = response.context["adminform"].form.non_field_errors()
    return " ".join(errors)


@pytest.fixture
def figure():
    return f.make_figure(f.make_report(), f.make_indicator(), value=5)


def test_the_second_of_two_saves_of_a_figure_is_refused(figure, data_entry_user, reviewer_user):
    first, second = clients(data_entry_user, reviewer_user)
    url = change_url(figure)
    first_page, second_page = first.get(url), second.get(url)

    assert first.post(url, form_data(first_page, value="6")).status_code == 302
    response = second.post(url, form_data(second_page, value="7"))

    assert response.status_code == 200
    message = refusal_in(response)
    assert "clerk" in message  # who saved first
    with translation.override("zh-hans"):
        assert translation.gettext("someone else") not in message
    figure.refresh_from_db()
    assert figure.value == 6
    assert figure.history.count() == 2  # created, then the first save only

    # Saving the same page again is refused too: the second person has not seen the 6 yet.
    again = second.post(url, form_data(response, value="7"))
    assert again.status_code == 200 and refusal_in(again)
    figure.refresh_from_db()
    assert figure.value == 6

    # Opened afresh, the record shows the 6; a change made now is saved.
    fresh = second.get(url)
    assert fresh.context["adminform"].form["value"].value() == Decimal("6.0000")
    assert second.post(url, form_data(fresh, value="7")).status_code == 302
    figure.refresh_from_db()
    assert figure.value == 7


def test_a_change_made_outside_the_admin_is_noticed_too(admin_client, figure):
    page = admin_client.get(change_url(figure))
    Figure.private_objects.filter(pk=figure.pk).update(note="改过")  # no history, no signal
    response = admin_client.post(change_url(figure), form_data(page, value="8"))
    assert response.status_code == 200 and refusal_in(response)
    figure.refresh_from_db()
    assert (figure.value, figure.note) == (5, "改过")


def test_a_form_without_its_version_is_refused(admin_client, figure):
    data = form_data(admin_client.get(change_url(figure)), value="8")
    del data[VERSION_FIELD]
    assert admin_client.post(change_url(figure), data).status_code == 200
    figure.refresh_from_db()
    assert figure.value == 5


def test_the_rows_edited_inline_count_as_part_of_the_record(admin_client):
    episode = f.make_episode(f.make_report())
    guest = f.make_guest(episode, name="张三")
    page = admin_client.get(change_url(episode))
    guest.name = "李四"
    guest.save()
    response = admin_client.post(change_url(episode), form_data(page, title="新标题"))
    assert response.status_code == 200 and refusal_in(response)
    episode.refresh_from_db()
    assert episode.title == ""


def test_many_to_many_links_count_as_part_of_the_record(admin_client):
    request = f.make_sharing_request(f.make_report())
    page = admin_client.get(change_url(request))
    request.methods.add(f.make_method())
    response = admin_client.post(change_url(request), form_data(page, scope="改"))
    assert response.status_code == 200 and refusal_in(response)


def test_every_record_admin_checks_the_version():
    from django.contrib import admin

    # Logs that nobody edits (workflow steps, import jobs) need no version check.
    hotline_admins = [
        model_admin
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label == "hotline" and model.__name__ not in {"ReportEvent", "ImportJob"}
    ]
    assert hotline_admins
    assert all(isinstance(a, ConcurrentEditMixin) for a in hotline_admins)
    from hotline.models import ImportJob

    assert not admin.site._registry[ImportJob].has_change_permission(None)


# Reverting to an earlier version


def revert_url(obj, version):
    name = f"admin:hotline_{obj._meta.model_name}_simple_history"
    return reverse(name, args=[obj.pk, version.history_id])


def test_a_reviewer_restores_an_earlier_version_of_a_draft_figure(client, reviewer_user, figure):
    figure.value, figure.note = 9, "录错了"
    figure.save()
    client.force_login(reviewer_user)
    history = client.get(reverse("admin:hotline_figure_history", args=[figure.pk]))
    assert history.status_code == 200
    assert "录错了" in history.content.decode() or history.context["historical_records"]

    first = figure.history.earliest()
    page = client.get(revert_url(figure, first))
    assert page.status_code == 200
    assert page.context["adminform"].form["value"].value() == Decimal("5.0000")
    response = client.post(revert_url(figure, first), form_data(page))
    assert response.status_code == 302
    figure.refresh_from_db()
    assert (figure.value, figure.note) == (5, "")
    latest = figure.history.first()
    assert latest.history_user == reviewer_user and latest.value == 5


def test_a_revert_over_someone_elses_save_is_refused(admin_client, figure):
    figure.value = 9
    figure.save()
    page = admin_client.get(revert_url(figure, figure.history.earliest()))
    Figure.private_objects.filter(pk=figure.pk).update(value=11)
    response = admin_client.post(revert_url(figure, figure.history.earliest()), form_data(page))
    assert response.status_code == 200
    figure.refresh_from_db()
    assert figure.value == 11


def test_an_earlier_version_of_a_published_figure_cannot_be_restored(client, reviewer_user):
    report = f.make_report()
    figure = f.make_figure(report, f.make_indicator(), value=5)
    figure.value = 9
    figure.save()
    AnnualReport.private_objects.filter(pk=report.pk).update(status=Status.PUBLISHED)
    client.force_login(reviewer_user)
    url = revert_url(figure, figure.history.earliest())
    page = client.get(url)
    assert page.status_code == 200 and 'value="Revert"' not in page.content.decode()
    assert client.post(url, form_data(page)).status_code == 403
    figure.refresh_from_db()
    assert figure.value == 9


# The figure grid


def test_the_grid_refuses_a_cell_saved_between_its_check_and_its_save(admin_client, monkeypatch):
    _section, _tables, indicators = f.make_appeals_table()
    report = f.make_report()
    figure = f.make_figure(report, indicators["people_total"], value=1)
    url = reverse("admin:hotline_annualreport_figures", args=[report.pk])
    page = admin_client.get(url)
    data = {}
    for cell in page.context["grid"].cells:
        for name in cell.form.fields:
            value = cell.form.initial.get(name, "")
            data[cell.form.add_prefix(name)] = data[cell.form.add_initial_prefix(name)] = value
    data[f"f{indicators['people_total'].pk}-value"] = "3"
    data[f"f{indicators['firms_total'].pk}-value"] = "4"

    save = FigureGrid.save

    def someone_else_saves_first(grid):
        # Another request commits after this one checked its cells but before it locked.
        Figure.private_objects.filter(pk=figure.pk).update(value=2)
        return save(grid)

    monkeypatch.setattr(FigureGrid, "save", someone_else_saves_first)
    response = admin_client.post(url, data)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any("群众诉求" in m or "people" in m.lower() for m in messages), messages
    figure.refresh_from_db()
    assert figure.value == 2
    assert not Figure.private_objects.filter(
        report=report, indicator=indicators["firms_total"]
    ).exists()


# Really at the same time: two threads, two connections, on PostgreSQL's row locks.


@pytest.mark.django_db(transaction=True)
def test_two_saves_at_the_same_moment_keep_exactly_one(data_entry_user, reviewer_user):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time; the row lock is PostgreSQL's")
    figure = f.make_figure(f.make_report(), f.make_indicator(), value=5)
    first, second = clients(data_entry_user, reviewer_user)
    url = change_url(figure)
    pages = {"6": first.get(url), "7": second.get(url)}
    both_locked = threading.Barrier(2, timeout=10)
    check = ConcurrentEditMixin.check_version
    results = {}

    def check_in_step(model_admin, request, obj):
        with contextlib.suppress(threading.BrokenBarrierError):
            both_locked.wait()  # both forms validated: now both go for the row
        return check(model_admin, request, obj)

    def save(value, client):
        try:
            results[value] = client.post(url, form_data(pages[value], value=value)).status_code
        finally:
            connection.close()

    ConcurrentEditMixin.check_version = check_in_step
    try:
        threads = [
            threading.Thread(target=save, args=("6", first)),
            threading.Thread(target=save, args=("7", second)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        ConcurrentEditMixin.check_version = check
    assert sorted(results.values()) == [200, 302], results
    saved = next(value for value, status in results.items() if status == 302)
    figure.refresh_from_db()
    assert figure.value == Decimal(saved)
    assert figure.history.count() == 2
