"""The record lists (episodes, the data-sharing register, policy documents), their filter
choices and each record's page."""

import functools

from django.core.paginator import Paginator
from django.db.models import Prefetch

from hotline.models import (
    AnnualReport,
    DataSharingRequest,
    Department,
    EpisodeGuest,
    Figure,
    LivestreamEpisode,
    PolicyDocument,
    Region,
    SharingMethod,
)

from .report import visible_reports
from .streams import STREAMS  # each list's one order: its pages', its downloads'


def _scoped(queryset, user, filters):
    queryset = queryset.visible_to(user)
    if filters.get("city"):
        queryset = queryset.for_region(filters["city"])
    if filters.get("year"):
        queryset = queryset.for_year(filters["year"])
    return queryset


def episodes(user, filters):
    guests = Prefetch("guests", queryset=EpisodeGuest.objects.select_related("department"))
    queryset = _scoped(LivestreamEpisode.private_objects, user, filters)
    if filters.get("department"):
        queryset = queryset.filter(guests__department=filters["department"]).distinct()
    return (
        queryset.select_related("report__region")
        .prefetch_related(guests)
        .order_by(*STREAMS["episodes"][0])
    )


EPISODE_TOTAL = "livestream.episodes"


def episodes_in_totals_only(user, filters) -> list:
    """The 政风热线 episode counts of the reports (within the filter) that print the totals but
    list no episode, so that an empty list says why and points to the totals (one query)."""
    if filters.get("department"):
        return []  # a department is named by an episode's guests: totals name none
    reports = _scoped(AnnualReport.private_objects, user, filters).filter(episodes__isnull=True)
    return list(
        Figure.private_objects.filter(
            report__in=reports, indicator__code=EPISODE_TOTAL, value__isnull=False
        )
        .select_related("report__region")
        .order_by("-report__year", "report__region__order")
    )


def sharing(user, filters):
    queryset = _scoped(DataSharingRequest.private_objects, user, filters)
    if filters.get("district"):
        queryset = queryset.filter(region__slug=filters["district"])
    if filters.get("department"):
        queryset = queryset.filter(recipients=filters["department"])
    if filters.get("method"):
        queryset = queryset.filter(methods__code=filters["method"])
    if filters.get("department") or filters.get("method"):
        queryset = queryset.distinct()
    return (
        queryset.select_related("report__region", "region")
        .prefetch_related("recipients", "methods")
        .order_by(*STREAMS["sharing"][0])
    )


def policies(user, filters):
    queryset = _scoped(PolicyDocument.private_objects, user, filters)
    if filters.get("department"):
        queryset = queryset.filter(issuers=filters["department"]).distinct()
    return (
        queryset.select_related("report__region")
        .prefetch_related("issuers")
        .order_by(*STREAMS["policies"][0])
    )


class ListPaginator(Paginator):
    """Pages of a record list (its order total: it ends with the key), each read in two
    steps: the keys of the page's rows, the list's keys alone sorted, then those rows with
    their related objects, by key. Sorted whole with every column of each row, its report and
    region, the register's 40th page took 97 ms on PostgreSQL (100,000 requests); its keys
    alone, 31 ms."""

    def _get_page(self, rows, number, paginator):
        keys = list(rows.values_list("pk", flat=True))
        found = {row.pk: row for row in self.object_list.order_by().filter(pk__in=keys)}
        # A row deleted between the two reads is left out, as if read a moment later.
        return super()._get_page([found[k] for k in keys if k in found], number, paginator)


def filter_choices(user, kind: str) -> dict:
    """The values a record list can be filtered on, from what the user may see: each a function
    that reads them the first time it is called (one query each, years and cities one
    together), so that a download or a stored file asked for with no filters reads none."""
    visible = AnnualReport.private_objects.visible_to(user).values("pk")

    @functools.cache
    def reports():
        return list(visible_reports(user).order_by("region__order", "-year"))

    # The units and districts the records name, each read as `pk IN (the records' keys)`:
    # joined to 150,000 links and made distinct, the register's units took 162 ms a render of
    # its list on PostgreSQL (10 ms so) and its districts 38 ms (2 ms).
    if kind == "episodes":
        named = EpisodeGuest.objects.filter(episode__report__in=visible)
    elif kind == "sharing":
        named = DataSharingRequest.recipients.through.objects.filter(
            datasharingrequest__report__in=visible
        )
    else:
        named = PolicyDocument.issuers.through.objects.filter(policydocument__report__in=visible)
    departments = Department.objects.filter(pk__in=named.values("department"))
    choices = {
        "years": lambda: sorted({r.year for r in reports()}, reverse=True),
        "cities": lambda: list({r.region.slug: r.region for r in reports()}.values()),
        "departments": lambda: list(departments.order_by("region__order", "name", "pk")),
    }
    if kind == "sharing":
        requests = DataSharingRequest.private_objects.filter(report__in=visible)
        choices["districts"] = lambda: list(Region.objects.filter(pk__in=requests.values("region")))
        choices["methods"] = lambda: list(SharingMethod.objects.all())
    return {name: functools.cache(read) for name, read in choices.items()}


# A record's page is reached through its report, which the view found visible first.


def episode_detail(report, number) -> LivestreamEpisode:
    guests = Prefetch("guests", queryset=EpisodeGuest.objects.select_related("department"))
    episode = report.episodes.prefetch_related(guests).get(number=number)
    episode.report = report
    return episode


def sharing_detail(report, line) -> DataSharingRequest:
    request = (
        report.sharing_requests.select_related("region")
        .prefetch_related("recipients", "methods")
        .get(line=line)
    )
    request.report = report
    return request


def policy_detail(report, pk) -> PolicyDocument:
    document = report.policy_documents.prefetch_related("issuers").get(pk=pk)
    document.report = report
    return document
