"""Every public page with the queries it reads, the same however many cities, years and records
there are: asserted by tests/reports/test_queries.py and measured by `make bench` on a small
database and on 13 cities × 10 years of generated data.

The URLs name the published 2023 Huai'an report (the fixtures) and Huai'an 2022, a year with
live-broadcast episodes. Counts are for an anonymous visitor, the page rendered rather than
served from the page cache; each is listed query by query.
"""

from django.core.cache import cache
from django.test import override_settings

from hotline import freshness
from hotline.models import (
    AnnualReport,
    AppealCount,
    DataSharingRequest,
    Department,
    Figure,
    LivestreamEpisode,
    PolicyDocument,
)

FRESHNESS = 1  # the report, or the visible reports, with when their data last changed
REPORT = 1  # the report itself with its city, read once a report's page is to be rendered
# The figure checks, the first time a version of the data is checked (hotline.checks keeps
# each result): rules, operands, last year's report, figures, appeal counts and record counts.
# The version they are kept by is the page's own on a report's pages (remembered by the
# process, hotline.freshness: no query); the cities' on the province's view (one query).
CHECKS = 6
CITIES_FRESHNESS = 1
# What a published report's page shows of its records beside its figures, read like its checks
# once per version of its data (hotline.caching.kept_for_report; reports.selectors.report):
# the TOP5 rankings (departments and categories); the register's summary by level, by method,
# by kind of recipient, its first rows + their recipients + methods; the policy documents +
# their issuers; the workflow steps (when published, whether corrected). The counts below are
# for the first time.
OWN_RECORDS = 10
# The words of the indicators and cities that the API's figures copy (api.serializers), read by
# each process once per version of the catalogue: the indicators with their tables and
# sections, the regions. The counts below are for the first time.
CATALOGUE = 2
# The catalogue's indicators with their tables and sections, which a page's figures are given
# rather than joined to (hotline.reference): read by each process once per version of the
# reference data. The counts below are for the first time.
INDICATORS = 1
# Open data (reports/open_data.py): freshness; the report; its figures; the check rules; their
# operands; the indicators
OPEN_DATA = FRESHNESS + REPORT + 3 + INDICATORS

PAGES = {
    # freshness; reports with their city; headline figures; the indicators
    "/": FRESHNESS + 2 + INDICATORS,
    # freshness; the report with its city's other years, each with whether it lists its
    # episodes; figures; trend figures of the city's years; the indicators; the report's own
    # records; the figure checks
    "/reports/huaian/2023/": FRESHNESS + REPORT + 2 + INDICATORS + OWN_RECORDS + CHECKS,
    # freshness; the city's reports; their figures; the indicators
    "/reports/huaian/": FRESHNESS + 2 + INDICATORS,
    "/reports/huaian/indicators.csv": FRESHNESS + 2 + INDICATORS,
    # freshness; years; indicators for the choice; the compared figures with their cities
    "/compare/": FRESHNESS + 3,
    "/compare.json?year=2023&indicator=appeals.total.total": FRESHNESS + 3,
    # freshness; the report; the table's figures; the indicators; the figure checks
    "/reports/huaian/2023/tables/appeals/": FRESHNESS + REPORT + 1 + INDICATORS + CHECKS,
    "/reports/huaian/2023/tables/appeals.csv": FRESHNESS + REPORT + 1 + INDICATORS + CHECKS,
    "/reports/huaian/2023/tables/top5-departments/": FRESHNESS + REPORT + 1,
    "/reports/huaian/2023/tables/top5-categories.xlsx": FRESHNESS + REPORT + 1,
    # freshness; the report; count; the page of requests; recipients; methods
    "/reports/huaian/2023/tables/sharing-register/": FRESHNESS + REPORT + 4,
    # freshness; the report; requests; recipients; methods (streamed side by side); and read
    # apart, the objects they name: districts, units, methods (hotline.reading.ReadApart)
    "/reports/huaian/2023/tables/sharing-register.json": FRESHNESS + REPORT + 3 + 3,
    # freshness; the report; documents; issuers
    "/reports/huaian/2023/tables/policy-documents/": FRESHNESS + REPORT + 2,
    # freshness; the report; episodes; their guests with departments
    "/reports/huaian/2022/tables/episodes/": FRESHNESS + REPORT + 2,
    # freshness; filter choices (reports, departments); count; the page's keys, then its
    # rows (selectors.ListPaginator); guests; the episode totals of the reports that list no
    # episode
    "/episodes/": FRESHNESS + 7,
    # freshness; episodes; guests (streamed side by side); apart: their reports, the guests'
    # departments. No filter asked: no filter choices read (reports.forms)
    "/episodes.csv": FRESHNESS + 2 + 2,
    # freshness; filter choices (reports, departments, districts, methods); count; the
    # page's keys, then its rows; recipients; methods
    "/data-sharing/": FRESHNESS + 9,
    "/data-sharing/?method=network": FRESHNESS + 9,
    # requests, recipients and methods read side by side; apart: their reports, districts,
    # units, methods
    "/data-sharing.csv": FRESHNESS + 3 + 4,
    # the same and, before, its COUNT: a workbook of more than DOWNLOAD_BACKGROUND_ROWS
    # records is written by a job (reports.record_lists), the count here as the data grows
    "/data-sharing.xlsx": FRESHNESS + 1 + 3 + 4,
    # freshness; filter choices (reports, departments); count; the page's keys, then its
    # rows; issuers
    "/policies/": FRESHNESS + 6,
    # freshness; documents; issuers; apart: their reports, the issuers
    "/policies.json": FRESHNESS + 2 + 2,
    # freshness; the report; the record; its guests (episode) / recipients and methods
    "/reports/huaian/2022/episodes/1/": FRESHNESS + REPORT + 2,
    "/reports/huaian/2023/data-sharing/7/": FRESHNESS + REPORT + 3,
    "/reports/huaian/2023/data/": OPEN_DATA,
    "/reports/huaian/2023/data/appeals/": OPEN_DATA,
    "/reports/huaian/2023/data/indicators.csv": OPEN_DATA,
    "/reports/huaian/2023/datapackage.json": OPEN_DATA,
    # the same, then every table's rows: the figures and the figure checks; TOP5 departments;
    # TOP5 categories; requests, recipients, methods and apart their districts, units,
    # methods; documents, issuers; episodes (2023 has none, so no guests are read: 2022's
    # package reads one more)
    "/reports/huaian/2023/datapackage.zip": OPEN_DATA + 1 + CHECKS + 2 + 3 + 3 + 2 + 1,
    "/reports/huaian/2022/datapackage.zip": OPEN_DATA + 1 + CHECKS + 2 + 3 + 3 + 2 + 2,
    # The province's view: freshness; the province with how many cities it has; its cities'
    # published reports of the year; their figures; the indicators; then
    # every city's figure checks at once (hotline.checks.check_reports), the CHECKS queries
    # of one report's: the versions of the cities' data, then rules, operands, last years'
    # reports, figures, appeal counts, record counts
    "/reports/jiangsu/2023/": FRESHNESS + 3 + INDICATORS + CITIES_FRESHNESS + CHECKS,
    # the downloads are the tables only
    "/reports/jiangsu/2023.csv": FRESHNESS + 3 + INDICATORS,
    # freshness; the published reports with their cities
    "/catalog.jsonld": FRESHNESS + 1,
    "/catalog.ttl": FRESHNESS + 1,
    # freshness; the published reports (for their pages, then for their cities)
    "/sitemap.xml": FRESHNESS + 2,
}

API = "/api/v1"

# The API's kinds by list name, with the queries an anonymous client's answer reads (tests/api
# asserts each, and a reviewer's, query by query): a list reads the freshness check, a COUNT
# (page-number lists only), the rows with their joins and one query per prefetched relation;
# one record reads the freshness check, the row and what it prefetches.
API_QUERIES: dict[str, tuple[int, int | None]] = {
    "regions": (3, 2),  # version, COUNT, rows with their parent | version, the row
    "departments": (3, 2),
    "sections": (3, 2),
    "tables": (3, 2),
    "indicators": (3, 2),
    "appeal-categories": (3, 2),
    "sharing-methods": (3, 2),
    "reports": (3, 2),
    # version, rows (cursor: no COUNT), last year's values, the catalogue's words the rows
    # copy (once per version of the catalogue) | version, the row, last year's value
    "figures": (3 + CATALOGUE, 3),
    "appeal-counts": (3, 2),
    "top5": (3, None),  # version, COUNT, ranked rows (one window query); computed, no detail
    "episodes": (4, 3),  # version, COUNT, rows, guests with their departments | + guests
    "sharing-requests": (4, 4),  # version, rows (cursor), recipients, methods | the same
    "policy-documents": (4, 3),  # version, COUNT, rows, issuers | + issuers
}
API_LISTS: dict[str, int] = {
    **{f"{API}/{name}/": queries for name, (queries, _) in API_QUERIES.items()},
    # the province's view: as its page, with no COUNT (tests/api/test_queries.py)
    f"{API}/provinces/jiangsu/2023/": FRESHNESS + 3 + INDICATORS + CITIES_FRESHNESS + CHECKS,
}
# Reference data is named by its key in the API, a report's records by primary key.
API_KEYS = {
    "regions": "huaian",
    "sections": "appeals",
    "tables": "calls",
    "indicators": "appeals.total.total",
    "appeal-categories": "housing",
    "sharing-methods": "usb",
}
API_RECORDS = {
    Figure: "figures",
    AppealCount: "appeal-counts",
    LivestreamEpisode: "episodes",
    DataSharingRequest: "sharing-requests",
    PolicyDocument: "policy-documents",
}


def api_detail_urls(report) -> dict[str, str]:
    """name → URL of one record of each kind: reference data's, the report's own, and the
    first of each kind of record the report has."""
    return {**_reference_urls(), **_report_urls(report)}


def _reference_urls() -> dict[str, str]:
    urls = {name: f"{API}/{name}/{key}/" for name, key in API_KEYS.items()}
    urls["departments"] = f"{API}/departments/{Department.objects.order_by('pk').first().pk}/"
    return urls


def _report_urls(report) -> dict[str, str]:
    urls = {"reports": f"{API}/reports/{report.region.slug}/{report.year}/"}
    for model, name in API_RECORDS.items():
        record = model.private_objects.filter(report=report).order_by("pk").first()
        if record is not None:
            urls[name] = f"{API}/{name}/{record.pk}/"
    return urls


def api_details() -> dict[str, int]:
    """The API's answers about one record of each kind, of Huai'an's latest published report
    that has one (2023, or 2022 for the episodes), and a report's checks, with their queries."""
    named = _reference_urls()
    reports = AnnualReport.public_objects.filter(region__slug="huaian").select_related("region")
    for report in reports.order_by("year"):
        named.update(_report_urls(report))
    urls = {url: API_QUERIES[name][1] for name, url in named.items()}
    # the version; the report with its city; the figure checks (and the indicators)
    urls[f"{API}/reports/huaian/2023/checks/"] = 1 + 1 + CHECKS + INDICATORS
    return urls


def policy_page() -> tuple[str, int]:
    """A policy document's page: its URL names the document by primary key."""
    document = PolicyDocument.private_objects.get(
        report__region__slug="huaian", report__year=2023, order=1
    )
    # freshness; the report; the document; its issuers
    return f"/reports/huaian/2023/policies/{document.pk}/", FRESHNESS + REPORT + 2


def every_page() -> dict[str, int]:
    url, queries = policy_page()
    return {**PAGES, url: queries, **API_LISTS, **api_details()}


def read(client, url):
    """GET a page as a visitor would, rendered rather than cached (its figure checks too), a
    streamed body read to the end (its queries run as it is read)."""
    cache.clear()
    freshness.forget_remembered()
    with override_settings(PAGE_CACHE_SECONDS=0):
        response = client.get(url)
        if response.streaming:
            response.content_read = b"".join(response.streaming_content)
    return response
