"""Published means published: no draft work, through any entry point, changes a byte of what the
public reads about a published report, its ETag, its Last-Modified, or its cached page.

Random sequences of what staff do every day while the 2023 Huai'an report is published: start a
draft for another year or city (Huai'an 2022 entered late, as in the defect this guards
against), type figures in the admin's grid and through the API, import a file, add and delete
records in the admin and the API, submit a draft for review and send it back, delete a draft.
Every public page, download and API answer about the published report is read before and after:
the same status, bytes (but for each reader's CSRF token), ETag and Last-Modified, the pages
still served from the page cache, and rendered afresh the same too.
"""

import contextlib
import io
import re
from dataclasses import dataclass

import openpyxl
import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client, override_settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from hotline.caching import recent
from hotline.models import AnnualReport, DataSharingRequest, Indicator
from reports.public_pages import every_page

from ..jobs import immediately

pytestmark = pytest.mark.django_db

API = [
    "/api/v1/reports/",
    "/api/v1/reports/huaian/2023/",
    "/api/v1/reports/huaian/2023/checks/",
    "/api/v1/figures/?city=huaian&year=2023",
    "/api/v1/figures/?city=huaian&year=2023&format=csv",
    "/api/v1/top5/?city=huaian",
]
TABLES = [
    f"/reports/huaian/2023/tables/{code}{suffix}"
    for code in ("appeals", "calls", "effectiveness")
    for suffix in ("/", ".csv", ".xlsx", ".json")
]


def public_urls():
    return sorted({*every_page(), *API, *TABLES, "/reports/huaian/2023/report.pdf"})


def renderable(urls):
    """Rendered afresh too: everything but the PDF, whose second rendering costs a second or
    two; it is compared through the page cache (same ETag, served from it) like the rest."""
    return [url for url in urls if not url.endswith(".pdf")]


@pytest.fixture(autouse=True)
def _unthrottled(settings):
    """Every public URL is read four times an example, the API's among them: more than the
    anonymous rate lets one client read in a minute (tests/api/test_service.py tests that)."""
    settings.API_ANON_RATE = None


@pytest.fixture(autouse=True)
def _pdf_at_once(settings):
    """The PDF's job runs when queued (ImmediateBackend): read before and after the draft work,
    it is the file written for the published version, compared byte for byte."""
    immediately(settings)


DRAFTS = [("huaian", 2022), ("huaian", 2024), ("nanjing", 2023)]
# Figures the ops type: counts and a rate, on tables the public page of 2023 shows and checks.
CODES = ["appeals.public.total", "appeals.total.total", "calls.inbound.answer_rate_30s"]
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')


@dataclass
class Reading:
    status: int
    etag: str | None
    last_modified: str | None
    cache: str | None
    body: object


def body_of(url, response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if url.endswith(".xlsx") and response.status_code == 200:
        # The workbook's own metadata carries the time it was written: compare its cells.
        book = openpyxl.load_workbook(io.BytesIO(content))
        return [[list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book]
    return CSRF.sub(b"", content)


def read(client, urls):
    readings = {}
    for url in urls:
        response = client.get(url)
        readings[url] = Reading(
            response.status_code,
            response.get("ETag"),
            response.get("Last-Modified"),
            response.get("X-Page-Cache"),
            body_of(url, response),
        )
    return readings


def rendered(client, urls):
    with override_settings(PAGE_CACHE_SECONDS=0):
        return read(client, renderable(urls))


# -- The draft work, each through a real entry point ------------------------------------------


def report_of(city, year):
    return AnnualReport.private_objects.filter(region__slug=city, year=year).first()


def api_start(staff, city, year):
    staff.post("/api/v1/reports/", {"city": city, "year": year}, content_type="application/json")


def api_figure(staff, city, year, code, value):
    payload = {"city": city, "year": year, "indicator": code, "value": value}
    made = staff.post("/api/v1/figures/", payload, content_type="application/json")
    if made.status_code == 400 and (report := report_of(city, year)):
        figure = report.figures.filter(indicator__code=code).first()
        if figure is not None:
            staff.patch(
                f"/api/v1/figures/{figure.pk}/", {"value": value}, content_type="application/json"
            )


def grid_figure(staff, city, year, code, value):
    report = report_of(city, year)
    if report is None:
        return
    url = f"/admin/hotline/annualreport/{report.pk}/figures/"
    page = staff.get(url).content.decode()
    name = f"f{Indicator.objects.get(code=code).pk}-value"
    shown = re.search(rf'name="initial-{name}" value="([^"]*)"', page)
    staff.post(url, {name: value, f"initial-{name}": shown[1] if shown else ""})


def import_figures(staff, city, year, code, value, tmp_path):
    if report_of(city, year) is None:
        return
    path = tmp_path / "figures.csv"
    path.write_text(f"城市,年度,指标,数值\n{city},{year},{code},{value}\n", encoding="utf-8")
    # A refusal (a report in review) prints its messages and fails the command.
    with contextlib.suppress(CommandError, SystemExit):
        call_command(
            "import_records",
            "figure",
            str(path),
            user="clerk",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )


def api_sharing(staff, city, year, line):
    payload = {
        "city": city,
        "year": year,
        "group_number": 1,
        "line": line,
        "region": city,
        "recipients": [],
        "methods": ["usb"],
        "scope": "全量",
        "records": 99_999,
    }
    staff.post("/api/v1/sharing-requests/", payload, content_type="application/json")


def admin_delete_sharing(staff, city, year):
    report = report_of(city, year)
    if report is None:
        return
    chosen = list(DataSharingRequest.private_objects.filter(report=report).values_list("pk"))
    staff.post(
        "/admin/hotline/datasharingrequest/",
        {"action": "delete_selected", "_selected_action": [pk for (pk,) in chosen], "post": "yes"},
    )


def submit(staff, city, year):
    staff.post(f"/api/v1/reports/{city}/{year}/submit/")


def admin_bulk_submit(staff, city, year):
    report = report_of(city, year)
    if report is not None:
        staff.post(
            "/admin/hotline/annualreport/",
            {"action": "submit_reports", "_selected_action": [report.pk], "post": "yes"},
        )


def send_back(reviewer, city, year):
    reviewer.post(
        f"/api/v1/reports/{city}/{year}/reopen/",
        {"reason": "退回修改"},
        content_type="application/json",
    )


def delete_draft(reviewer, city, year):
    reviewer.delete(f"/api/v1/reports/{city}/{year}/")


draft = st.sampled_from(DRAFTS)
figure_value = st.sampled_from(["719373", "1500000", "88.10", "0", "—"])
operations = st.one_of(
    st.tuples(st.just(api_start), draft),
    st.tuples(st.just(api_figure), draft, st.sampled_from(CODES), figure_value),
    st.tuples(st.just(grid_figure), draft, st.sampled_from(CODES), figure_value),
    st.tuples(st.just(import_figures), draft, st.sampled_from(CODES), figure_value),
    st.tuples(st.just(api_sharing), draft, st.integers(1, 3)),
    st.tuples(st.just(admin_delete_sharing), draft),
    st.tuples(st.just(submit), draft),
    st.tuples(st.just(admin_bulk_submit), draft),
    st.tuples(st.just(send_back), draft),
    st.tuples(st.just(delete_draft), draft),
)


def run(operation, staff, reviewer, tmp_path):
    action, (city, year), *rest = operation
    if action in (send_back, delete_draft):  # reviewers' work
        action(reviewer, city, year)
    elif action is import_figures:
        action(staff, city, year, *rest, tmp_path)
    else:
        action(staff, city, year, *rest)


@hypothesis_settings(max_examples=8)
@given(work=st.lists(operations, min_size=1, max_size=8))
def test_draft_work_never_shows_on_a_published_report(
    work, data_entry_user, reviewer_user, tmp_path
):
    staff, reviewer = Client(), Client()
    staff.force_login(data_entry_user)
    reviewer.force_login(reviewer_user)
    public, urls = Client(), public_urls()
    with transaction.atomic():
        cache.clear()
        recent.clear()
        before = read(public, urls)
        fresh_before = rendered(public, urls)
        for operation in [(api_start, ("huaian", 2022)), *work]:
            run(operation, staff, reviewer, tmp_path)
        after = read(public, urls)
        fresh_after = rendered(public, urls)
        transaction.set_rollback(True)
    for url in urls:
        was, now = before[url], after[url]
        assert (now.status, now.etag, now.last_modified) == (
            was.status,
            was.etag,
            was.last_modified,
        ), url
        assert now.body == was.body, url
        if was.cache == "miss":
            assert now.cache == "hit", url  # the draft work evicted nothing
    for url in renderable(urls):
        assert fresh_after[url].body == fresh_before[url].body, url


def test_the_defect_as_reported_is_gone(data_entry_user):
    """Huai'an 2022 as a draft holding 719,373 public appeals: nothing public names it."""
    staff = Client()
    staff.force_login(data_entry_user)
    public, urls = Client(), public_urls()
    before = read(public, urls)
    api_start(staff, "huaian", 2022)
    api_figure(staff, "huaian", 2022, "appeals.public.total", "719373")
    after = read(public, urls)
    for url in urls:
        assert b"719373" not in after[url].body if isinstance(after[url].body, bytes) else True
        assert b"719,373" not in after[url].body if isinstance(after[url].body, bytes) else True
        assert after[url].etag == before[url].etag, url
    checks = public.get("/api/v1/reports/huaian/2023/checks/").json()
    assert checks["prior_report"] is None
    # Staff who may see drafts are compared with it, and told so.
    staff_checks = staff.get("/api/v1/reports/huaian/2023/checks/").json()
    assert staff_checks["prior_report_status"] == "draft"
    assert any("719,373" in d["arithmetic"] for d in staff_checks["discrepancies"])
    staff_page = staff.get("/reports/huaian/2023/").content.decode()
    assert "719,373" in staff_page and 'class="draft-banner"' in staff_page
    assert 'class="draft-banner"' not in public.get("/reports/huaian/2023/").content.decode()


def test_each_kind_of_draft_work_takes_effect(data_entry_user, reviewer_user, tmp_path):
    """The draft work above really writes: otherwise the property would hold vacuously."""
    staff, reviewer = Client(), Client()
    staff.force_login(data_entry_user)
    reviewer.force_login(reviewer_user)
    city, year = "nanjing", 2023

    def value(code):
        figure = report_of(city, year).figures.filter(indicator__code=code).first()
        return figure and (figure.value if figure.value is not None else "—")

    api_start(staff, city, year)
    assert report_of(city, year).status == AnnualReport.Status.DRAFT
    api_figure(staff, city, year, "appeals.public.total", "719373")
    assert value("appeals.public.total") == 719373
    api_figure(staff, city, year, "appeals.public.total", "719374")  # exists: a PATCH
    assert value("appeals.public.total") == 719374
    grid_figure(staff, city, year, "appeals.total.total", "1500000")
    assert value("appeals.total.total") == 1500000
    grid_figure(staff, city, year, "appeals.total.total", "—")
    assert value("appeals.total.total") == "—"
    import_figures(staff, city, year, "calls.inbound.answer_rate_30s", "88.10", tmp_path)
    assert str(value("calls.inbound.answer_rate_30s")) == "88.1000"
    api_sharing(staff, city, year, 1)
    assert DataSharingRequest.private_objects.filter(report=report_of(city, year)).count() == 1
    admin_delete_sharing(staff, city, year)
    assert not DataSharingRequest.private_objects.filter(report=report_of(city, year)).exists()
    submit(staff, city, year)
    assert report_of(city, year).status == AnnualReport.Status.REVIEW
    send_back(reviewer, city, year)
    assert report_of(city, year).status == AnnualReport.Status.DRAFT
    admin_bulk_submit(staff, city, year)
    assert report_of(city, year).status == AnnualReport.Status.REVIEW
    send_back(reviewer, city, year)
    delete_draft(reviewer, city, year)
    assert report_of(city, year) is None


def test_a_page_compared_with_a_draft_is_never_kept_for_the_public(data_entry_user, settings):
    """A published report's page body is made once per version and kept for everyone who sees
    what the public sees, staff included (reports.views.report); one compared with last year's
    draft is its reader's alone, made afresh: never kept, never served in place of the other."""
    settings.PAGE_CACHE_SECONDS = 0  # what is kept here is the body, not the page
    staff, public, url = Client(), Client(), "/reports/huaian/2023/"
    staff.force_login(data_entry_user)

    def page(client):
        return CSRF.sub(b"", client.get(url).content).decode()

    kept = page(public)
    assert page(staff) == page(staff)  # a published last year, or none: the same body
    api_start(staff, "huaian", 2022)
    api_figure(staff, "huaian", 2022, "appeals.public.total", "719373")
    assert "719,373" in page(staff)
    assert page(public) == kept
    api_figure(staff, "huaian", 2022, "appeals.public.total", "719374")
    compared = page(staff)
    assert "719,374" in compared and "719,373" not in compared
    assert page(public) == kept and "719,37" not in kept
