"""Import and export on every record list, through django-import-export's views and this
project's importer (hotline.importing): one implementation with the commands."""

import os
import tempfile

from django.contrib import messages
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from import_export.admin import ExportActionMixin, ImportMixin
from import_export.formats import base_formats
from import_export.forms import ExportForm, ImportForm
from import_export.signals import post_export

from hotline.importing import exporting
from hotline.importing.resources import AnyFile, UploadStorage, resource_for
from hotline.importing.service import change_reason
from hotline.uploads import validate_upload


class CheckedImportForm(ImportForm):
    """A file over the size limit, or not what its name claims, is refused before it is read."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        validate_upload(upload)
        return upload


class RecordImportExportMixin(ImportMixin, ExportActionMixin):
    """Import (preview, then confirm) and export of what the list shows or what is selected.

    Set `import_spec` to the model name of hotline.importing.columns.SPECS.
    """

    import_spec = None
    import_template_name = "admin/hotline/import.html"
    import_export_change_list_template = "admin/import_export/change_list_import_export.html"
    import_formats = [AnyFile]
    import_form_class = CheckedImportForm
    export_formats = [base_formats.CSV, base_formats.XLSX, base_formats.JSON]
    export_form_class = ExportForm
    tmp_storage_class = UploadStorage
    # The project's own change forms (and their object tools) stay as they are.
    show_change_form_export = False
    change_form_template = None

    @property
    def spec(self):
        return resource_for(self.import_spec or self.model._meta.model_name).spec

    def get_resource_classes(self, request):
        return [resource_for(self.spec)]

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def write_to_tmp_storage(self, import_file, input_format):
        # Chunk by chunk to disk: a large upload is never held in memory.
        with tempfile.NamedTemporaryFile(delete=False, dir=tempfile.gettempdir()) as out:
            for chunk in import_file.chunks():
                out.write(chunk)
        return self.get_tmp_storage_class()(name=os.path.basename(out.name), read_mode="rb")

    def process_result(self, result, request):
        outcome = result.outcome
        if not outcome.saved:
            # Changed since the preview (a report published meanwhile): nothing was saved.
            for line in [outcome.summary(), *outcome.messages()[:20]]:
                messages.error(request, line)
            return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")
        return super().process_result(result, request)

    def generate_log_entries(self, result, request):
        if self.get_skip_admin_log():
            return
        outcome = result.outcome
        content_type = ContentType.objects.get_for_model(self.model)
        message = change_reason(outcome.file_name)
        LogEntry.objects.bulk_create(
            (
                LogEntry(
                    user_id=request.user.pk,
                    content_type=content_type,
                    object_id=str(pk),
                    object_repr=text,
                    action_flag=flag,
                    change_message=message,
                )
                for pk, text, flag in outcome.log
            ),
            batch_size=500,
        )

    def get_valid_export_item_pks(self, request):
        return self.get_export_queryset(request).values_list("pk", flat=True)

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        if not self.has_export_permission(request):
            raise PermissionDenied
        response = exporting.response(self.spec, queryset, file_format.get_extension())
        post_export.send(sender=None, model=self.model)
        return response
