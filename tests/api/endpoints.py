"""Every endpoint of the API, as the tests walk them (reports/public_pages.py names them)."""

from reports.public_pages import API, API_QUERIES

# name → list URL
LISTS = {name: f"{API}/{name}/" for name in API_QUERIES}

# Every list but the TOP5 rankings, which are computed, has a detail URL.
DETAILS = [name for name, (_, detail) in API_QUERIES.items() if detail is not None]


def results(response):
    data = response.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data
