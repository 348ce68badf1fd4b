"""A report that is not published is a 404 for anyone but staff: every page, every download."""

import pytest

from hotline.models import (
    AnnualReport,
    DataSharingRequest,
    Department,
    EpisodeGuest,
    LivestreamEpisode,
    PolicyDocument,
    Region,
)

from .factories import make_report

pytestmark = pytest.mark.django_db

Status = AnnualReport.Status


@pytest.fixture
def drafts():
    draft = make_report("huaian", 2024, status=Status.DRAFT, title="淮安市草稿报告")
    make_report("nanjing", 2023, status=Status.REVIEW, title="南京市审核中报告")
    return draft


def draft_urls(draft):
    base = "/reports/huaian/2024/"
    document = PolicyDocument.private_objects.filter(report=draft).first()
    urls = [
        base,
        base + "report.pdf",
        base + "episodes/1/",
        base + "data-sharing/1/",
        base + f"policies/{document.pk}/",
        "/reports/nanjing/",
        "/reports/nanjing/indicators.csv",
        "/reports/nanjing/2023/",
    ]
    for code in [
        "appeals",
        "calls",
        "top5-departments",
        "top5-categories",
        "sharing-register",
        "policy-documents",
        "episodes",
    ]:
        urls.append(f"{base}tables/{code}/")
        urls.extend(f"{base}tables/{code}.{fmt}" for fmt in ("csv", "xlsx", "json"))
    return urls


@pytest.fixture(params=["anonymous", "logged in, not staff"])
def outsider(request, client, django_user_model):
    if request.param != "anonymous":
        client.force_login(django_user_model.objects.create_user("reader", password="x"))
    return client


def test_drafts_are_404_on_every_page_and_download(outsider, drafts):
    for url in draft_urls(drafts):
        assert outsider.get(url).status_code == 404, url


def test_drafts_and_their_records_are_left_out_of_every_list(outsider, drafts):
    pages = [
        "/",
        "/reports/huaian/",
        "/compare/",
        "/episodes/",
        "/data-sharing/",
        "/policies/",
        "/episodes.csv",
        "/data-sharing.json",
        "/policies.csv",
        "/reports/huaian/indicators.csv",
        "/compare.csv",
    ]
    for url in pages:
        response = outsider.get(url)
        assert response.status_code == 200, url
        body = b"".join(response) if response.streaming else response.content
        for secret in ["草稿", "南京", "测试", "2024"]:
            assert secret.encode() not in body, (url, secret)


def test_staff_see_drafts_privately(client, data_entry_user, drafts):
    client.force_login(data_entry_user)
    for url in draft_urls(drafts):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    page = client.get("/reports/huaian/2024/").content.decode()
    assert "淮安市草稿报告" in page and "draft-banner" in page
    assert "南京" in client.get("/").content.decode()


def test_a_draft_year_is_not_offered_nor_compared(outsider, drafts):
    page = outsider.get("/compare/?year=2024").content.decode()
    assert '<option value="2024"' not in page and "草稿" not in page
    assert b"2024" not in outsider.get("/compare.csv?year=2024").content


def test_the_trend_charts_show_published_years_to_the_public_and_drafts_to_staff(drafts):
    """The page's other years and its trend charts: the city's published years for everyone,
    its draft too for staff (reports.selectors.report_page)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser

    from reports.selectors import report as pages

    make_report("huaian", 2022)
    staff = get_user_model().objects.create_superuser("trend-reviewer", password=None)

    def trends(user):
        page = pages.report_page(user, "huaian", 2023)
        charts = [c for c in page.trends if c.id.startswith("chart-trend-")]
        return page.years, {tuple(c.labels) for c in charts}

    years, labels = trends(AnonymousUser())
    assert years == [2022, 2023] and labels and all("2024" not in "".join(lb) for lb in labels)
    years, labels = trends(staff)
    assert years == [2022, 2023, 2024] and all("2024" in "".join(lb) for lb in labels)


def test_the_record_lists_offer_what_published_records_name_never_what_a_draft_does(
    outsider, drafts
):
    """Each record list's filter offers the units, and the register its districts, that the
    published records name, each once and in the units' order; one that only a draft names is
    not offered (its name would tell of the draft)."""
    city = drafts.region
    district = Region.objects.create(
        slug="draft-only", name="草稿区", level=Region.Level.DISTRICT, parent=city, order=999
    )
    unit = Department.objects.create(region=district, name="草稿专属局", kind="government")
    request = DataSharingRequest.private_objects.filter(report=drafts).first()
    DataSharingRequest.private_objects.filter(pk=request.pk).update(region=district)
    request.recipients.add(unit)
    PolicyDocument.private_objects.filter(report=drafts).first().issuers.add(unit)
    episode = LivestreamEpisode.private_objects.filter(report=drafts).first()
    EpisodeGuest.objects.create(episode=episode, department=unit)
    guests = EpisodeGuest.objects.filter(episode__report__status=Status.PUBLISHED)
    published = {
        "/data-sharing/": DataSharingRequest.public_objects.values("recipients"),
        "/policies/": PolicyDocument.public_objects.values("issuers"),
        "/episodes/": guests.values("department"),
    }
    forms = {url: outsider.get(url).context["form"] for url in published}
    for url, named in published.items():
        offered = [value for value, _label in forms[url].fields["department"].choices][1:]
        units = Department.objects.filter(pk__in=named).order_by("region__order", "name", "pk")
        assert offered == list(units.values_list("pk", flat=True)), url
        assert unit.pk not in offered
    choices = forms["/data-sharing/"].fields["district"].choices
    districts = {value for value, _label in choices} - {""}
    named = DataSharingRequest.public_objects.values_list("region__slug", flat=True)
    assert districts == set(named) and "draft-only" not in districts
