"""Import one file of records: every row validated as the admin would, nothing saved unless
every row is right, all in one transaction, in batches, whatever the file's size.

Per file, the related records are read once (lookups), and per report the keys of its
records once, or per batch those of the records its rows name (Run._loads_by_batch); per
batch of rows, one query fetches the records the rows update, and the writes are bulk inserts
and updates with their history (simple_history) written in bulk too, with the importing user
and "导入 <file>" as the reason. Rows are validated in Python with the models' own
full_clean() (less the foreign keys, resolved from the lookups) and their constraints
(constraints.py): no query per row.

After the first error nothing more is written, but every row is still read, so that all
errors of a file are reported at once; then the transaction is rolled back. A dry run (the
preview) reads and checks every row as the import does, but writes nothing, unless later rows
may name what earlier ones create (regions): then it writes and rolls back. A refusal that only
the database makes (a reference deleted meanwhile) is then the import's error, not the preview's.

A preview may keep what it checked, batch by batch (Checked, pickled to a file of the job's
own), so that its confirmed import writes it as checked rather than reading and parsing the
file again (import_checked): the import then costs about its writes alone. It does so only while
every stored record a batch read is as it was, its report still a draft and what it refers to
still there; otherwise nothing of it is written and the file is imported afresh.
"""

import gc
import os
import pickle
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.admin.models import ADDITION, CHANGE
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, ValidationError
from django.db import DatabaseError, connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.models import HistoricalRecords
from simple_history.utils import get_history_manager_for_model

from hotline import freshness
from hotline.models import AnnualReport, ReportLocked
from hotline.models.bulk import insert_rows, preparer, rows_sql

from . import constraints
from .columns import RowState, Spec, spec_for
from .lookups import Lookups
from .readers import Refused, open_table

BATCH = 1000
# Progress is told this often between batches too: a batch takes about a second on a busy
# machine, and a job's page should see it move at least that often (issue 16).
PROGRESS_ROWS = 100
PREVIEW_ROWS = 100
MAX_ERRORS = 1000
# The longest cell read, for text fields (notes, 共享主题) that have no length of their own;
# a cell of a field with a length is held to that length. Longer is refused before it is parsed.
MAX_CELL_CHARS = 10_000
NEW, UPDATE, SKIP = "new", "update", "skip"


class Stale(Exception):
    """What a preview checked has changed since it ran."""


@dataclass
class Checked:
    """A batch as a preview checked it (import_records with `checked_to`), for import_checked
    to write as is: the records to create and update, and the stored ones as they were read.
    Pickled, into a file that only the workers write and read (beside the uploads, whose names
    are random), and refused if written by another version of the models."""

    fields: tuple  # the model's columns (attnames) when it was checked
    rows: int  # of the file, read when the batch was checked
    creates: list
    updates: list
    update_fields: set
    m2m: list  # (record, {field name: [related pks]})
    stored: dict  # pk → snapshot of each stored record the batch read
    current_m2m: dict


@dataclass
class RowError:
    row: int | None
    column: str
    message: str
    sheet: str = ""
    position: int = 0  # the row's place in the file, across sheets

    def __str__(self):
        if self.row and self.column:
            text = _("Row %(row)s “%(column)s”: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        elif self.row:
            text = _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        else:
            text = self.message
        if self.sheet:
            text = _("Sheet “%(sheet)s”, %(error)s") % {"sheet": self.sheet, "error": text}
        return text


@dataclass
class PreviewRow:
    number: int
    import_type: str
    cells: list
    changed: set


@dataclass
class Outcome:
    file_name: str
    spec: Spec
    dry_run: bool = False
    headers: list = field(default_factory=list)
    rows: int = 0
    new: int = 0
    updated: int = 0
    skipped: int = 0
    refused: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    error_count: int = 0
    preview: list = field(default_factory=list)
    log: list = field(default_factory=list)  # (pk, repr, ADDITION or CHANGE) for the admin

    @property
    def ok(self) -> bool:
        return not self.refused and not self.error_count

    @property
    def saved(self) -> bool:
        return self.ok and not self.dry_run

    def add_error(self, error: RowError):
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error)

    def summary(self) -> str:
        if self.refused:
            return _("%(file)s was refused; nothing was saved.") % {"file": self.file_name}
        if self.error_count:
            return ngettext(
                "%(file)s has %(count)d error; nothing was saved.",
                "%(file)s has %(count)d errors; nothing was saved.",
                self.error_count,
            ) % {"file": self.file_name, "count": self.error_count}
        counts = {
            "file": self.file_name,
            "new": self.new,
            "updated": self.updated,
            "skipped": self.skipped,
        }
        if self.dry_run:
            return (
                _("%(file)s (dry run): %(new)d new, %(updated)d changed, %(skipped)d unchanged.")
                % counts
            )
        return _("%(file)s: %(new)d new, %(updated)d changed, %(skipped)d unchanged.") % counts

    def messages(self) -> list[str]:
        """Everything wrong, file first, then each error by row and column."""
        errors = sorted(self.errors, key=lambda error: error.position)
        lines = [*self.refused, *(str(error) for error in errors)]
        hidden = self.error_count - len(self.errors)
        if hidden > 0:
            lines.append(
                ngettext("… and %(count)d more error.", "… and %(count)d more errors.", hidden)
                % {"count": hidden}
            )
        return lines


def cell_limit(column) -> int:
    field = getattr(column, "field", None)
    if isinstance(field, models.CharField) and field.max_length and not field.choices:
        return field.max_length
    return MAX_CELL_CHARS


def too_long(length: int, limit: int) -> str:
    return _("This cell holds %(length)s characters; at most %(limit)s fit here.") % {
        "length": f"{length:,}",
        "limit": f"{limit:,}",
    }


def change_reason(file_name: str) -> str:
    # simple_history keeps 100 characters of a reason.
    return (_("Import %(file)s") % {"file": file_name})[:100]


def import_records(
    spec,
    stream,
    *,
    file_name: str,
    user=None,
    dry_run: bool = False,
    progress=None,
    batch_size: int = BATCH,
    keep_log: bool = False,
    checked_to=None,
) -> Outcome:
    """Import a binary stream (CSV, XLSX or JSON) of `spec`'s records.

    `progress(rows, fraction)` is called every PROGRESS_ROWS rows read, between checking a
    batch and writing it, between its writes, after each batch and at the end; `keep_log`
    keeps (pk, repr, action) of every record written, for the admin's log. A preview given a
    binary file as `checked_to` writes there what it checked, for import_checked to write
    once confirmed: the file read and parsed once, not twice (see Run.keeps_checked).
    """
    if not isinstance(spec, Spec):
        spec = spec_for(spec)
    outcome = Outcome(file_name=file_name, spec=spec, dry_run=dry_run)
    try:
        table = open_table(stream)
        if not table.headers:
            return outcome  # a JSON list of no records
        columns = spec.match(table.headers)
    except Refused as refusal:
        outcome.refused = refusal.messages
        return outcome
    outcome.headers = [c.header for c in columns] if table.is_workbook else table.headers
    with transaction.atomic(), _young_collections() as collect:
        _check_references_as_written()
        run = Run(spec, outcome, columns, user=user, file_name=file_name, keep_log=keep_log)
        if checked_to is not None and run.keeps_checked():
            run.checked_to = checked_to
        if progress:  # a batch's checks and its writes each take a while
            run.tell = lambda: progress(outcome.rows, table.progress())
        if not table.is_workbook:
            # Errors name a column as the file does (共享诉求数据量), not as we export it.
            run.headers = {c.key: h for c, h in zip(columns, table.headers, strict=True)}
        try:
            for raw in table.rows:
                outcome.rows += 1
                run.add(raw)
                flushed = len(run.batch) >= (spec.batch_size or batch_size)
                if flushed:
                    run.flush()
                    collect()
                if progress and (flushed or outcome.rows % PROGRESS_ROWS == 0):
                    progress(outcome.rows, table.progress())
            if progress:  # the whole file read (and closed, when a workbook's)
                run.tell = lambda: progress(outcome.rows, 1.0)
            run.flush()
        except Refused as refusal:
            outcome.refused = refusal.messages
        if progress:
            progress(outcome.rows, 1.0)
        if run.checked_to is not None and outcome.ok:
            pickle.dump(outcome_counts(outcome), run.checked_to, pickle.HIGHEST_PROTOCOL)
        if not outcome.saved:
            transaction.set_rollback(True)
    return outcome


def outcome_counts(outcome) -> dict:
    """Rows read, new, changed and unchanged: a job's result, and the end of a checked file."""
    return {name: getattr(outcome, name) for name in ("rows", "new", "updated", "skipped")}


def import_checked(spec, stream, *, file_name: str, user=None, progress=None, keep_log=False):
    """Write what a preview checked (import_records with `checked_to`), read from `stream`:
    each batch once every stored record it read is as it was, its report still a draft, the
    records it refers to still there and the keys it creates still free. The Outcome, or None
    with nothing written when one is not (then the file is to be imported afresh)."""
    if not isinstance(spec, Spec):
        spec = spec_for(spec)
    outcome = Outcome(file_name=file_name, spec=spec)
    size = os.fstat(stream.fileno()).st_size or 1
    try:
        with transaction.atomic(), _young_collections() as collect:
            _check_references_as_written()
            run = Run(spec, outcome, [], user=user, file_name=file_name, keep_log=keep_log)
            if progress:
                run.tell = lambda: progress(outcome.rows, stream.tell() / size)
            while not isinstance(batch := _load(stream), dict):
                run.write_checked(batch)
                outcome.rows = batch.rows
                collect()
                run.tell()
            for name, value in batch.items():  # the preview's counts, at the end
                setattr(outcome, name, value)
    except (Stale, Refused):
        return None
    if progress:
        progress(outcome.rows, 1.0)
    return outcome


def _load(stream):
    try:
        return pickle.load(stream)
    except Exception as error:  # a file cut short (a worker killed), or of other code
        raise Stale(error) from error


def _check_references_as_written():
    """PostgreSQL checks Django's foreign keys (deferrable, initially deferred) at the commit:
    for a large import, seconds with no progress told, after the last batch. Checked as each
    batch is written they cost the same, while progress is told, and a refused reference is
    the batch's error."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@contextmanager
def _young_collections():
    """Garbage collection by batch, of the young objects only. Left automatic, Python's
    collector walks the file's long-lived keys and lookups again and again as they grow:
    a third of a large import's time. Collected after each batch, cycles (a caught error's
    traceback) still go."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield lambda: gc.collect(1)
    finally:
        if enabled:
            gc.enable()


class Run:
    def __init__(self, spec, outcome, columns, *, user, file_name, keep_log):
        self.spec, self.outcome, self.columns = spec, outcome, columns
        self.model = spec.model
        self.user = user
        self.reason = change_reason(file_name)
        self.date = timezone.now()
        self.keep_log = keep_log
        self.lookups = Lookups()
        self.headers = {}
        self.written = {name for column in columns for name in column.fields}
        self.batch = []
        # Told when a batch is checked and between its writes (records, history, links): on
        # PostgreSQL each takes up to half a second, and a job's page should see it move.
        self.tell = lambda: None
        self.writing = True  # until the first error
        # A preview checks every row as the import will, but writes nothing (half an import's
        # time), unless later rows may name what earlier ones create (regions: Spec.written).
        self.checks_only = outcome.dry_run and type(spec).written is Spec.written
        self.scopes = set()
        self.identities = {}  # identity fields → {key: pk}
        self.in_file = {}  # identity → (position, row number) of the row that names it
        self.uniques = constraints.unique_constraints(self.model)
        self.unique = {c.name: {} for c in self.uniques}
        self.reports = {}  # pk → report, locked, its status checked
        self.concrete = [f for f in self.model._meta.concrete_fields if not f.primary_key]
        self.attnames = {f.name: f.attname for f in self.concrete}
        self.relations = [f for f in self.concrete if f.is_relation]
        self.m2m_fields = list(self.model._meta.many_to_many)
        self.history_model = get_history_manager_for_model(self.model).model
        self.history_m2m = getattr(self.history_model, "_history_m2m_fields", [])
        self.cell_limits = {column.key: cell_limit(column) for column in columns}
        self.by_batch = self._loads_by_batch()
        self.checked_to = None  # a preview's file of checked batches (Checked)
        self.references = set()  # (field, pk) found stored, by write_checked

    # Reading

    def add(self, raw):
        row = RowState(raw)
        row.position = self.outcome.rows
        for column, text in zip(self.columns, raw.cells, strict=False):
            row.cells[column.key] = text
            limit = self.cell_limits[column.key]
            if isinstance(text, str) and len(text) > limit:
                row.cells[column.key] = text[:40] + "…"
                row.error(column.key, too_long(len(text), limit))
                continue
            try:
                column.parse(text, row, self.lookups)
            except ValueError as error:
                row.error(column.key, error)
        self.spec.finish(row, self.lookups)
        if row.optional and self.spec.scope and self.spec.scope not in row.values:
            return  # a blank cell of a template whose report is not added yet
        report = row.values.get("report")
        if report is not None and not row.errors:
            self._check_report(report)
        if row.errors:
            self._errors(row, row.errors)
            return
        self.batch.append(row)

    def _check_report(self, report):
        if report.pk in self.reports:
            return
        # Locked until the import ends: nobody publishes it meanwhile.
        report = AnnualReport.private_objects.select_for_update().get(pk=report.pk)
        try:
            report.ensure_editable()
        except ReportLocked as locked:
            raise Refused(*locked.messages, _("Nothing was saved.")) from None
        self.reports[report.pk] = report

    def _errors(self, row, errors):
        for where, message in errors:
            self.outcome.add_error(
                RowError(
                    row.number, self._column_label(row, where), message, row.sheet, row.position
                )
            )
        self.writing = False

    def _column_label(self, row, where):
        if where in row.labels:
            return row.labels[where]
        column = self.spec.by_key.get(where)
        if column is None or column.key not in self.headers:
            column = next((c for c in self.columns if where in c.fields), column)
        if column is not None:
            return self.headers.get(column.key, column.header)
        try:
            return str(self.model._meta.get_field(where).verbose_name)
        except FieldDoesNotExist:
            return ""

    # Validating and writing, a batch at a time

    def flush(self):
        rows, self.batch = self.batch, []
        if not rows:
            return
        identities = []
        for row in rows:
            identity = self.spec.identity_of(row.values)
            if identity is None:
                row.error(self.spec.identity[-1], _("This row does not say which record it is."))
            identities.append(identity)
            if not self.by_batch:
                self._load_scope(row.values.get(self.spec.scope) if self.spec.scope else None)
        if self.by_batch:
            self._load_keys(identities)
        existing_pks = [
            self.identities[fields].get(key) for fields, key in filter(None, identities)
        ]
        instances = self.model._base_manager.in_bulk([pk for pk in existing_pks if pk])
        current_m2m = self._current_m2m(instances)
        stored = {}  # as read, for a preview that keeps what it checked
        if self.checked_to is not None:
            stored = {pk: self._snapshot(instance) for pk, instance in instances.items()}

        creates, updates, update_fields, m2m_sets = [], [], set(), {}
        for row, identity in zip(rows, identities, strict=True):
            if row.errors:
                self._errors(row, row.errors)
                continue
            fields, key = identity
            pk = self.identities[fields].get(key)
            instance = instances.get(pk) if pk else None
            if instance is None and row.optional:
                continue  # a blank cell of a template: not entered
            here = (row.position, row.number)
            first = here if None in key else self.in_file.setdefault(identity, here)
            if first != here:
                message = _("The same record as row %(row)s.") % {"row": first[1]}
                self._errors(row, [(fields[-1], message)])
                continue
            result = self._apply(row, instance, current_m2m)
            if result is None:
                continue
            instance, changed, m2m = result
            if instance.pk is None:
                creates.append(instance)
                import_type = NEW
            elif changed or m2m:
                updates.append(instance)
                update_fields |= changed
                import_type = UPDATE
            else:
                import_type = SKIP
            if m2m or (instance.pk is None and self.m2m_fields):
                m2m_sets[id(instance)] = m2m or {}
            self._count(row, import_type, changed | set(m2m or ()))
        if self.writing and not self.checks_only and (creates or updates):
            self.tell()
            self._write(creates, updates, update_fields, m2m_sets, current_m2m)
        if self.writing and self.checked_to is not None and (creates or updates or stored):
            links = [
                (obj, m2m_sets[id(obj)]) for obj in [*creates, *updates] if id(obj) in m2m_sets
            ]
            checked = Checked(
                self.columns_now(), self.outcome.rows, creates, updates, update_fields, links,
                stored, current_m2m,
            )  # fmt: skip
            pickle.dump(checked, self.checked_to, pickle.HIGHEST_PROTOCOL)

    def keeps_checked(self) -> bool:
        """Whether a preview's checked batches can be written later as they are: when it
        writes nothing, and its records' only unique key is the identity (by_batch), so that a
        key still free when written is what the preview checked."""
        return self.checks_only and self.by_batch

    def columns_now(self) -> tuple:
        return tuple(field.attname for field in self.concrete)

    def write_checked(self, batch: Checked):
        """Write a preview's batch (Checked), or raise Stale, nothing of it written, when what
        it checked has changed since."""
        if batch.fields != self.columns_now():
            raise Stale("the model changed")
        objects = [*batch.creates, *batch.updates]
        for relation in self.relations:
            wanted = {getattr(obj, relation.attname) for obj in objects} - {None}
            self._still_stored(relation, wanted)
            if relation.related_model is AnnualReport:
                for pk in wanted:
                    self._check_report(AnnualReport(pk=pk))  # locked, still a draft
        for relation in self.m2m_fields:
            self._still_stored(
                relation, {pk for _, m2m in batch.m2m for pk in m2m.get(relation.name, ())}
            )
        now = self.model._base_manager.in_bulk(list(batch.stored))
        if {pk: self._snapshot(obj) for pk, obj in now.items()} != batch.stored:
            raise Stale("changed meanwhile")
        if self._current_m2m(now) != batch.current_m2m:
            raise Stale("links changed meanwhile")
        self.tell()
        m2m_sets = {id(obj): m2m for obj, m2m in batch.m2m}
        self._write(batch.creates, batch.updates, batch.update_fields, m2m_sets, batch.current_m2m)
        if not self.writing:  # a key created meanwhile, say: the identity's unique index
            raise Stale("refused by the database")

    def _still_stored(self, relation, pks):
        """Raise Stale unless every record of `pks` that `relation` refers to is stored."""
        new = {pk for pk in pks if (relation.name, pk) not in self.references}
        found = relation.related_model._base_manager.filter(pk__in=new).values_list("pk")
        if len(found) != len(new):
            raise Stale(relation.name)
        self.references |= {(relation.name, pk) for pk in new}

    def _loads_by_batch(self) -> bool:
        """Whether the keys of the lines a batch names can be loaded, rather than those of
        every stored record of the reports the file touches (in the bench, 200,000 keys: the
        admin job's worker peaked at 274 MB with them, 185 MB without): when the identity, of
        fields never NULL, is the model's only unique key. A key no row of the file has set
        then reads the same in the database at any time, and the keys in memory win for the
        others, as when loaded at the start."""
        identity = tuple(self.spec.identity)
        return (
            self.spec.alternatives() == [self.spec.identity]
            and len(self.uniques) == 1
            and self.uniques[0].condition is None
            and tuple(self.uniques[0].fields) == identity
            and not any(self.model._meta.get_field(name).null for name in identity)
        )

    def _load_keys(self, identities):
        fields = tuple(self.spec.identity)
        index = self.identities.setdefault(fields, {})
        keys = self.unique[self.uniques[0].name]
        wanted = {
            identity[1]
            for identity in filter(None, identities)
            if None not in identity[1] and identity[1] not in index and identity[1] not in keys
        }
        for pk, *values in stored_keys(self.model, fields, list(wanted)):
            index.setdefault(tuple(values), pk)
            keys.setdefault(tuple(values), pk)

    def _load_scope(self, scope):
        scope_pk = scope.pk if isinstance(scope, models.Model) else scope
        if scope_pk in self.scopes:
            return
        self.scopes.add(scope_pk)
        base = self.model._base_manager.order_by()
        if self.spec.scope:
            base = base.filter(**{self.spec.scope: scope_pk})
        loaded = {}
        for fields in self.spec.alternatives():
            attnames = [self.model._meta.get_field(name).attname for name in fields]
            index = self.identities.setdefault(tuple(fields), {})
            rows = list(base.values_list("pk", *attnames))
            loaded[tuple(fields)] = rows
            for pk, *values in rows:
                index[tuple(values)] = pk
        for constraint in self.uniques:
            rows = None if constraint.condition else loaded.get(tuple(constraint.fields))
            if rows is None:  # the identity's own rows serve a constraint on the same fields
                query = base.filter(constraint.condition) if constraint.condition else base
                attnames = [self.model._meta.get_field(n).attname for n in constraint.fields]
                rows = query.values_list("pk", *attnames)
            keys = self.unique[constraint.name]
            for pk, *values in rows:
                if None not in values:
                    keys[tuple(values)] = pk

    def _current_m2m(self, instances):
        """{field name: {pk: [(through pk, related pk)]}} of the records about to change."""
        current = {}
        if not instances or not self.m2m_fields:
            return current
        for m2m_field in self.m2m_fields:
            through = m2m_field.remote_field.through
            source = m2m_field.m2m_field_name() + "_id"
            target = m2m_field.m2m_reverse_field_name() + "_id"
            pairs = current.setdefault(m2m_field.name, {})
            rows = through.objects.filter(**{f"{source}__in": list(instances)}).order_by("pk")
            for through_pk, owner, related in rows.values_list("pk", source, target):
                pairs.setdefault(owner, []).append((through_pk, related))
        return current

    def _apply(self, row, instance, current_m2m):
        """Set the row on its record and validate it: (record, changed fields, changed m2m)."""
        new = instance is None
        if new:
            instance = self.spec.new_instance()
        before = self._snapshot(instance)
        old_keys = {} if new else self._unique_keys(instance)
        for name, value in row.values.items():
            setattr(instance, name, value)
        errors = self._validate(instance)
        if errors:
            self._errors(row, errors)
            return None
        for constraint in self.uniques:
            key = constraints.unique_key(constraint, instance)
            keys = self.unique[constraint.name]
            owner = keys.get(key) if key is not None else None
            if owner is not None and owner != instance.pk:
                if isinstance(owner, tuple):
                    message = _("The same record as row %(row)s.") % {"row": owner[0]}
                else:
                    message = constraints.unique_message(constraint, instance)
                self._errors(row, [(constraint.fields[-1], message)])
                return None
        for constraint in self.uniques:
            keys = self.unique[constraint.name]
            old = old_keys.get(constraint.name)
            if old is not None and keys.get(old) == instance.pk:
                del keys[old]
            key = constraints.unique_key(constraint, instance)
            if key is not None:
                keys[key] = instance.pk or (row.number,)
        after = self._snapshot(instance)
        changed = {
            f.attname for f, a, b in zip(self.concrete, before, after, strict=True) if a != b
        }
        m2m = {}
        for name, records in row.m2m.items():
            wanted = [record.pk for record in records]
            had = [related for _pk, related in current_m2m.get(name, {}).get(instance.pk, [])]
            if new or sorted(wanted) != sorted(had):
                m2m[name] = wanted
        return instance, (set() if new else changed), m2m

    def _snapshot(self, instance):
        return tuple(getattr(instance, f.attname) for f in self.concrete)

    def _unique_keys(self, instance):
        return {c.name: constraints.unique_key(c, instance) for c in self.uniques}

    def _validate(self, instance):
        """The model's own validation, in Python: fields, clean(), check constraints."""
        exclude = {f.name for f in self.relations if getattr(instance, f.attname) is not None}
        errors = {}
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            errors = {name: list(messages) for name, messages in error.message_dict.items()}
        for names, message in constraints.validate_checks(instance):
            # Under a field the file has a column for (数值 rather than the copied kind).
            name = next((n for n in names if n in self.written), names[0] if names else "")
            errors.setdefault(name or "__all__", []).append(message)
        return [
            ("" if name == "__all__" else name, message)
            for name, messages in errors.items()
            for message in messages
        ]

    def _count(self, row, import_type, changed):
        outcome = self.outcome
        if import_type == NEW:
            outcome.new += 1
        elif import_type == UPDATE:
            outcome.updated += 1
        else:
            outcome.skipped += 1
        if len(outcome.preview) < PREVIEW_ROWS:
            marked = {
                index
                for index, column in enumerate(self.columns)
                if import_type == UPDATE
                and any(self.attnames.get(name, name) in changed for name in column.fields)
            }
            cells = [row.cells.get(column.key, "") for column in self.columns]
            outcome.preview.append(PreviewRow(row.number, import_type, cells, marked))

    def _write(self, creates, updates, update_fields, m2m_sets, current_m2m):
        try:
            # A savepoint: a refused batch leaves the transaction usable to read on.
            with transaction.atomic():
                if creates:
                    self.model._default_manager.bulk_create(creates)
                    self._write_related(creates, "+", m2m_sets, {})
                if updates:
                    if update_fields:
                        names = [f.name for f in self.concrete if f.attname in update_fields]
                        self.model._default_manager.bulk_update(updates, names)
                    self._write_related(updates, "~", m2m_sets, current_m2m)
                if (creates or updates) and self.model in freshness.REFERENCE_MODELS:
                    freshness.changed(freshness.REFERENCE)  # bulk writes tell no receiver
        except DatabaseError as error:
            self.writing = False
            self.outcome.add_error(
                RowError(None, "", _("The database refused the file: %(error)s") % {"error": error})
            )
            return
        self.spec.written([*creates, *updates], self.lookups)
        if self.keep_log:
            log = self.outcome.log
            log.extend((obj.pk, str(obj)[:200], ADDITION) for obj in creates)
            log.extend((obj.pk, str(obj)[:200], CHANGE) for obj in updates)

    def _write_related(self, objects, history_type, m2m_sets, current_m2m):
        """After the records: their history, their links and the links' history, progress
        told between (each up to half a second on PostgreSQL)."""
        self.tell()
        records = self._history(objects, history_type)
        self.tell()
        links = self._set_m2m(objects, m2m_sets, current_m2m)
        self._m2m_history(objects, records, links)

    def _history(self, objects, history_type) -> list:
        """The history rows simple_history's bulk_history_create() writes for `objects`
        (tests/importing/test_history.py pins them equal to its own), made from the records'
        values, which the history's tracked fields copy, rather than a historical instance
        each: making and preparing those was four fifths of writing the history (about 3 s of
        a 100,000-row import). The importer's records carry none of the library's per-record
        overrides (_history_user, _change_reason, _history_date). Their keys, in order."""
        history = self.history_model
        connection = connections[router.db_for_write(history)]
        meta = history._meta
        fields = [meta.get_field(field.name) for field in history.tracked_fields]
        preparers = [preparer(field, connection) for field in fields]
        # Who, as the library takes it: the importing user, else the request's.
        user = self.user or history.get_default_history_user(objects[0])
        written = {
            "history_date": meta.get_field("history_date").get_db_prep_save(self.date, connection),
            "history_change_reason": self.reason,
            "history_type": history_type,
            "history_user_id": user.pk if user is not None else None,
        }
        attnames = [field.attname for field in fields] + list(written)
        unwritten = {f.attname for f in meta.concrete_fields if not f.primary_key} - set(attnames)
        if unwritten:
            raise ImproperlyConfigured(f"{meta.label}: the importer writes no {sorted(unwritten)}")
        after = list(written.values())
        rows = [[prepare(obj) for prepare in preparers] + after for obj in objects]
        return insert_rows(history, attnames, rows, returning=True)

    def _set_m2m(self, objects, m2m_sets, current_m2m):
        """Write the many-to-many rows that changed; {(field, pk): [(through pk, related)]},
        every record's links as they now are, for its history."""
        links = {}
        for m2m_field in self.m2m_fields:
            name = m2m_field.name
            through = m2m_field.remote_field.through
            source = m2m_field.m2m_field_name() + "_id"
            target = m2m_field.m2m_reverse_field_name() + "_id"
            replaced, added = [], []
            for obj in objects:
                wanted = m2m_sets.get(id(obj), {}).get(name)
                if wanted is None:
                    links[(name, obj.pk)] = current_m2m.get(name, {}).get(obj.pk, [])
                    continue
                if obj.pk in current_m2m.get(name, {}):
                    replaced.append(obj.pk)
                added.extend((obj.pk, pk) for pk in wanted)
            if replaced:
                through.objects.filter(**{f"{source}__in": replaced}).delete()
            pks = insert_rows(through, [source, target], added, returning=True)
            for through_pk, (owner, related) in zip(pks, added, strict=True):
                links.setdefault((name, owner), []).append((through_pk, related))
        return links

    def _m2m_history(self, objects, records, links):
        """simple_history's many-to-many history rows for `records`, the keys of the objects'
        history rows, written in bulk."""
        for m2m_field in self.history_m2m:
            history_model = HistoricalRecords.m2m_models[m2m_field]
            source = m2m_field.m2m_field_name() + "_id"
            target = m2m_field.m2m_reverse_field_name() + "_id"
            insert_rows(
                history_model,
                ["history_id", "id", source, target],
                [
                    (record, through_pk, obj.pk, related)
                    for obj, record in zip(objects, records, strict=True)
                    for through_pk, related in links.get((m2m_field.name, obj.pk), [])
                ],
            )


def stored_keys(model, fields, keys) -> list:
    """(pk, *values) of the stored records whose `fields`, a unique key, take one of `keys`, by
    a join on the keys as a table: each found through the unique index, where an OR of one
    term per report cost four times as much to compile as to run, and SQLite scans the whole
    index for a tuple IN."""
    if not keys:
        return []
    connection = connections[router.db_for_read(model)]
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in fields]
    columns = [quote(field.column) for field in fields]
    names = [f"key{i}" for i in range(len(fields))]
    join = " AND ".join(f"t.{c} = wanted.{n}" for c, n in zip(columns, names, strict=True))
    select = ", ".join(f"t.{c}" for c in [quote(model._meta.pk.column), *columns])
    table = quote(model._meta.db_table)
    joined = f"wanted JOIN {table} t ON {join}"
    if connection.vendor == "postgresql":
        # PostgreSQL plans the join as a hash of the whole table once it holds some thousands
        # of rows: a batch of 1,000 keys took 30-64 ms at 61,000 stored rows, and more as the
        # register grows. One look-up in the unique index a key (LIMIT 1 keeps the planner from
        # undoing it): 3.5-5 ms, whatever the table holds.
        joined = (
            f"wanted CROSS JOIN LATERAL (SELECT {select} FROM {table} t WHERE {join} LIMIT 1) t"
        )
    found = []
    with connection.cursor() as cursor:
        for values, params in rows_sql(connection, fields, keys):
            cursor.execute(
                f"WITH wanted ({', '.join(names)}) AS ({values}) SELECT {select} FROM {joined}",
                params,
            )
            found.extend(cursor.fetchall())
    return found
