"""The report's tables that are lists of records or rankings rather than catalogue figures
(TOP5, the data-sharing register, the rules and standards, the episodes): their rows and their
downloads, for the table pages (reports.views), the open-data package (reports.open_data_views)
and the job that writes a long register's workbook (reports.tasks)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from hotline.download_store import Stored

from . import downloads, selectors

# Tables as long as their records: shown a page at a time.
PAGED_TABLES = {"sharing-register"}
CODES = {
    "top5-departments",
    "top5-categories",
    "sharing-register",
    "policy-documents",
    "episodes",
}


def table(user, report, code):
    """The table `code` of `report` as `user` sees it: its rows (for its page) and its
    download's dataset; None for a catalogue table."""
    if code == "top5-departments":
        counts = selectors.top_departments(report)
        return counts, downloads.top_departments_dataset(report, counts)
    if code == "top5-categories":
        categories = selectors.top_categories(report)
        return categories, downloads.top_categories_dataset(report, categories)
    if code == "sharing-register":
        # A queryset: its page paged, its download streamed, however long the register.
        requests = selectors.sharing_requests(report)
        # Each _() outside the f-string, where xgettext sees it (it reads an f-string as one
        # literal).
        table_title = _("Data-sharing register")
        title = f"{report.title or report} · {table_title}"
        name = f"{report.region.slug}-{report.year}-sharing-register"

        def rows():
            for r in selectors.stream_records("sharing", requests):
                r.report = report
                yield r

        return requests, downloads.sharing_dataset(name, title, rows(), report.source)
    if code == "policy-documents":
        documents = selectors.policy_documents(report)
        for d in documents:
            d.report = report
        table_title = _("Rules and standards issued")
        title = f"{report.title or report} · {table_title}"
        name = f"{report.region.slug}-{report.year}-policy-documents"
        return documents, downloads.policy_dataset(name, title, documents, report.source)
    if code == "episodes":
        episodes = list(selectors.episodes(user, {"city": report.region.slug, "year": report.year}))
        table_title = _("Live-broadcast episodes")
        title = f"{report.title or report} · {table_title}"
        name = f"{report.region.slug}-{report.year}-episodes"
        return episodes, downloads.episode_dataset(name, title, episodes, report.source)
    return None


def stored(city, year, code, fmt) -> Stored:
    """The download of a paged table in the download store (one file per version)."""
    return Stored(f"{city}-{year}-{code}", fmt, f"{city}/{year}/{code}")


def download(request, report, code, last_modified):
    """The download's dataset of the table `code` (placed)."""
    return placed(table(request.user, report, code)[1], request, report, code, last_modified)


def placed(dataset, request, report, code, last_modified):
    """`dataset`, the download of the report's table `code` (this module's or a catalogue
    table's), with its page's address and the version of what it holds."""
    city, year = report.region.slug, report.year
    dataset.url = request.build_absolute_uri(reverse("reports:table", args=[city, year, code]))
    dataset.last_modified = last_modified
    return dataset
