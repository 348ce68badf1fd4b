"""The records behind section 二 (政风热线), 四 (policy documents) and 五 (data sharing)."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .catalogue import SharingMethod
from .regions import Department, Region
from .reports import AnnualReport, ReportRecordQuerySet


class LivestreamEpisode(models.Model):
    """One live broadcast of 政风热线, where county heads and bureau chiefs answer on air."""

    report = models.ForeignKey(
        AnnualReport,
        verbose_name=_("annual report"),
        on_delete=models.CASCADE,
        related_name="episodes",
    )
    number = models.PositiveSmallIntegerField(_("episode number"))
    aired_on = models.DateField(_("aired on"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    appeals_received = models.PositiveIntegerField(_("appeals received during the broadcast"))
    answered_on_air = models.PositiveIntegerField(_("appeals answered on air"))
    supervised_after = models.PositiveIntegerField(_("key appeals supervised after"))
    satisfaction_rate = models.DecimalField(
        _("handling satisfaction rate (%)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    hot_topics_published = models.PositiveIntegerField(_("hot topics published"), default=0)
    policy_qa_published = models.PositiveIntegerField(_("policy Q&A pairs published"), default=0)
    note = models.TextField(_("note"), blank=True)

    objects = ReportRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("live-broadcast episode")
        verbose_name_plural = _("live-broadcast episodes")
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "number"],
                name="episode_unique_number",
                violation_error_message=_("This report already has an episode with this number."),
            ),
            models.CheckConstraint(
                condition=Q(
                    appeals_received__gte=0, answered_on_air__gte=0, supervised_after__gte=0
                ),
                name="episode_counts_not_negative",
                violation_error_message=_("A count cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(satisfaction_rate__isnull=True)
                | Q(satisfaction_rate__gte=0, satisfaction_rate__lte=100),
                name="episode_rate_within_0_100",
                violation_error_message=_("A rate must be between 0 and 100."),
            ),
        ]

    def __str__(self):
        return f"{self.report} · {self.number}"


class EpisodeGuest(models.Model):
    """An official on air in an episode."""

    episode = models.ForeignKey(
        LivestreamEpisode,
        verbose_name=_("episode"),
        on_delete=models.CASCADE,
        related_name="guests",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=40, blank=True)
    position = models.CharField(_("position"), max_length=60, blank=True)
    is_principal = models.BooleanField(_("head of unit"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("official on air")
        verbose_name_plural = _("officials on air")
        ordering = ["episode", "-is_principal", "pk"]

    def __str__(self):
        return f"{self.department} {self.name}".strip()


class DataSharingRequest(models.Model):
    """A request for hotline data by other units, as a data-governance register keeps it."""

    report = models.ForeignKey(
        AnnualReport,
        verbose_name=_("annual report"),
        on_delete=models.CASCADE,
        related_name="sharing_requests",
    )
    group_number = models.PositiveSmallIntegerField(
        _("group number"), help_text=_("The circled number (①, ②, ...) of the printed table.")
    )
    line = models.PositiveIntegerField(_("line"), help_text=_("Order in the printed table."))
    region = models.ForeignKey(
        Region,
        verbose_name=_("administrative level"),
        on_delete=models.PROTECT,
        related_name="sharing_requests",
    )
    recipients = models.ManyToManyField(
        Department, verbose_name=_("recipients"), related_name="sharing_requests"
    )
    methods = models.ManyToManyField(
        SharingMethod, verbose_name=_("sharing methods"), related_name="sharing_requests"
    )
    scope = models.TextField(_("scope"), help_text=_("共享主题 as published."))
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period to"), null=True, blank=True)
    records = models.BigIntegerField(_("appeal records shared"))
    purpose = models.TextField(_("purpose"), blank=True)
    approval = models.CharField(
        _("approval"),
        max_length=200,
        blank=True,
        help_text=_("Who approved it, and the reference."),
    )
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = ReportRecordQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[recipients, methods])

    class Meta:
        verbose_name = _("data-sharing request")
        verbose_name_plural = _("data-sharing requests")
        ordering = ["report", "line"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "line"],
                name="sharing_unique_line",
                violation_error_message=_("This report already has a request on this line."),
            ),
            models.CheckConstraint(
                condition=Q(records__gte=0),
                name="sharing_records_not_negative",
                violation_error_message=_("A count cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_end__gte=F("period_start")),
                name="sharing_period_ends_after_start",
                violation_error_message=_("The period cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.report} · {self.line}"


class PolicyDocument(models.Model):
    """A rule, standard or circular issued for the hotline during the year (制度规范标准)."""

    report = models.ForeignKey(
        AnnualReport,
        verbose_name=_("annual report"),
        on_delete=models.CASCADE,
        related_name="policy_documents",
    )
    order = models.PositiveSmallIntegerField(_("display order"), default=0)
    title = models.TextField(_("title"))
    doc_number = models.CharField(_("document number (文号)"), max_length=60, blank=True)
    issuers = models.ManyToManyField(
        Department, verbose_name=_("issuers"), related_name="policy_documents"
    )
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    url = models.URLField(_("link"), blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = ReportRecordQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[issuers])

    class Meta:
        verbose_name = _("policy document")
        verbose_name_plural = _("policy documents")
        ordering = ["report", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "doc_number"],
                condition=~Q(doc_number=""),
                name="policy_unique_doc_number",
                violation_error_message=_("This report already lists a document with this number."),
            ),
        ]

    def __str__(self):
        return self.title[:60]
