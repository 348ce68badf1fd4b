"""The bridge to django-import-export: its admin views (the upload form, the preview, the
confirm step, the export form and action) run this package's importer and exporter, so that
the admin and the commands share one implementation.

- `AnyFile` is the one import format: the kind of file and its encoding are detected from
  its bytes (readers, encodings), so staff choose nothing.
- The admin keeps an upload on disk (uploads.py, an ImportUpload) and hands it to
  import_data(), which streams it: a large file is never read into memory.
- `resource_for(spec)` is a ModelResource whose import_data() runs service.import_records
  and answers with django-import-export's Result (totals, preview rows, errors).
"""

import io
import os

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy
from import_export import fields, resources
from import_export.formats import base_formats
from import_export.results import Error, Result, RowResult

from . import exporting
from .columns import Spec, spec_for
from .service import Outcome, import_records


class AnyFile(base_formats.Format):
    """CSV, XLSX or JSON: which one, and in which encoding, is read from the file."""

    def __init__(self, encoding=None):
        self.encoding = None  # found in the file, never chosen

    def get_title(self):
        return gettext_lazy("CSV, XLSX or JSON (detected)")

    def create_dataset(self, in_stream):
        return in_stream

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def get_extension(self):
        return "csv"

    def can_import(self):
        return True


class RecordResource(resources.ModelResource):
    spec: Spec = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # The columns of an exported file, which the import and export pages list: a file
        # exported imports back as it is. (Columns read only are named beside, import page.)
        self.fields = {
            column.key: fields.Field(attribute=column.key, column_name=column.header)
            for column in self.spec.export_columns
        }

    @classmethod
    def get_display_name(cls):
        return str(cls.spec.model._meta.verbose_name_plural)

    def get_user_visible_fields(self):
        return list(self.fields.values())

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        """Import with service.import_records; django-import-export's Result for its views."""
        file_name = kwargs.get("file_name") or "import"
        user = kwargs.get("user")
        if isinstance(dataset, tablib.Dataset):
            stream = io.BytesIO(dataset.export("csv").encode("utf-8"))
        elif hasattr(dataset, "open"):  # an ImportUpload
            stream = dataset.open()
        else:
            stream = io.BytesIO(dataset)
        with stream:
            outcome = import_records(
                self.spec,
                stream,
                file_name=os.path.basename(file_name),
                user=user if getattr(user, "pk", None) else None,
                dry_run=dry_run,
                keep_log=not dry_run,
            )
        return as_result(outcome)

    def refused(self, file_name, message) -> Result:
        """The Result of a file refused before it was read (too many rows)."""
        return as_result(Outcome(file_name, self.spec, dry_run=True, refused=[message]))

    def export(self, queryset=None, **kwargs):
        if queryset is None:
            queryset = self.spec.model._default_manager.all()
        dataset = tablib.Dataset(headers=exporting.headers(self.spec))
        for values in exporting.rows(self.spec, queryset):
            dataset.append(values)
        return dataset


def as_result(outcome) -> Result:
    result = Result()
    result.outcome = outcome
    result.diff_headers = list(outcome.headers)
    result.total_rows = outcome.rows
    result.totals[RowResult.IMPORT_TYPE_NEW] = outcome.new
    result.totals[RowResult.IMPORT_TYPE_UPDATE] = outcome.updated
    result.totals[RowResult.IMPORT_TYPE_SKIP] = outcome.skipped
    for message in outcome.refused:
        result.append_base_error(Error(ValueError(message)))
    for error in outcome.errors:
        field = error.column or NON_FIELD_ERRORS
        result.append_invalid_row(error.row or 0, {}, ValidationError({field: [str(error)]}))
    if outcome.error_count and not outcome.errors:
        result.append_base_error(Error(ValueError(outcome.summary())))
    for row in outcome.preview:
        row_result = RowResult()
        row_result.import_type = row.import_type
        row_result.diff = row.cells
        result.append_row_result(row_result)
    return result


_RESOURCES = {}


def resource_for(spec) -> type[RecordResource]:
    spec = spec if isinstance(spec, Spec) else spec_for(spec)
    if spec.name not in _RESOURCES:
        meta = type("Meta", (), {"model": spec.model, "fields": ()})
        _RESOURCES[spec.name] = type(RecordResource)(
            f"{spec.model.__name__}Resource", (RecordResource,), {"Meta": meta, "spec": spec}
        )
    return _RESOURCES[spec.name]
