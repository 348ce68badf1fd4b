"""Streaming a whole record list: a fixed number of queries and bounded memory, however long."""

from collections import defaultdict
from itertools import groupby
from operator import itemgetter

from django.db.models import F

from hotline.models import (
    DataSharingRequest,
    EpisodeGuest,
    PolicyDocument,
)
from hotline.reading import (
    ByKeys,
    KeyedInstances,
    KeyReader,
    Reader,
    apart_tree,
    instances,
    select_related_tree,
    value_rows,
)

# Each list's order (made total by the primary key); its to-many relations: the rows that
# link them to a record, the link's name, the related object on the row (none: the row itself)
# and the order within one record, as the prefetched relation would have it; and the fields
# of the related objects (by their path: report, report__region, department) that the
# downloads read (reports.downloads). Only those are read with each row: a report's other
# fields (texts, three datetimes) would triple the reading, and wide related rows make
# PostgreSQL sort on disk; another field would be read when first used, once per object
# (tests/reports/test_stream_records.py counts the queries of writing each list).
CITY = {"report": ["year", "region"], "report__region": ["name", "name_en"]}
UNITS = {"department": ["name", "short_name", "aliases"]}  # Department.names and str()
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
        CITY | UNITS,
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
        CITY
        | UNITS
        | {"region": ["name", "name_en", "level"], "sharingmethod": ["name", "name_en"]},
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
        CITY | UNITS,
    ),
}


def _keyed(queryset, paths, *then):
    """Each row with its record's place in the list, as integers (every ordering path of a
    record list is one), sorted by it."""
    keys = {f"_key{i}": F(path.lstrip("-")) for i, path in enumerate(paths)}
    return queryset.annotate(**keys).order_by(*paths, *then)


# Each list's to-many relations as read_records reads them, compiled once per process and
# number of records (hotline.reading.ByKeys).
_BY_KEYS: dict[tuple[str, str], ByKeys] = {}


def read_records(queryset, kind: str | None = None) -> list:
    """The queryset's records, with their select_related objects, as a list: read as values
    and made into instances by Reader, each related object made once and shared by the
    records that name it (a report's 122 figures name 13 tables). Only the model's own fields
    are read: not for a queryset with annotations or deferred fields. With `kind` (of
    STREAMS), the fields its downloads read, and its to-many relations filled in as
    stream_records fills them, in one query each: prefetch_related() made a manager and a
    queryset for each record and relation, three quarters of reading a report's first 25
    register rows."""
    reads = STREAMS[kind][2] if kind else None
    queryset = queryset.prefetch_related(None)
    records = list(instances(queryset, reads=reads, streamed=False))
    return _with_relations(records, kind, queryset.db)


class KeyedRecords:
    """read_records() of the records whose `fields` are among some keys (a report's figures:
    the report), its query compiled once (hotline.reading.KeyedInstances), with the to-many
    relations of its STREAMS `kind` filled in."""

    def __init__(self, queryset, *fields: str, kind: str | None = None, limit: int | None = None):
        queryset = queryset.prefetch_related(None)
        reads = STREAMS[kind][2] if kind else None
        self.queryset, self.kind, self.db = queryset, kind, queryset.db
        self.keyed = KeyedInstances(queryset, *fields, limit=limit, reads=reads)

    def __call__(self, *keys) -> list:
        """The records whose one field is one of `keys`."""
        return self.among(list(keys))

    def among(self, *key_lists: list) -> list:
        """The records whose each field is one of its list of keys."""
        return _with_relations(self.keyed.among(*key_lists), self.kind, self.db)


def _with_relations(records: list, kind: str | None, db) -> list:
    """The records with their to-many relations of STREAMS[kind] filled in, one query each."""
    if not kind:
        return records
    relations, reads = STREAMS[kind][1:]
    pks = [record.pk for record in records]
    caches = [record.__dict__.setdefault("_prefetched_objects_cache", {}) for record in records]
    for name, (links, link, target, within) in relations.items():
        read = _relation_reader(links, target, db, 1, reads)
        found = _BY_KEYS.get((kind, name))
        if found is None:
            rows = links.order_by(*within, "pk").values_list(link, *read.paths)
            found = _BY_KEYS[(kind, name)] = ByKeys(rows, link)
        by_record = defaultdict(list)
        for row in found.rows(pks, reader=read):
            by_record[row[0]].append(read(row))
        for pk, cache in zip(pks, caches, strict=True):
            cache[name] = by_record.get(pk, [])
    return records


def _relation_reader(links, target, db, start, reads, apart=False) -> Reader | KeyReader:
    """What makes a to-many relation's objects from the rows that link them to their records:
    the related object on each row (`target`), made once, or else the row itself. `apart`
    (for a long list): the objects those rows name read apart (ReadApart), the rows holding
    their keys alone."""
    if apart:
        tree = apart_tree(links, reads)
        if target:
            return tree[target].reader(target, start)
        return Reader(links.model, "", tree, db, start, reads=reads)
    if target:
        model = links.model._meta.get_field(target).related_model
        tree = select_related_tree(links).get(target, {})
        return Reader(model, f"{target}__", tree, db, start, shared=True, reads=reads)
    return Reader(links.model, "", select_related_tree(links), db, start, reads=reads)


def stream_records(kind: str, queryset):
    """The records of a list in its order, each with its select_related objects and its
    to-many relations filled in as if prefetched, in one query per relation however long the
    list: the related rows are read in the same order and merged as the records go by. Rows
    are read as values and made into instances here (Reader), at a fraction of the ORM's
    cost."""
    ordering, relations, reads = STREAMS[kind]
    signs = [-1 if o.startswith("-") else 1 for o in ordering]
    width = len(signs)
    keys = [f"_key{i}" for i in range(width)]
    queryset = queryset.prefetch_related(None)  # prefetching would query once per chunk
    db = queryset.db
    # The few hundred reports, regions and units that 100,000 rows name are read apart, by a
    # query each, rather than joined onto every row (ReadApart).
    read_record = Reader(queryset.model, "", apart_tree(queryset, reads), db, width, reads=reads)
    records = _keyed(queryset, ordering).values_list(*keys, *read_record.paths)
    ids = queryset.order_by().values("pk")
    streams, pending = [], []
    for name, (rows, link, target, within) in relations.items():
        paths = [("-" if o.startswith("-") else "") + f"{link}__{o.lstrip('-')}" for o in ordering]
        rows = rows.filter(**{f"{link}__in": ids})
        read = _relation_reader(rows, target, db, width, reads, apart=True)
        related = _keyed(rows, paths, *within)
        related = value_rows(related.values_list(*keys, *read.paths), read, width)
        # One record's rows are together, its pk their last key (every ordering ends in pk).
        by_record = ((pk, list(items)) for pk, items in groupby(related, itemgetter(width - 1)))
        streams.append((name, by_record, read))
        pending.append(next(by_record, None))

    def place(row):  # where a row stands in the list's order
        return [sign * value for sign, value in zip(signs, row, strict=False)]

    for row in value_rows(records, read_record, width):
        record, pk = read_record(row), row[width - 1]
        # What `record.<relation>.all()` then returns, as prefetch_related would fill it: the
        # downloads only iterate it, and a queryset per record would cost a third of the time.
        cache = record.__dict__["_prefetched_objects_cache"] = {}
        for at, (name, by_record, read) in enumerate(streams):
            group = pending[at]
            # The rows of a record deleted since the list was read: skipped.
            while group is not None and group[0] != pk and place(group[1][0]) < place(row):
                group = next(by_record, None)
            if group is not None and group[0] == pk:
                cache[name] = [read(item) for item in group[1]]
                group = next(by_record, None)
            else:
                cache[name] = []
            pending[at] = group
        yield record
