"""Records out as CSV, XLSX and JSON (hotline.writers), with the headers the importer reads
back; streamed, so that a list of any length is written with bounded memory.

Rows are read `CHUNK` at a time (queryset.iterator with its prefetches per chunk). JSON is a
list of records keyed by header, which the importer reads one object at a time.
"""

from django.utils import timezone

from hotline import writers

from .columns import Spec, spec_for

CHUNK = 2000


def rows(spec: Spec, queryset, chunk_size=CHUNK):
    """The export columns' values of each record, read a chunk at a time."""
    columns = spec.export_columns
    for obj in spec.export_queryset(queryset).iterator(chunk_size=chunk_size):
        yield [column.export(obj) for column in columns]


def headers(spec: Spec) -> list[str]:
    return [column.header for column in spec.export_columns]


def table(spec, queryset, chunk_size=CHUNK) -> writers.Table:
    if not isinstance(spec, Spec):
        spec = spec_for(spec)
    return writers.Table(
        name=f"{spec.name}-{timezone.localdate():%Y-%m-%d}",
        columns=[(column.key, column.header) for column in spec.export_columns],
        rows=rows(spec, queryset, chunk_size),
        title=spec.label,
        json_layout="records",
    )


def response(spec, queryset, fmt: str):
    """A streamed download of the queryset's records."""
    return writers.response(table(spec, queryset), fmt)


def write(spec, queryset, fmt: str, out):
    """The same export into a binary file, for the export_records command."""
    writers.write(table(spec, queryset), fmt, out)
