"""The record lists' pages (selectors.ListPaginator): each page's keys read first, then its rows
by key, which must give the rows, the order and the related objects that slicing the list
gives, on every page, filtered or not."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.paginator import Paginator

from reports import selectors
from reports.selectors.records import ListPaginator

pytestmark = pytest.mark.django_db

FILTERS = [{}, {"method": "network"}, {"year": 2022}, {"city": "nanjing"}]


@pytest.fixture
def registers():
    call_command(
        "generate_demo",
        cities="nanjing,wuxi",
        years=2,
        until=2023,
        sharing_requests=90,
        seed=5,
        verbosity=0,
    )


def _shown(page):
    return [
        (
            row.pk,
            row.report.region.slug,
            row.region.slug,
            [unit.pk for unit in row.recipients.all()],
            [method.code for method in row.methods.all()],
        )
        for row in page.object_list
    ]


@pytest.mark.parametrize("filters", FILTERS)
def test_every_page_shows_what_slicing_the_list_shows(registers, filters):
    requests = selectors.sharing(AnonymousUser(), filters)
    paged, sliced = ListPaginator(requests, 7), Paginator(requests, 7)
    assert paged.count == sliced.count > 7
    for number in paged.page_range:
        assert _shown(paged.page(number)) == _shown(sliced.page(number)), number
    shown = [row[0] for number in paged.page_range for row in _shown(paged.page(number))]
    assert len(shown) == len(set(shown)) == paged.count  # the order is total: no row twice


def test_a_page_reads_its_keys_then_its_rows_and_their_links(registers, django_assert_num_queries):
    requests = selectors.sharing(AnonymousUser(), {"method": "network"})
    paginator = ListPaginator(requests, 7)
    paginator.count  # noqa: B018 (read apart: the count is a query of its own)
    # the keys; the rows with their reports and districts; recipients; methods
    with django_assert_num_queries(4):
        _shown(paginator.page(2))
