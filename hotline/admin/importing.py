"""Import and export on every record list, through django-import-export's views and this
project's importer (hotline.importing): one implementation with the commands.

The upload is kept between preview and confirmation as an ImportUpload (hotline.importing.
uploads): stored under a random name in IMPORT_UPLOAD_DIR, found again only by its token for
the same user in the same session, removed once confirmed or refused. Nothing posted names a
file on the server.

A file of more than IMPORT_BACKGROUND_ROWS rows is not previewed in the request: it becomes an
ImportJob (hotline.importing.jobs), previewed and then imported by a worker, and the upload
page hands over to the job's page, where its progress shows and its owner confirms or cancels.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from import_export.admin import ExportActionMixin, ImportMixin
from import_export.formats import base_formats
from import_export.forms import ExportForm, ImportForm
from import_export.signals import post_export

from hotline.importing import jobs, uploads
from hotline.importing.columns import spec_for
from hotline.importing.resources import AnyFile, resource_for
from hotline.models import ImportJob
from hotline.uploads import validate_upload

from . import exports


class CheckedImportForm(ImportForm):
    """A file over the size limit, or not what its name claims, is refused before it is read."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        validate_upload(upload)
        return upload


class ConfirmUploadForm(forms.Form):
    """The confirmation names the kept upload by its token, and nothing else."""

    upload = forms.CharField(widget=forms.HiddenInput(), max_length=40)


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

    def import_action(self, request, **kwargs):
        """Upload and preview: the file is kept for the confirmation only if it would import."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_import_form(request)
        context = self.get_import_context_data()
        if request.method == "POST" and form.is_valid():
            upload = uploads.keep(
                form.cleaned_data["import_file"],
                user=request.user,
                session_key=self._session_key(request),
                spec=self.spec.name,
            )
            try:
                if uploads.more_rows_than(upload, settings.IMPORT_BACKGROUND_ROWS):
                    job = jobs.start(upload, user=request.user)
                    return redirect("admin:hotline_importjob_change", job.pk)
                result = self._run(request, upload, dry_run=True)
            except BaseException:
                uploads.discard(upload)
                raise
            context["result"] = result
            if result.outcome.ok:
                uploads.previewed(upload, result.outcome)
                context["confirm_form"] = ConfirmUploadForm(initial={"upload": upload.token})
            else:
                uploads.discard(upload)
        resource = self.get_import_resource_classes(request)[0]()
        context.update(self.admin_site.each_context(request))
        context.update(
            title=_("Import"),
            form=form,
            opts=self.model._meta,
            media=self.media + form.media,
            fields_list=[
                (
                    resource.get_display_name(),
                    [f.column_name for f in resource.get_user_visible_fields()],
                )
            ],
            also_read=[column.header for column in self.spec.import_only_columns],
            import_error_display=self.import_error_display,
            background_rows=f"{settings.IMPORT_BACKGROUND_ROWS:,}",
        )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """Confirm: import the upload this user kept in this session, once, then remove it."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        upload = uploads.claim(
            request.POST.get("upload"),
            user=request.user,
            session_key=request.session.session_key,
            spec=self.spec.name,
        )
        if upload is None:
            messages.error(
                request,
                _(
                    "This import cannot be confirmed: its upload does not exist, has expired "
                    "or was made by someone else. Upload the file again."
                ),
            )
            return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")
        try:
            result = self._run(request, upload, dry_run=False)
        finally:
            uploads.discard(upload)
        return self.process_result(result, request)

    def _run(self, request, upload, *, dry_run):
        """The import of a kept upload, as django-import-export's Result; a file longer than
        one request can import is refused before any row is checked."""
        refused = uploads.check_rows(upload, settings.IMPORT_MAX_ROWS) if dry_run else None
        resource = resource_for(self.spec)()
        if refused is not None:
            return resource.refused(upload.file_name, refused)
        return resource.import_data(
            upload, dry_run=dry_run, file_name=upload.file_name, user=request.user
        )

    @staticmethod
    def _session_key(request):
        if not request.session.session_key:
            request.session.save()
        return request.session.session_key

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
        jobs.write_admin_log(result.outcome, request.user)

    def get_valid_export_item_pks(self, request):
        return self.get_export_queryset(request).values_list("pk", flat=True)

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        if not self.has_export_permission(request):
            raise PermissionDenied
        fmt = file_format.get_extension()
        response = exports.response(self, request, queryset, fmt, export_form)
        post_export.send(sender=None, model=self.model)
        return response


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Staff's background imports (hotline.importing.jobs): each sees their own, with state,
    rows and duration; a job's page shows its progress, its preview, confirm and cancel."""

    list_display = ["file_name", "kind", "state", "step", "rows_read", "created_at", "seconds"]
    list_filter = ["state"]
    list_display_links = ["file_name"]
    ordering = ["-created_at"]

    @admin.display(description=gettext_lazy("kind of record"))
    def kind(self, job):
        return _spec_label(job.spec)

    def get_list_display(self, request):
        if request.user.is_superuser:
            return [*self.list_display, "user"]
        return self.list_display

    def get_queryset(self, request):
        jobs_ = super().get_queryset(request).select_related("user")
        return jobs_ if request.user.is_superuser else jobs_.filter(user=request.user)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        if not (request.user.is_active and request.user.is_staff):
            return False
        return obj is None or obj.user_id == request.user.pk or request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:job_id>/status/", view(self.status_view), name="hotline_importjob_status"),
            path("<int:job_id>/cancel/", view(self.cancel_view), name="hotline_importjob_cancel"),
            path(
                "<int:job_id>/confirm/", view(self.confirm_view), name="hotline_importjob_confirm"
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        jobs.notice_stale()
        return super().changelist_view(request, extra_context)

    def _job(self, request, job_id) -> ImportJob:
        job = self.get_queryset(request).filter(pk=job_id).first()
        if job is None or not self.has_view_permission(request, job):
            raise Http404
        jobs.notice_stale([job])
        job.refresh_from_db()
        return job

    def change_view(self, request, object_id, form_url="", extra_context=None):
        try:
            job = self._job(request, int(object_id))
        except ValueError:
            raise Http404 from None
        result = job.result or {}
        preview = [
            {"number": n, "import_type": kind, "cells": cells, "changed": set(changed)}
            for n, kind, cells, changed in result.get("preview", [])
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import of %(file)s") % {"file": job.file_name},
            "opts": self.opts,
            "job": job,
            "kind": _spec_label(job.spec),
            "status": status(job),
            "result": result,
            "preview": preview,
            "may_confirm": job.state == ImportJob.WAITING and may_import(request.user, job),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/hotline/importjob/progress.html", context)

    def status_view(self, request, job_id):
        return JsonResponse(status(self._job(request, job_id)))

    @method_decorator(require_POST)
    def cancel_view(self, request, job_id):
        job = self._job(request, job_id)
        if jobs.cancel(job):
            messages.info(request, _("The import is being cancelled; nothing will be saved."))
        return redirect("admin:hotline_importjob_change", job.pk)

    @method_decorator(require_POST)
    def confirm_view(self, request, job_id):
        job = self._job(request, job_id)
        if not may_import(request.user, job):
            raise PermissionDenied
        if not jobs.confirm(job):
            messages.error(request, _("This import is not waiting for confirmation."))
        return redirect("admin:hotline_importjob_change", job.pk)


def _spec_label(name) -> str:
    try:
        return str(spec_for(name).model._meta.verbose_name_plural)
    except KeyError:
        return name


def may_import(user, job) -> bool:
    opts = spec_for(job.spec).model._meta
    return job.user_id == user.pk and user.has_perms(
        [f"{opts.app_label}.add_{opts.model_name}", f"{opts.app_label}.change_{opts.model_name}"]
    )


def status(job: ImportJob) -> dict:
    """What the job's page shows, and its script polls: state, rows, rate and time left."""
    read = jobs.progress(job)
    rows, fraction = read.get("rows", 0), read.get("fraction", 0.0)
    total = job.rows_total
    if total is None and fraction > 0 and rows:
        total = round(rows / fraction)  # estimated from the bytes read
    if total:
        fraction = min(rows / total, 1.0) if job.state == ImportJob.RUNNING else fraction
    elapsed = (timezone.now() - job.started_at).total_seconds() if job.started_at else 0
    rate = rows / elapsed if job.state == ImportJob.RUNNING and elapsed > 0 else None
    left = (total - rows) / rate if rate and total and total >= rows else None
    return {
        "id": job.pk,
        "state": job.state,
        "state_label": str(job.get_state_display()),
        "step": job.step,
        "step_label": str(job.get_step_display()),
        "rows": rows,
        "total": total,
        "percent": round(100 * fraction, 1),
        "rate": round(rate) if rate else None,
        "seconds_left": round(left) if left is not None else None,
        "ended": job.ended,
        "cancelling": jobs.cancelling(job),
        "error": job.error,
    }
