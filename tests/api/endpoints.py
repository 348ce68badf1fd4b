"""Every endpoint of the API, as the tests walk them."""

from hotline.models import (
    AppealCount,
    DataSharingRequest,
    Figure,
    LivestreamEpisode,
    PolicyDocument,
)

BASE = "/api/v1"

# name → list URL
LISTS = {
    "regions": f"{BASE}/regions/",
    "departments": f"{BASE}/departments/",
    "sections": f"{BASE}/sections/",
    "tables": f"{BASE}/tables/",
    "indicators": f"{BASE}/indicators/",
    "appeal-categories": f"{BASE}/appeal-categories/",
    "sharing-methods": f"{BASE}/sharing-methods/",
    "reports": f"{BASE}/reports/",
    "figures": f"{BASE}/figures/",
    "appeal-counts": f"{BASE}/appeal-counts/",
    "top5": f"{BASE}/top5/",
    "episodes": f"{BASE}/episodes/",
    "sharing-requests": f"{BASE}/sharing-requests/",
    "policy-documents": f"{BASE}/policy-documents/",
}

# Every list but the TOP5 rankings, which are computed, has a detail URL.
DETAILS = [name for name in LISTS if name != "top5"]

# Records that belong to a report: model → list name
REPORT_RECORDS = {
    Figure: "figures",
    AppealCount: "appeal-counts",
    LivestreamEpisode: "episodes",
    DataSharingRequest: "sharing-requests",
    PolicyDocument: "policy-documents",
}


def detail_urls(report):
    """name → URL of one record of each kind in this report (and of reference data)."""
    urls = {
        "regions": f"{BASE}/regions/huaian/",
        "departments": f"{BASE}/departments/1/",
        "sections": f"{BASE}/sections/appeals/",
        "tables": f"{BASE}/tables/calls/",
        "indicators": f"{BASE}/indicators/appeals.total.total/",
        "appeal-categories": f"{BASE}/appeal-categories/housing/",
        "sharing-methods": f"{BASE}/sharing-methods/usb/",
        "reports": f"{BASE}/reports/{report.region.slug}/{report.year}/",
    }
    for model, name in REPORT_RECORDS.items():
        record = model._default_manager.filter(report=report).order_by("pk").first()
        if record is not None:
            urls[name] = f"{BASE}/{name}/{record.pk}/"
    return urls


def results(response):
    data = response.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data
