"""Records read as values and made into model instances here, not by the ORM: for lists of
thousands of rows (downloads, exports) and pages that show hundreds, where making instances
through Model.__init__ and related objects once per row is most of the cost."""

from itertools import chain

from django.db import connections
from django.db.models import F, Lookup, Q
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.db.models.sql.constants import MULTI

from hotline.freshness import REFERENCE_MODELS

CHUNK = 2000


class Reader:
    """An instance of `model` made from a row of values read from position `start` (its
    concrete fields under `prefix`: `paths`), with the related objects of its select_related
    `tree`. A related object (`shared`: a report, a region, a department) is made once per
    primary key and shared by the rows that name it: a list of 100,000 records names a few
    hundred of them, and making model instances, and converting their values (dates, JSON),
    is most of what reading records through the ORM would cost."""

    def __init__(self, model, prefix, tree, db, start, shared=False, reads=None):
        reads = reads or {}
        wanted = reads.get(prefix.removesuffix("__"))
        apart = {name for name, subtree in tree.items() if isinstance(subtree, ReadApart)}
        fields = [
            field
            for field in model._meta.concrete_fields
            if wanted is None or field.primary_key or field.name in wanted or field.name in apart
        ]
        self.model, self.db, self.shared = model, db, shared
        self.attnames = [field.attname for field in fields]
        self.paths = [prefix + field.name for field in fields]  # a foreign key's name: its id
        self.start, self.end = start, start + len(fields)
        self.pk_at = start + self.attnames.index(model._meta.pk.attname)
        self.related, self.apart = [], []
        for name, subtree in tree.items():
            field = model._meta.get_field(name)
            if name in apart:  # given by its key, which the row holds among the fields
                self.apart.append((field, self.attnames.index(field.attname), subtree))
                continue
            at = start + len(self.paths)
            sub = Reader(field.related_model, f"{prefix}{name}__", subtree, db, at, True, reads)
            self.paths += sub.paths
            self.related.append((field, sub))
        self.made, self.converters = {}, []
        # Made as Model.from_db would make it, without the per-field work of Model.__init__
        # (a third of the reading) when nothing listens to a model's making.
        self.plain = not (pre_init.has_listeners(model) or post_init.has_listeners(model))

    def bind(self, converters, connection):
        """The database's converters of the row's values (compiler.get_converters), applied
        to this object's as it is made."""
        self.connection = connection
        self.converters = [
            (at - self.start, functions, expression)
            for at, (functions, expression) in converters.items()
            if self.start <= at < self.end
        ]
        for _field, sub in self.related:
            sub.bind(converters, connection)

    def __call__(self, row):
        if self.shared:
            pk = row[self.pk_at]
            if pk is None:  # a null foreign key: select_related reads None too
                return None
            if pk in self.made:
                return self.made[pk]
        values = row[self.start : self.end]
        if self.converters:
            values = list(values)
            for at, functions, expression in self.converters:
                value = values[at]
                for function in functions:
                    value = function(value, expression, self.connection)
                values[at] = value
        if self.plain:
            obj = self.model.__new__(self.model)
            obj._state = state = ModelState()
            state.adding, state.db = False, self.db
            obj.__dict__.update(zip(self.attnames, values, strict=True))
        else:
            obj = self.model.from_db(self.db, self.attnames, values)
        for field, sub in self.related:
            field.set_cached_value(obj, sub(row))
        for field, at, apart in self.apart:
            field.set_cached_value(obj, apart(values[at]))
        if self.shared:
            self.made[pk] = obj
        return obj


class ReadApart:
    """The related objects a long list names (its records' reports, regions, units), read by a
    query of their own the first time one is asked for and given by key: in a Reader's tree in
    place of a join, or for a row that holds the key alone (`reader`). Joined, their columns
    rode on each of 100,000 rows and the database sorted rows three times as wide (the
    register's download: a relation's query 0.33 s against 0.18 on SQLite). `among`: the
    queryset's objects that the list names, as a filter (a subquery of the list); one named
    by a record written after they were read is read then, alone."""

    def __init__(self, queryset, among=None, reads=None):
        self.queryset, self.among, self.reads, self.known = queryset, among, reads, None

    def __call__(self, key):
        if key is None:  # a null foreign key
            return None
        known = self.known
        if known is None:
            found = self.queryset if self.among is None else self.queryset.filter(self.among)
            known = self.known = self._read(found)
        obj = known.get(key)
        if obj is None:
            known.update(self._read(self.queryset.filter(pk=key)))
            obj = known[key]
        return obj

    def _read(self, queryset) -> dict:
        return {obj.pk: obj for obj in instances(queryset, reads=self.reads, streamed=False)}

    def reader(self, path: str, start: int) -> "KeyReader":
        return KeyReader(self, path, start)


class KeyReader:
    """A Reader's part for a row that holds a related object's key alone (`path`, at `start`):
    the object given by ReadApart."""

    def __init__(self, apart: ReadApart, path: str, start: int):
        self.apart, self.paths, self.start = apart, [path], start

    def bind(self, converters, connection):
        """Keys are integers, which no backend converts."""

    def __call__(self, row):
        return self.apart(row[self.start])


def _read_apart(queryset, name, tree, reads) -> ReadApart:
    """The objects that the foreign key `name` of the queryset's rows names, with their own
    select_related `tree` and the fields `reads` names under `name`, read apart (ReadApart).
    The reference data's (the catalogue, the regions and units: a few hundred rows) are read
    all: narrowing them by a subquery over 100,000 records took 19-50 ms each on SQLite,
    reading them all under a millisecond. The reports, which grow with the years, as named."""
    model = queryset.model._meta.get_field(name).related_model
    objects = model._base_manager.all()
    if tree:
        objects = objects.select_related(*_paths(tree))
    under = {
        path.removeprefix(name).removeprefix("__"): fields
        for path, fields in (reads or {}).items()
        if path == name or path.startswith(f"{name}__")
    }
    if model in REFERENCE_MODELS:
        return ReadApart(objects, None, under)
    # A subquery's order is dropped unless it is sliced (the admin exports a slice too).
    return ReadApart(objects, Q(pk__in=queryset.values(name)), under)


def _paths(tree: dict, prefix: str = ""):
    """A select_related tree as the paths that make it."""
    for name, subtree in tree.items():
        yield from _paths(subtree, f"{prefix}{name}__") if subtree else [prefix + name]


def apart_tree(queryset, reads=None) -> dict:
    """The queryset's select_related tree, its first foreign keys' objects read apart
    (_read_apart): a Reader's tree for a long list."""
    return {
        name: _read_apart(queryset, name, tree, reads)
        for name, tree in select_related_tree(queryset).items()
    }


def select_related_tree(queryset) -> dict:
    tree = queryset.query.select_related
    return tree if isinstance(tree, dict) else {}


def value_rows(queryset, reader, width, *, streamed=True):
    """The rows of a values_list() queryset as the database sends them, `width` keys then the
    values `reader` makes its instance of; the keys are converted here, the values by it.
    Streamed: through a server-side cursor where the database has them (PostgreSQL)."""
    compiler = queryset.query.get_compiler(queryset.db)
    settings = compiler.connection.settings_dict
    chunked = streamed and not settings.get("DISABLE_SERVER_SIDE_CURSORS")
    results = compiler.execute_sql(MULTI, chunked_fetch=chunked, chunk_size=CHUNK)
    converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
    reader.bind(converters, compiler.connection)
    rows = chain.from_iterable(results)
    keyed = {at: converter for at, converter in converters.items() if at < width}
    if keyed:  # the keys are integers, which no backend converts: here in case one does
        rows = compiler.apply_converters(rows, keyed)
    return rows


def instances(queryset, *, reads=None, streamed=True, apart=False):
    """The queryset's records, with their select_related objects, made by Reader as they are
    read. Only the model's own fields are read (all of them, or those `reads` names by path):
    not for a queryset whose records need its annotations or deferred fields. `apart`: the
    select_related objects read apart (apart_tree), for a long list."""
    tree = apart_tree(queryset, reads) if apart else select_related_tree(queryset)
    reader = Reader(queryset.model, "", tree, queryset.db, 0, reads=reads)
    for row in value_rows(queryset.values_list(*reader.paths), reader, 0, streamed=streamed):
        yield reader(row)


class _EqualsAny(Lookup):
    """`column = ANY(%s)` with the keys as one array (PostgreSQL): psycopg parses the query once
    and for all, where each of an IN list's thousands of placeholders was parsed again."""

    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, list(self.rhs)]


def _crosses_to_many(model, path: str) -> bool:
    for name in path.split("__"):
        field = model._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return True
        if not field.is_relation:
            return False
        model = field.related_model
    return False


class ByKeys:
    """The rows of a values_list() queryset whose `fields` are in lists of keys, its first
    `width` columns keys (integers, never converted) and the rest the values a Reader makes
    its instance of (with no reader, values converted here). The query is compiled once and
    run with each list as its parameters: Django preparing and compiling an IN list cost as
    much as running it (each chunk of an export, the relations of a page's register rows, last
    year's figures of the API's list). An IN list is compiled once per number of keys; on
    PostgreSQL, a list of more than ARRAY_FROM keys is one array parameter instead, one query
    for every such length: PostgreSQL plans an IN list of 100 keys in about 0.9 ms on every
    run (psycopg, prepared: 0.47-0.58 ms a run against the array's 0.20-0.22; 20 keys 0.16-0.18
    against 0.14; up to 10, the same). Only a query whose parameters are the keys alone is
    kept, at most KEPT of them; with no `fields`, the queryset as it is, kept when it has no
    parameters of its own (a filter on True has none). `limit`: the first rows of the whole
    result (of one key's, when there is one key)."""

    KEPT = 64
    ARRAY_FROM = 16

    def __init__(self, queryset, *fields: str, width: int = 1, limit: int | None = None):
        # A filter across a to-many relation after an aggregate would join anew and count
        # over that join instead; across foreign keys, it reuses their joins: a WHERE.
        aggregates = any(a.contains_aggregate for a in queryset.query.annotations.values())
        if aggregates and any(_crosses_to_many(queryset.model, field) for field in fields):
            raise ValueError(f"ByKeys: {fields} cross a to-many relation after an aggregate")
        self.queryset, self.fields, self.width, self.limit = queryset, fields, width, limit
        self.compiled = {}

    def rows(self, *key_lists: list, reader: Reader | None = None) -> list:
        if not all(key_lists):
            return []
        alias = self.queryset.db
        arrays = connections[alias].vendor == "postgresql" and any(
            len(keys) > self.ARRAY_FROM for keys in key_lists
        )
        if arrays:
            shape, params = (alias, "arrays"), [list(keys) for keys in key_lists]
        else:
            shape = (alias, *map(len, key_lists))
            params = [key for keys in key_lists for key in keys]
        compiled = self.compiled.get(shape)
        if compiled is None:
            found = self.queryset
            for field, keys_of in zip(self.fields, key_lists, strict=True):  # params in turn
                if arrays:
                    found = found.filter(_EqualsAny(F(field), keys_of))
                else:
                    found = found.filter(**{f"{field}__in": keys_of})
            found = found[: self.limit]
            compiler = found.query.get_compiler(alias)
            sql, built = compiler.as_sql()
            columns = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
            compiled = (sql, compiler.get_converters(columns))
            if list(built) != params:  # other parameters than the keys: compiled each time
                return self._run(compiled, built, reader)
            if len(self.compiled) < self.KEPT:
                self.compiled[shape] = compiled
        return self._run(compiled, params, reader)

    def _run(self, compiled, params, reader) -> list:
        sql, converters = compiled
        connection = connections[self.queryset.db]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        # The keys are integers, which no backend converts: here in case one does. With no
        # reader to make them, the values are converted here too (a decimal from SQLite).
        converted = [
            (at, *converter)
            for at, converter in converters.items()
            if at < self.width or reader is None
        ]
        if converted:
            rows = [list(row) for row in rows]
            for row in rows:
                for at, functions, expression in converted:
                    for function in functions:
                        row[at] = function(row[at], expression, connection)
        if reader is not None:
            reader.bind(converters, connection)
        return rows


class KeyedInstances:
    """The records of a queryset whose `fields` are among some keys (a report's figures: the
    report), with their select_related objects, made by Reader from the rows of a query
    compiled once (ByKeys): for the lists read on every render or check, where building and
    compiling the query through the ORM cost as much as running it. `queryset` is the list's
    constant part; with no `fields`, the whole query (the active rules). `reads`: the fields
    read, by path (Reader)."""

    def __init__(self, queryset, *fields: str, limit: int | None = None, reads=None):
        self.queryset, self.fields, self.limit, self.reads = queryset, fields, limit, reads
        self.by_keys = None

    def __call__(self, *keys) -> list:
        """The records whose one field is one of `keys`; with no fields, all of them."""
        return self.among(list(keys)) if self.fields else self.among()

    def among(self, *key_lists: list) -> list:
        """The records whose each field is one of its list of keys."""
        queryset = self.queryset
        tree = select_related_tree(queryset)
        reader = Reader(queryset.model, "", tree, queryset.db, 0, reads=self.reads)
        if self.by_keys is None:
            rows = queryset.values_list(*reader.paths)
            self.by_keys = ByKeys(rows, *self.fields, width=0, limit=self.limit)
        return [reader(row) for row in self.by_keys.rows(*key_lists, reader=reader)]
