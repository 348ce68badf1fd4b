"""A file uploaded for import, kept on the server between the preview and the confirmation.

The file lives in IMPORT_UPLOAD_DIR under a random name; the record says whose it is (the user
and the session that uploaded it), what it is for and what its preview found. Nothing a
browser posts names a file on disk: the confirmation names this record, and it is found only
for the same user in the same session (hotline/importing/uploads.py).
"""

import secrets
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    return secrets.token_urlsafe(24)


def stored_path(stored_name: str) -> Path:
    """Where an uploaded file is kept: only ever under IMPORT_UPLOAD_DIR, by its random name."""
    return Path(settings.IMPORT_UPLOAD_DIR) / stored_name


class ImportUpload(models.Model):
    token = models.CharField(_("token"), max_length=40, unique=True, default=new_token)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="import_uploads",
    )
    session_key = models.CharField(_("session"), max_length=40)
    spec = models.CharField(
        _("kind of record"), max_length=40, help_text=_("What the file imports (its model).")
    )
    file_name = models.CharField(_("file name"), max_length=255, help_text=_("As uploaded."))
    stored_name = models.CharField(_("stored as"), max_length=64, unique=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True, db_index=True)
    previewed = models.JSONField(
        _("preview"),
        default=dict,
        blank=True,
        help_text=_("What the preview found: rows to create, change and leave alone."),
    )

    class Meta:
        verbose_name = _("import upload")
        verbose_name_plural = _("import uploads")
        ordering = ["-created_at"]

    def __str__(self):
        return self.file_name

    @property
    def path(self) -> Path:
        return stored_path(self.stored_name)

    def open(self):
        return self.path.open("rb")


class ImportJob(models.Model):
    """An import run in the background (hotline.importing.jobs): a preview, then, once its
    owner confirms, the import, each by a worker. The file is kept under `stored_name` until
    the job ends; one job per file, and each step runs once (its state moves by conditional
    updates), so a replayed confirmation or a task run twice never writes twice."""

    QUEUED, RUNNING, WAITING = "queued", "running", "waiting"
    DONE, FAILED, CANCELLED = "done", "failed", "cancelled"
    STATES = [
        (QUEUED, _("queued")),
        (RUNNING, _("running")),
        (WAITING, _("waiting for confirmation")),
        (DONE, _("done")),
        (FAILED, _("failed")),
        (CANCELLED, _("cancelled")),
    ]
    ENDED = (DONE, FAILED, CANCELLED)
    PREVIEW, IMPORT = "preview", "import"
    STEPS = [(PREVIEW, _("preview")), (IMPORT, _("import"))]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_jobs",
    )
    spec = models.CharField(_("kind of record"), max_length=40)
    file_name = models.CharField(_("file name"), max_length=255)
    stored_name = models.CharField(_("stored as"), max_length=64, unique=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    state = models.CharField(_("state"), max_length=10, choices=STATES, default=QUEUED)
    step = models.CharField(_("step"), max_length=10, choices=STEPS, default=PREVIEW)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    created_at = models.DateTimeField(_("started at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("running since"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    seconds = models.FloatField(_("duration (s)"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    # The worker speaks to its owner in the language of the page that started it.
    language = models.CharField(_("language"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]

    def __str__(self):
        return self.file_name

    @property
    def path(self) -> Path:
        return stored_path(self.stored_name)

    @property
    def ended(self) -> bool:
        return self.state in self.ENDED
