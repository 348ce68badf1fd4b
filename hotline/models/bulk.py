"""Bulk writes of plain values, as bulk_create() makes them but without its compiler: for the
large writes of imports (records, their history, their links, the admin's log), where the
compiler preparing each value was a third to a half of the writing."""

import contextlib
import datetime

from django.db import connections, models, router
from simple_history.models import HistoricalRecords


class PlainInsertQuerySet(models.QuerySet):
    """bulk_create() through insert_rows, for rows of plain values: an import's records and
    their history rows (20,000 data-sharing requests on SQLite: 9.9-10.9 s -> 7.8-9.8 s, three
    runs each). Every value is still its field's own (pre_save, then get_db_prep_save, or the
    value itself where that is what they give: `preparer`), each related object checked as
    Django checks it; any option, a primary key already set, a value of the database's own
    (db_default, a generated column) or a parent model's table take Django's own way."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        meta, pk = self.model._meta, self.model._meta.pk
        if (
            args
            or any(kwargs.values())
            or not objs
            or meta.parents
            or not pk.db_returning
            or any(obj.pk is not None for obj in objs)
            or any(f.generated or f.has_db_default() for f in meta.concrete_fields)
        ):
            return super().bulk_create(objs, *args, **kwargs)
        connection = connections[self.db]
        fields = [field for field in meta.concrete_fields if field is not pk]
        preparers = [preparer(field, connection) for field in fields]
        rows = []
        for obj in objs:
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
            rows.append([prepare(obj) for prepare in preparers])
        attnames = [field.attname for field in fields]
        pks = insert_rows(self.model, attnames, rows, returning=True, using=self.db)
        for obj, value in zip(objs, pks, strict=True):
            obj.pk = value
            obj._state.adding, obj._state.db = False, self.db
        return objs


# Django's own field types whose get_prep_value() gives back a value of this Python type as
# it is: such a value needs only what the database makes of it (get_db_prep_value, prepared:
# PostgreSQL's typed integers, say), not get_db_prep_save(pre_save()) (five calls a value).
# Most of an import's columns are such: preparing 20,000 data-sharing requests on SQLite
# took 0.72 -> 0.44 s, their history rows 1.04 -> 0.67 s. A date (not a datetime) is one too,
# where its field sets none of its own (auto_now, auto_now_add).
AS_THEY_ARE = {
    models.DateField: datetime.date,
    models.AutoField: int,
    models.BigAutoField: int,
    models.SmallAutoField: int,
    models.BigIntegerField: int,
    models.IntegerField: int,
    models.PositiveBigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.SmallIntegerField: int,
    models.CharField: str,
    models.TextField: str,
    models.BooleanField: bool,
}


def preparer(field, connection):
    """A function of a model instance that gives `field`'s value as the database takes it:
    what get_db_prep_save(pre_save()) gives, by a short way for a value that is already of its
    field's type (a foreign key's: its target's)."""

    def prepared(obj):
        return field.get_db_prep_save(field.pre_save(obj, True), connection)

    target = field.target_field if type(field) is models.ForeignKey else field
    kind = AS_THEY_ARE.get(type(target))
    if kind is None or not _reads_its_value(field):
        return prepared
    attname, for_database = field.attname, target.get_db_prep_value

    def as_it_is(obj):
        value = getattr(obj, attname)
        return value if type(value) is kind else prepared(obj)

    def as_the_database_takes_it(obj):
        value = getattr(obj, attname)
        if type(value) is kind:
            return for_database(value, connection, prepared=True)
        return prepared(obj)

    # Field's own get_db_prep_value gives a prepared value back as it is (texts, booleans).
    if type(target).get_db_prep_value is models.Field.get_db_prep_value:
        return as_it_is
    return as_the_database_takes_it


def _reads_its_value(field) -> bool:
    """Whether pre_save() gives the instance's own value back, as Field's does."""
    pre_save = type(field).pre_save
    if pre_save is models.DateField.pre_save:
        return not (field.auto_now or field.auto_now_add)
    return pre_save is models.Field.pre_save


def insert_rows(model, attnames, rows, *, returning=False, using=None) -> list:
    """Rows of plain values written as bulk_create() would write them but without a model
    instance and a compiled value each: for an import's records, their history, their links
    and the links' history, and the admin's log, where that overhead was a third of a large
    import's time. With `returning`, the new primary keys in the order of `rows`."""
    if not rows:
        return []
    connection = connections[using or router.db_for_write(model)]
    fields = [model._meta.get_field(name) for name in attnames]
    if connection.vendor == "postgresql":
        return _copy_rows(connection, model, fields, rows, returning)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    suffix = f" RETURNING {quote(model._meta.pk.column)}" if returning else ""
    pks = []
    with connection.cursor() as cursor:
        for values, params in rows_sql(connection, fields, rows):
            cursor.execute(
                f"INSERT INTO {quote(model._meta.db_table)} ({columns}) {values}{suffix}", params
            )
            if returning:
                pks.extend(pk for (pk,) in cursor.fetchall())
    return pks


def _copy_rows(connection, model, fields, rows, returning) -> list:
    """PostgreSQL's COPY (psycopg 3), the new keys drawn from the table's sequence first: one
    multi-row INSERT took each value through psycopg's arrays in Python, a sixth of a
    100,000-row import, and the server parsed them again. Logged and failing as a query does
    through Django, so that tests count it and a refused row is a DatabaseError."""
    quote = connection.ops.quote_name
    meta = model._meta
    columns = [quote(field.column) for field in fields]
    pks = []
    with connection.cursor() as cursor:
        if returning:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            pks = [pk for (pk,) in cursor.fetchall()]
            columns.insert(0, quote(meta.pk.column))
            rows = ([pk, *row] for pk, row in zip(pks, rows, strict=True))
        sql = f"COPY {quote(meta.db_table)} ({', '.join(columns)}) FROM STDIN"
        logged = getattr(cursor, "debug_sql", None)  # Django's, while queries are counted
        with (
            logged(sql) if logged else contextlib.nullcontext(),
            connection.wrap_database_errors,  # Django's errors, as its own queries raise
            cursor.cursor.copy(sql) as copy,
        ):
            for row in rows:
                copy.write_row(row)
    return pks


def rows_sql(connection, fields, rows):
    """("VALUES (%s, %s), (%s, %s)…", the values) for `rows` of a value per field each, as
    many rows a statement as the database takes parameters; on PostgreSQL ("SELECT * FROM
    UNNEST(%s::integer[], …)", a list per field) in one statement, as Django's bulk_create()
    writes there: psycopg converts a query of thousands of placeholders anew each time (it
    caches short ones only), and the server plans it longer. For the keys an import looks up
    (stored_keys); rows are written by COPY there (insert_rows)."""
    if connection.vendor == "postgresql":
        # Without a type's length (varchar, not varchar(200)): nothing is cut short.
        arrays = [f"(%s)::{field.db_type(connection).split('(')[0]}[]" for field in fields]
        yield (
            f"SELECT * FROM UNNEST({', '.join(arrays)})",
            [list(c) for c in zip(*rows, strict=True)],
        )
        return
    width = len(fields)
    size = max(1, (connection.features.max_query_params or 65535) // width)
    placeholder = "(" + ", ".join(["%s"] * width) + ")"
    for start in range(0, len(rows), size):
        chunk = rows[start : start + size]
        yield (
            "VALUES " + ", ".join([placeholder] * len(chunk)),
            [value for row in chunk for value in row],
        )


class PlainInsertHistory(models.Model):
    """The base of every history model (History): simple_history's bulk_history_create()
    writes its rows through PlainInsertQuerySet."""

    objects = PlainInsertQuerySet.as_manager()

    class Meta:
        abstract = True


class History(HistoricalRecords):
    """simple_history's HistoricalRecords, the history rows of a bulk write (an import's)
    written through PlainInsertQuerySet."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("bases", [PlainInsertHistory])
        super().__init__(*args, **kwargs)
