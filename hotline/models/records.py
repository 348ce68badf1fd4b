"""The records behind section 二 (政风热线), 四 (policy documents) and 五 (data sharing)."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .bulk import History
from .catalogue import SharingMethod
from .regions import Department, Region
from .reports import AnnualReport, PublishedManager, ReportRecordQuerySet

# How a printed cell separates the units it names (共享部门, 印发单位).
PRINTED_SEPARATOR = "、"


def as_printed(printed: str, departments) -> list[tuple[str, Department]]:
    """Linked units paired with the name the report printed for each, in the printed order.

    The link is the unit's identity (search, joins, the API); the printed text kept beside it
    is how the row reads (省委巡视组 in one row, 江苏省委巡视组 in another; 盱眙县委政法委 before
    盱眙县公安局). The text is used only while it names exactly the linked units, each once, so
    that a link edited without it still shows every unit (by its usual name, in the units'
    order) rather than a stale text."""
    departments = list(departments)
    names = [n.strip() for n in printed.split(PRINTED_SEPARATOR) if n.strip()] if printed else []
    if len(names) == len(departments):
        left, pairs = list(departments), []
        for name in names:
            match = next((d for d in left if name in d.names), None)
            if match is None:
                break
            left.remove(match)
            pairs.append((name, match))
        else:
            return pairs
    return [(str(d), d) for d in departments]


def related(obj, name: str) -> list:
    """`obj.<name>.all()` as a list: the prefetched objects when there are (read without making
    a related manager, which costs more than the rest of a downloaded row), else a query."""
    cache = obj.__dict__.get("_prefetched_objects_cache")
    if cache is not None and name in cache:
        found = cache[name]
        return found if isinstance(found, list) else list(found)
    return list(getattr(obj, name).all())


def printed_text(names, departments) -> str:
    """What to keep as printed for units named `names` (in the file's order): nothing where the
    names and order are the units' usual ones, so that a re-imported export changes nothing."""
    usual = sorted(departments, key=lambda d: (d.region.order, d.name))
    if list(names) == [str(d) for d in usual]:
        return ""
    return PRINTED_SEPARATOR.join(names)


class LivestreamEpisode(models.Model):
    """One live broadcast of 政风热线, where county heads and bureau chiefs answer on air."""

    report = models.ForeignKey(
        AnnualReport,
        verbose_name=_("annual report"),
        on_delete=models.CASCADE,
        related_name="episodes",
    )
    number = models.PositiveSmallIntegerField(
        _("episode number"), help_text=_("Number of the episode in the year.")
    )
    aired_on = models.DateField(_("aired on"), help_text=_("Date of the broadcast."))
    title = models.CharField(
        _("title"), max_length=200, blank=True, help_text=_("Title of the episode.")
    )
    appeals_received = models.PositiveIntegerField(
        _("appeals received during the broadcast"),
        help_text=_("Appeals received during the broadcast, in cases (件)."),
    )
    answered_on_air = models.PositiveIntegerField(
        _("appeals answered on air"), help_text=_("Appeals answered on air, in cases (件).")
    )
    supervised_after = models.PositiveIntegerField(
        _("key appeals supervised after"),
        help_text=_("Key appeals supervised after the broadcast, in cases (件)."),
    )
    satisfaction_rate = models.DecimalField(
        _("handling satisfaction rate (%)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Handling satisfaction rate, in %."),
    )
    hot_topics_published = models.PositiveIntegerField(
        _("hot topics published"), default=0, help_text=_("Hot topics published, in items (条).")
    )
    policy_qa_published = models.PositiveIntegerField(
        _("policy Q&A pairs published"),
        default=0,
        help_text=_("Policy Q&A pairs published, in pairs (对)."),
    )
    note = models.TextField(_("note"), blank=True, help_text=_("Note on the episode."))

    private_objects = ReportRecordQuerySet.as_manager()
    public_objects = PublishedManager.from_queryset(ReportRecordQuerySet)()
    history = History()

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
    name = models.CharField(
        _("name"), max_length=40, blank=True, help_text=_("Name of the official, if printed.")
    )
    position = models.CharField(
        _("position"), max_length=60, blank=True, help_text=_("Position of the official (局长).")
    )
    is_principal = models.BooleanField(
        _("head of unit"), default=False, help_text=_("Whether the official heads the unit.")
    )

    history = History()

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
    recipients_printed = models.TextField(
        _("recipients as printed"),
        blank=True,
        help_text=_(
            "The recipients as the report prints them, in its order, separated by 、 "
            "(省委巡视组、淮阴区委巡察组); empty: the units' usual names."
        ),
    )
    scope = models.TextField(_("scope"), help_text=_("What was shared (共享主题), as published."))
    period_start = models.DateField(
        _("period from"),
        null=True,
        blank=True,
        help_text=_("First day of the period the data covers."),
    )
    period_end = models.DateField(
        _("period to"),
        null=True,
        blank=True,
        help_text=_("Last day of the period the data covers."),
    )
    records = models.BigIntegerField(
        _("appeal records shared"), help_text=_("Appeal records shared, in cases (件).")
    )
    purpose = models.TextField(_("purpose"), blank=True, help_text=_("What the data was for."))
    approval = models.CharField(
        _("approval"),
        max_length=200,
        blank=True,
        help_text=_("Who approved it, and the reference."),
    )
    delivered_on = models.DateField(
        _("delivered on"), null=True, blank=True, help_text=_("Date the data was delivered.")
    )
    note = models.TextField(_("note"), blank=True, help_text=_("How the printed row was read."))

    private_objects = ReportRecordQuerySet.as_manager()
    public_objects = PublishedManager.from_queryset(ReportRecordQuerySet)()
    history = History(m2m_fields=[recipients, methods])

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

    @property
    def level_as_printed(self) -> str:
        return self.region.level_as_printed

    @property
    def printed_recipients(self) -> list[tuple[str, Department]]:
        """(name as printed, unit) in the printed order (reads the prefetched recipients)."""
        return as_printed(self.recipients_printed, related(self, "recipients"))

    @property
    def recipients_as_printed(self) -> list[str]:
        return [name for name, _unit in self.printed_recipients]

    @property
    def recipients_in_order(self) -> list[Department]:
        return [unit for _name, unit in self.printed_recipients]


class PolicyDocument(models.Model):
    """A rule, standard or circular issued for the hotline during the year (制度规范标准)."""

    report = models.ForeignKey(
        AnnualReport,
        verbose_name=_("annual report"),
        on_delete=models.CASCADE,
        related_name="policy_documents",
    )
    order = models.PositiveSmallIntegerField(
        _("display order"), default=0, help_text=_("Order in the report.")
    )
    title = models.TextField(_("title"), help_text=_("Title as printed inside 《》."))
    doc_number = models.CharField(
        _("document number (文号)"),
        max_length=60,
        blank=True,
        help_text=_("Document number (文号), e.g. 淮政办函[2023]7号."),
    )
    issuers = models.ManyToManyField(
        Department, verbose_name=_("issuers"), related_name="policy_documents"
    )
    issuers_printed = models.TextField(
        _("issuers as printed"),
        blank=True,
        help_text=_(
            "The issuers as the report prints them, in its order, separated by 、; "
            "empty: the units' usual names."
        ),
    )
    issued_on = models.DateField(
        _("issued on"), null=True, blank=True, help_text=_("Date of issue.")
    )
    url = models.URLField(_("link"), blank=True, help_text=_("Link to the document."))
    note = models.TextField(_("note"), blank=True, help_text=_("Note on the document."))

    private_objects = ReportRecordQuerySet.as_manager()
    public_objects = PublishedManager.from_queryset(ReportRecordQuerySet)()
    history = History(m2m_fields=[issuers])

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

    @property
    def printed_issuers(self) -> list[tuple[str, Department]]:
        return as_printed(self.issuers_printed, related(self, "issuers"))

    @property
    def issuers_as_printed(self) -> list[str]:
        return [name for name, _unit in self.printed_issuers]

    @property
    def issuers_in_order(self) -> list[Department]:
        return [unit for _name, unit in self.printed_issuers]
