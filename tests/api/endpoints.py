"""Every endpoint of the API, as the tests walk them (reports/public_pages.py names them)."""

from reports.public_pages import API, API_QUERIES, API_RECORDS, api_detail_urls

# name → list URL
LISTS = {name: f"{API}/{name}/" for name in API_QUERIES}

# Every list but the TOP5 rankings, which are computed, has a detail URL.
DETAILS = [name for name, (_, detail) in API_QUERIES.items() if detail is not None]

# Records that belong to a report: model → list name
REPORT_RECORDS = API_RECORDS

# name → URL of one record of each kind in a report (and of reference data)
detail_urls = api_detail_urls


def results(response):
    data = response.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data
