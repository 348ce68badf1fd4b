"""What each public page shows, read in a fixed number of queries whatever the data's size.

Every read goes through `.visible_to(user)`: the public sees published reports and their
records only; staff who may see drafts see them too (the province's view shows published
reports only, to everyone, and counts the drafts). Callers turn a missing object into a 404.
One module per concern: `report` (the index and a report's pages), `corrections`, `trends`
(a city's years, cities compared), `records` (the record lists and pages), `streams`; the
province's view (the cities of a year side by side) is hotline.services.province, which the
API reads too.
"""

from hotline.services.province import has_published, province_page

from .corrections import report_corrections
from .records import (
    ListPaginator,
    episode_detail,
    episodes,
    episodes_in_totals_only,
    filter_choices,
    policies,
    policy_detail,
    sharing,
    sharing_detail,
)
from .report import (
    HEADLINE_CODES,
    index_page,
    policy_documents,
    report_grids,
    report_page,
    sharing_requests,
    table_figures,
    top_categories,
    top_departments,
    visible_report,
    visible_reports,
)
from .streams import stream_records
from .trends import city_page, compare_page

__all__ = [
    "HEADLINE_CODES",
    "ListPaginator",
    "city_page",
    "compare_page",
    "episode_detail",
    "episodes",
    "episodes_in_totals_only",
    "filter_choices",
    "has_published",
    "index_page",
    "policies",
    "policy_detail",
    "policy_documents",
    "province_page",
    "report_corrections",
    "report_grids",
    "report_page",
    "sharing",
    "sharing_detail",
    "sharing_requests",
    "stream_records",
    "table_figures",
    "top_categories",
    "top_departments",
    "visible_report",
    "visible_reports",
]
