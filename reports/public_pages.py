"""Every public page with the queries it reads, the same however many cities, years and records
there are: asserted by tests/reports/test_queries.py and measured by `make bench` on a small
database and on 13 cities × 10 years of generated data.

The URLs name the published 2023 Huai'an report (the fixtures) and Huai'an 2022, a year with
live-broadcast episodes. Counts are for an anonymous visitor, the page rendered rather than
served from the page cache; each is listed query by query.
"""

from django.core.cache import cache
from django.test import override_settings

from hotline.models import (
    AppealCount,
    DataSharingRequest,
    Figure,
    LivestreamEpisode,
    PolicyDocument,
)

FRESHNESS = 1  # the report, or the visible reports, with when their data last changed
REPORT = 1  # the report itself with its city, read once a report's page is to be rendered
# The figure checks: the version of the data they read, then, the first time that version is
# checked (hotline.checks keeps each result), rules, operands, last year's report, figures,
# appeal counts and record counts. The counts below are for that first time.
CHECKS = 1 + 6

PAGES = {
    # freshness; reports with their city; headline figures
    "/": FRESHNESS + 2,
    # freshness; the report; figures with indicators, tables, sections; TOP5 departments;
    # TOP5 categories; the register's summary by level, by method, by kind of recipient; its
    # first rows + their recipients + methods; trend figures of the city's years; the city's
    # years; policy documents + their issuers; the workflow steps (when published, whether
    # corrected); whether it lists its episodes; and the figure checks' own CHECKS queries
    "/reports/huaian/2023/": FRESHNESS + REPORT + 15 + CHECKS,
    # freshness; the city's reports; their figures with indicators, tables, sections
    "/reports/huaian/": FRESHNESS + 2,
    "/reports/huaian/indicators.csv": FRESHNESS + 2,
    # freshness; years; indicators for the choice; the compared figures with their cities
    "/compare/": FRESHNESS + 3,
    "/compare.json?year=2023&indicator=appeals.total.total": FRESHNESS + 3,
    # freshness; the report; the table's figures; the figure checks
    "/reports/huaian/2023/tables/appeals/": FRESHNESS + REPORT + 1 + CHECKS,
    "/reports/huaian/2023/tables/appeals.csv": FRESHNESS + REPORT + 1 + CHECKS,
    "/reports/huaian/2023/tables/top5-departments/": FRESHNESS + REPORT + 1,
    "/reports/huaian/2023/tables/top5-categories.xlsx": FRESHNESS + REPORT + 1,
    # freshness; the report; count; the page of requests; recipients; methods
    "/reports/huaian/2023/tables/sharing-register/": FRESHNESS + REPORT + 4,
    # freshness; the report; requests; recipients; methods (streamed side by side)
    "/reports/huaian/2023/tables/sharing-register.json": FRESHNESS + REPORT + 3,
    # freshness; the report; documents; issuers
    "/reports/huaian/2023/tables/policy-documents/": FRESHNESS + REPORT + 2,
    # freshness; the report; episodes; their guests with departments
    "/reports/huaian/2022/tables/episodes/": FRESHNESS + REPORT + 2,
    # freshness; filter choices (reports, departments); count; page; guests; the episode
    # totals of the reports that list no episode
    "/episodes/": FRESHNESS + 6,
    # freshness; filter choices (reports, departments); episodes; guests (streamed side by side)
    "/episodes.csv": FRESHNESS + 4,
    # freshness; filter choices (reports, departments, districts, methods); count; page;
    # recipients; methods
    "/data-sharing/": FRESHNESS + 8,
    "/data-sharing/?method=network": FRESHNESS + 8,
    "/data-sharing.xlsx": FRESHNESS + 7,
    # the same, the CSV streamed: requests, recipients and methods read side by side
    "/data-sharing.csv": FRESHNESS + 7,
    # freshness; filter choices (reports, departments); count; page; issuers
    "/policies/": FRESHNESS + 5,
    "/policies.json": FRESHNESS + 4,
    # freshness; the report; the record; its guests (episode) / recipients and methods
    "/reports/huaian/2022/episodes/1/": FRESHNESS + REPORT + 2,
    "/reports/huaian/2023/data-sharing/7/": FRESHNESS + REPORT + 3,
    # Open data (reports/open_data.py). freshness; the report; its figures with their
    # catalogue; the check rules; their operands
    "/reports/huaian/2023/data/": FRESHNESS + REPORT + 3,
    "/reports/huaian/2023/data/appeals/": FRESHNESS + REPORT + 3,
    "/reports/huaian/2023/data/indicators.csv": FRESHNESS + REPORT + 3,
    "/reports/huaian/2023/datapackage.json": FRESHNESS + REPORT + 3,
    # the same, then every table's rows: the figures and the figure checks; TOP5 departments;
    # TOP5 categories; requests, recipients, methods; documents, issuers; episodes (2023 has
    # none, so no guests are read: 2022's package reads one more)
    "/reports/huaian/2023/datapackage.zip": FRESHNESS + REPORT + 3 + 1 + CHECKS + 2 + 3 + 2 + 1,
    "/reports/huaian/2022/datapackage.zip": FRESHNESS + REPORT + 3 + 1 + CHECKS + 2 + 3 + 2 + 2,
    # The province's view: freshness; the province with how many cities it has; its cities'
    # published reports of the year; their figures with indicators, tables, sections; then
    # every city's figure checks at once (hotline.checks.check_reports), the CHECKS queries
    # of one report's: the versions of the cities' data, then rules, operands, last years'
    # reports, figures, appeal counts, record counts
    "/reports/jiangsu/2023/": FRESHNESS + 3 + CHECKS,
    # the downloads are the tables only
    "/reports/jiangsu/2023.csv": FRESHNESS + 3,
    # freshness; the published reports with their cities
    "/catalog.jsonld": FRESHNESS + 1,
    "/catalog.ttl": FRESHNESS + 1,
    # freshness; the published reports (for their pages, then for their cities)
    "/sitemap.xml": FRESHNESS + 2,
}

# The API's lists for an anonymous client (tests/api asserts each, query by query): the
# freshness check, the page, and the related rows each list prefetches.
API_LISTS: dict[str, int] = {
    "/api/v1/regions/": 3,
    "/api/v1/reports/": 3,
    "/api/v1/figures/": 3,
    "/api/v1/top5/": 3,
    "/api/v1/episodes/": 4,
    "/api/v1/sharing-requests/": 4,
    "/api/v1/policy-documents/": 4,
    # the province's view: as its page, with no COUNT (tests/api/test_queries.py)
    "/api/v1/provinces/jiangsu/2023/": FRESHNESS + 3 + CHECKS,
}


def policy_page() -> tuple[str, int]:
    """A policy document's page: its URL names the document by primary key."""
    document = PolicyDocument.private_objects.get(
        report__region__slug="huaian", report__year=2023, order=1
    )
    # freshness; the report; the document; its issuers
    return f"/reports/huaian/2023/policies/{document.pk}/", FRESHNESS + REPORT + 2


# The API's answers about one record (tests/api asserts each with its reviewer's count): the
# freshness check, the record, and what it prefetches; reference data is named by its key.
API_DETAILS: dict[str, int] = {
    "/api/v1/regions/huaian/": 2,
    "/api/v1/sections/appeals/": 2,
    "/api/v1/tables/calls/": 2,
    "/api/v1/indicators/appeals.total.total/": 2,
    "/api/v1/appeal-categories/housing/": 2,
    "/api/v1/sharing-methods/usb/": 2,
    "/api/v1/reports/huaian/2023/": 2,
    # the version; the report with its city; the figure checks
    "/api/v1/reports/huaian/2023/checks/": 1 + 1 + CHECKS,
}
# A report's records, named by primary key: the first published one of Huai'an's latest report
# that has one (2023, or 2022 for the episodes), with its list's name and its answer's queries.
API_RECORDS = {
    Figure: ("figures", 3),  # version, the row, last year's value
    AppealCount: ("appeal-counts", 2),  # version, the row
    LivestreamEpisode: ("episodes", 3),  # version, the row, guests
    DataSharingRequest: ("sharing-requests", 4),  # version, the row, recipients, methods
    PolicyDocument: ("policy-documents", 3),  # version, the row, issuers
}


def api_details() -> dict[str, int]:
    urls = dict(API_DETAILS)
    for model, (name, queries) in API_RECORDS.items():
        records = model.public_objects.filter(report__region__slug="huaian")
        record = records.order_by("-report__year", "pk").first()
        if record is not None:  # the fixtures alone have no episode
            urls[f"/api/v1/{name}/{record.pk}/"] = queries
    return urls


def every_page() -> dict[str, int]:
    url, queries = policy_page()
    return {**PAGES, url: queries, **API_LISTS, **api_details()}


def read(client, url):
    """GET a page as a visitor would, rendered rather than cached (its figure checks too), a
    streamed body read to the end (its queries run as it is read)."""
    cache.clear()
    with override_settings(PAGE_CACHE_SECONDS=0):
        response = client.get(url)
        if response.streaming:
            response.content_read = b"".join(response.streaming_content)
    return response
