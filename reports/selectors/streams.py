"""Streaming a whole record list: a fixed number of queries and bounded memory, however long."""

from django.db.models import F

from hotline.models import (
    DataSharingRequest,
    EpisodeGuest,
    PolicyDocument,
)

# Each list's order (made total by the primary key) and its to-many relations: the rows that
# link them to a record, the link's name, the related object on the row (none: the row itself)
# and the order within one record, as the prefetched relation would have it.
STREAMS = {
    "episodes": (
        ["-report__year", "report__region__order", "number", "pk"],
        {
            "guests": (
                EpisodeGuest.objects.select_related("department"),
                "episode",
                None,
                ["-is_principal", "pk"],
            ),
        },
    ),
    "sharing": (
        ["-report__year", "report__region__order", "line", "pk"],
        {
            "recipients": (
                DataSharingRequest.recipients.through.objects.select_related("department"),
                "datasharingrequest",
                "department",
                ["department__region__order", "department__name"],
            ),
            "methods": (
                DataSharingRequest.methods.through.objects.select_related("sharingmethod"),
                "datasharingrequest",
                "sharingmethod",
                ["sharingmethod__order", "sharingmethod__code"],
            ),
        },
    ),
    "policies": (
        ["-report__year", "report__region__order", "order", "pk"],
        {
            "issuers": (
                PolicyDocument.issuers.through.objects.select_related("department"),
                "policydocument",
                "department",
                ["department__region__order", "department__name"],
            ),
        },
    ),
}
STREAM_CHUNK = 2000


def _keyed(queryset, paths, *then):
    """Each row with its record's place in the list, as integers (every ordering path of a
    record list is one), sorted by it."""
    keys = {f"_key{i}": F(path.lstrip("-")) for i, path in enumerate(paths)}
    return queryset.annotate(**keys).order_by(*paths, *then)


def _key(row, signs):
    return tuple(sign * getattr(row, f"_key{i}") for i, sign in enumerate(signs))


def stream_records(kind: str, queryset):
    """The records of a list in its order, each with its to-many relations filled in as if
    prefetched, in one query per relation however long the list: the related rows are read
    in the same order and merged as the records go by."""
    ordering, relations = STREAMS[kind]
    signs = [-1 if o.startswith("-") else 1 for o in ordering]
    queryset = queryset.prefetch_related(None)  # prefetching would query once per chunk
    records = _keyed(queryset, ordering).iterator(chunk_size=STREAM_CHUNK)
    ids = queryset.order_by().values("pk")
    streams = {}
    for name, (rows, link, target, within) in relations.items():
        paths = [("-" if o.startswith("-") else "") + f"{link}__{o.lstrip('-')}" for o in ordering]
        related = _keyed(rows.filter(**{f"{link}__in": ids}), paths, *within)
        streams[name] = (related.iterator(chunk_size=STREAM_CHUNK), target)
    pending = {name: next(rows, None) for name, (rows, _target) in streams.items()}
    for record in records:
        key = _key(record, signs)
        # What `record.<relation>.all()` then returns, as prefetch_related would fill it: the
        # downloads only iterate it, and a queryset per record would cost a third of the time.
        cache = record.__dict__.setdefault("_prefetched_objects_cache", {})
        for name, (rows, target) in streams.items():
            items, row = [], pending[name]
            while row is not None and (row_key := _key(row, signs)) <= key:
                if row_key == key:  # rows of a record deleted meanwhile are skipped
                    items.append(getattr(row, target) if target else row)
                row = next(rows, None)
            pending[name] = row
            cache[name] = items
        yield record
