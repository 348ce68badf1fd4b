"""The public record lists (live-broadcast episodes, the data-sharing register, rules and
standards): a list read from its filters, and its download, for the views that show and send
them (reports.views) and the job that writes a long list's workbook (reports.tasks)."""

from typing import NamedTuple

from django.utils.translation import gettext_lazy

from hotline import writers
from hotline.download_store import Stored

from . import downloads, selectors
from .forms import RecordFilter


class RecordList(NamedTuple):
    select: object  # selectors.episodes and its kin: (user, filters) -> queryset
    dataset: object  # downloads.episode_dataset and its kin
    title: str
    name: str  # its download's file name
    url: str  # its download's URL name


RECORDS = {
    "episodes": RecordList(
        selectors.episodes,
        downloads.episode_dataset,
        gettext_lazy("Live-broadcast episodes"),
        "episodes",
        "reports:episodes-download",
    ),
    "sharing": RecordList(
        selectors.sharing,
        downloads.sharing_dataset,
        gettext_lazy("Data-sharing register"),
        "data-sharing",
        "reports:sharing-download",
    ),
    "policies": RecordList(
        selectors.policies,
        downloads.policy_dataset,
        gettext_lazy("Rules and standards issued"),
        "policies",
        "reports:policies-download",
    ),
}


def read(user, kind: str, query) -> tuple[RecordFilter, object]:
    """The list `kind` as `user` sees it, filtered by the query parameters `query`: its filter
    form and its records' queryset."""
    form = RecordFilter(query, choices=selectors.filter_choices(user, kind))
    return form, RECORDS[kind].select(user, form.filters())


def stored(kind: str, fmt: str, form: RecordFilter) -> Stored:
    """Its download in the download store: one file per version and filters in effect, never
    one per made-up value (the form ignores those)."""
    filters = sorted((k, str(v)) for k, v in form.filters().items())
    return Stored(RECORDS[kind].name, fmt, repr(filters))


def table(request, kind: str, queryset, last_modified) -> writers.Table:
    """Its download's table, read as it is written: however long the list, a fixed number of
    queries and bounded memory."""
    listed = RECORDS[kind]
    dataset = listed.dataset(
        listed.name, str(listed.title), selectors.stream_records(kind, queryset)
    )
    dataset.url = request.build_absolute_uri()
    dataset.last_modified = last_modified
    return dataset
