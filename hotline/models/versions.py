"""When what the public sees last changed, per scope: the version behind every published page's
ETag, Last-Modified, "最后更新" and page-cache key (hotline.freshness reads and moves it)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PublishedVersion(models.Model):
    """One scope of public data and the version it is at.

    Scopes: "reference" (regions, departments, the catalogue, the check rules), "reports"
    (every published report) and "city:<slug>" (one city's published reports). Published
    records cannot change without their report being reopened, so only a publish, a reopen, a
    reference edit or a bulk load moves a version; editing a draft never does.
    """

    scope = models.CharField(_("public data scope"), max_length=80, primary_key=True)
    token = models.CharField(
        _("version"),
        max_length=32,
        help_text=_("Random on every change, so that a restored backup never reuses a version."),
    )
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("published data version")
        verbose_name_plural = _("published data versions")
        ordering = ["scope"]

    def __str__(self):
        return f"{self.scope} {self.token[:8]}"
