import datetime

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from hotline.models import (
    AnnualReport,
    AppealCategory,
    AppealCount,
    DataSharingRequest,
    Department,
    EpisodeGuest,
    Figure,
    Indicator,
    LivestreamEpisode,
    PolicyDocument,
    Region,
    SharingMethod,
)
from tests.hotline.factories import as_drafts

ROLES = ["anonymous", "data_entry", "reviewer"]


@pytest.fixture(autouse=True)
def fresh_throttle():
    # The anonymous rate counts in the cache: every test starts with a full allowance.
    cache.clear()
    yield
    cache.clear()


def english_client():
    """The API answers in the language asked for; these tests read its English."""
    return APIClient(headers={"accept-language": "en"})


def token_client(user):
    client = english_client()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def anonymous():
    return english_client()


@pytest.fixture
def data_entry(data_entry_user):
    return token_client(data_entry_user)


@pytest.fixture
def reviewer(reviewer_user):
    return token_client(reviewer_user)


@pytest.fixture(params=ROLES)
def role(request):
    """(name, client) for each kind of reader."""
    return request.param, request.getfixturevalue(request.param)


def add_records(report, *, number=1):
    """One record of every kind in a report, so that every list has something to show."""
    if report.is_editable:
        return _add_records(report, number)
    with as_drafts(report):
        return _add_records(report, number)


def _add_records(report, number):
    city = report.region
    department = Department.objects.create(
        region=city,
        name=f"{city.name}测试局{report.year}-{number}",
        kind=Department.Kind.GOVERNMENT,
    )
    episode = LivestreamEpisode.private_objects.create(
        report=report,
        number=number,
        aired_on=datetime.date(report.year, 3, 1),
        appeals_received=10,
        answered_on_air=6,
        supervised_after=4,
    )
    EpisodeGuest.objects.create(episode=episode, department=department, is_principal=True)
    EpisodeGuest.objects.create(episode=episode, department=department, position="副局长")
    AppealCount.private_objects.create(report=report, department=department, count=100 + number)
    AppealCount.private_objects.create(
        report=report, category=AppealCategory.objects.get(code="public_service"), count=50
    )
    sharing = DataSharingRequest.private_objects.create(
        report=report, region=city, group_number=1, line=100 + number, scope="全量", records=5
    )
    sharing.recipients.set([department])
    sharing.methods.set(SharingMethod.objects.filter(code__in=["usb", "disc"]))
    document = PolicyDocument.private_objects.create(
        report=report, title="关于…的通知", order=number
    )
    document.issuers.set([department])
    return department


def figure(report, code, value, **fields):
    return Figure.private_objects.create(
        report=report, indicator=Indicator.objects.get(code=code), value=value, **fields
    )


@pytest.fixture
def draft_2024(report_2023):
    """A draft of Huai'an 2024 with a record of every kind: never seen by the public."""
    draft = AnnualReport.private_objects.create(region=report_2023.region, year=2024, title="草稿")
    figure(draft, "appeals.public.total", "1500000")
    add_records(draft, number=2024)
    return draft


@pytest.fixture
def more_data(report_2023):
    """A second city and a second year, published, with records of every kind."""
    wuxi = AnnualReport.private_objects.create(
        region=Region.objects.get(slug="wuxi"), year=2023, status=AnnualReport.Status.PUBLISHED
    )
    earlier = AnnualReport.private_objects.create(
        region=report_2023.region, year=2022, status=AnnualReport.Status.PUBLISHED
    )
    add_records(report_2023)
    with as_drafts(wuxi, earlier):
        for report in (wuxi, earlier):
            figure(report, "appeals.public.total", "1000")
            figure(report, "calls.inbound.answer_rate_30s", "80.50", decimals=2)
            add_records(report, number=report.year % 100)
    return wuxi, earlier
