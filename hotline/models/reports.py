from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from hotline.importing.constraints import validate_checks
from hotline.numbers import download_cell
from hotline.roles import sees_drafts

from .bulk import History, PlainInsertQuerySet
from .catalogue import AppealCategory, Indicator
from .regions import Department, Region

COUNT_MAX_DIGITS = 18
# The years a report may have: the model's constraint, and the bounds of every year taken from
# a URL or a query string (reports/urls.py, api/filters.py), so that nothing else reaches a
# query.
REPORT_YEARS = range(2000, 2101)
MAX_POPULATION = 100_000_000


def printed(number: Decimal | None, decimals: int) -> Decimal | None:
    """A number with the decimals it was printed with (92.30, not 92.3000)."""
    return None if number is None else number.quantize(Decimal(1).scaleb(-decimals))


class ReportLocked(ValidationError):
    """A report that is not a draft was about to change: the one refusal, with one message,
    whoever tries (admin, figure grid, bulk actions, importer, API, code)."""

    def __init__(self, report):
        super().__init__(
            _(
                "%(report)s is %(status)s: only a draft report's figures and records can "
                "change. A reviewer can reopen it as a draft."
            )
            % {"report": report, "status": report.get_status_display()},
            code="report_locked",
        )
        self.report = report


class PublishedManager(models.Manager):
    """Published reports, or the records of published reports: what the public may read."""

    def get_queryset(self):
        return super().get_queryset().published()


class AnnualReportQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=AnnualReport.Status.PUBLISHED)

    def visible_to(self, user):
        """Drafts for staff who may view reports; published reports for everyone else."""
        return self if sees_drafts(user) else self.published()

    def editable(self):
        """The reports whose figures and records may change (AnnualReport.is_editable)."""
        return self.filter(status=AnnualReport.Status.DRAFT)

    def for_year(self, year):
        return self.filter(year=year)

    def for_region(self, slug):
        return self.filter(region__slug=slug)

    def synthetic(self):
        return self.filter(is_synthetic=True)

    def get_by_natural_key(self, region_slug, year):
        return self.get(region__slug=region_slug, year=year)


class AnnualReport(models.Model):
    """One city's report for one year."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")

    region = models.ForeignKey(
        Region,
        verbose_name=_("city"),
        on_delete=models.PROTECT,
        related_name="reports",
        limit_choices_to={"level": Region.Level.CITY},
    )
    YEARS = REPORT_YEARS

    year = models.PositiveSmallIntegerField(_("year"), help_text=_("Year the report covers."))
    title = models.CharField(
        _("title"), max_length=200, blank=True, help_text=_("Title of the published report.")
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text=_("Workflow status; only staff see reports that are not published."),
    )
    population = models.PositiveIntegerField(
        _("resident population"),
        null=True,
        blank=True,
        # More than any city has; the same bound (and API schema) on every database, which
        # otherwise differ (PostgreSQL's integer, SQLite's 64 bits).
        validators=[MaxValueValidator(MAX_POPULATION)],
        help_text=_("Resident population, persons: the base of per-100,000 figures."),
    )
    population_source = models.CharField(
        _("population source"),
        max_length=200,
        blank=True,
        help_text=_("Where the population comes from."),
    )
    source = models.TextField(
        _("source"),
        blank=True,
        help_text=_("Where the published figures come from: shown to the public."),
    )
    # Kept apart from `source` so that a note meant for staff cannot reach a public page.
    staff_note = models.TextField(
        _("staff note"),
        blank=True,
        help_text=_(
            "For staff only (e.g. where to find the population): never shown on the public "
            "pages, in the PDF, in the downloads or in the public API."
        ),
    )
    submitted_at = models.DateTimeField(
        _("submitted for review at"),
        null=True,
        blank=True,
        help_text=_("When the report was last submitted for review."),
    )
    published_at = models.DateTimeField(
        _("published at"),
        null=True,
        blank=True,
        help_text=_("When the report was last published."),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(
        _("updated at"), auto_now=True, help_text=_("When the report was last changed.")
    )
    is_synthetic = models.BooleanField(
        _("synthetic demo data"),
        default=False,
        editable=False,
        help_text=_(
            "Made up by generate_demo for demonstrations and load tests: no city published it."
        ),
    )

    # No `objects`: a reader says whom it reads for (EveryElection's public/private managers),
    # so that "forgot the published filter" cannot be typed by accident. The first manager is
    # the default one (admin, related managers, fixtures): staff and internal code.
    private_objects = AnnualReportQuerySet.as_manager()
    public_objects = PublishedManager.from_queryset(AnnualReportQuerySet)()
    history = History()

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["-year", "region__order"]
        permissions = [("publish_annualreport", _("Can publish and reopen annual reports"))]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year"],
                name="report_one_per_city_year",
                violation_error_message=_("This city already has a report for this year."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=REPORT_YEARS.start, year__lte=REPORT_YEARS[-1]),
                name="report_year_plausible",
                violation_error_message=_("The year must be between 2000 and 2100."),
            ),
            models.CheckConstraint(
                condition=Q(population__isnull=True) | Q(population__gt=0),
                name="report_population_positive",
                violation_error_message=_("The population must be more than zero."),
            ),
        ]

    def __str__(self):
        return f"{self.region.name} {self.year}"

    def natural_key(self):
        return (*self.region.natural_key(), self.year)

    natural_key.dependencies = ["hotline.region"]

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def is_editable(self):
        """Only a draft's figures and records change; a reviewer reopens it otherwise."""
        return self.status == self.Status.DRAFT

    def ensure_editable(self):
        """Raise ReportLocked unless this report is a draft. Writers lock the report first
        (select_for_update) so that nobody publishes it between this check and their write."""
        if not self.is_editable:
            raise ReportLocked(self)

    @classmethod
    def from_db(cls, db, field_names, values):
        report = super().from_db(db, field_names, values)
        # The status as stored: a report that was not a draft changes only by a workflow step.
        report._stored_status = report.__dict__.get("status")
        return report

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._stored_status = self.status

    def allowed_steps(self) -> list[str]:
        """The workflow steps that may start from this report's status."""
        return [step for step, (start, _end) in WORKFLOW.items() if self.status in start]

    def clean(self):
        if self.region_id and self.region.level != Region.Level.CITY:
            raise ValidationError({"region": _("An annual report belongs to a city.")})


class ReportRecordQuerySet(PlainInsertQuerySet):
    """Records that belong to one annual report: public pages and the API read through these;
    an import writes them in bulk (PlainInsertQuerySet)."""

    def published(self):
        return self.filter(report__status=AnnualReport.Status.PUBLISHED)

    def visible_to(self, user):
        return self if sees_drafts(user) else self.published()

    def editable(self):
        return self.filter(report__in=AnnualReport.private_objects.editable())

    def for_year(self, year):
        return self.filter(report__year=year)

    def for_region(self, slug):
        return self.filter(report__region__slug=slug)


class FigureQuerySet(ReportRecordQuerySet):
    """Bulk writes keep each figure's copy of its indicator's kind, as save() does."""

    def get_by_natural_key(self, region_slug, year, indicator_code):
        return self.get(
            report__region__slug=region_slug, report__year=year, indicator__code=indicator_code
        )

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        copy_kinds(objs)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs, fields = list(objs), list(fields)
        if {"indicator", "indicator_id"} & set(fields):
            copy_kinds(objs)
            fields += [] if "kind" in fields else ["kind"]
        return super().bulk_update(objs, fields, *args, **kwargs)

    def update(self, **kwargs):
        indicator = kwargs.get("indicator", kwargs.get("indicator_id"))
        if indicator is not None and "kind" not in kwargs:
            if not isinstance(indicator, Indicator):
                indicator = Indicator.objects.get(pk=indicator)
            kwargs["kind"] = indicator.kind
        return super().update(**kwargs)

    def breaking(self, kind) -> list[tuple["Figure", list[str]]]:
        """The figures that would break the rules of `kind` were it their indicator's, each
        with why: the model's own checks and its database constraints, read in Python."""
        broken = []
        for figure in self:
            figure.kind = kind
            reasons = [message for _fields, message in validate_checks(figure)]
            try:
                figure.check_kind()
            except ValidationError as error:
                reasons += error.messages
            if reasons:
                broken.append((figure, reasons))
        return broken


def copy_kinds(figures) -> None:
    """Each figure's copy of its indicator's kind; one query for the indicators not loaded."""
    loaded = Figure.indicator.is_cached
    missing = {f.indicator_id for f in figures if not loaded(f)}
    kinds = dict(Indicator.objects.filter(pk__in=missing).values_list("pk", "kind"))
    for figure in figures:
        figure.kind = figure.indicator.kind if loaded(figure) else kinds[figure.indicator_id]


class Figure(models.Model):
    """The value of one indicator in one report, as published.

    A number, or a text (平台安全运行状态: 优秀), or neither: "not reported" (printed "—").
    Published values are never overwritten by computed ones.
    """

    report = models.ForeignKey(
        AnnualReport,
        verbose_name=_("annual report"),
        on_delete=models.CASCADE,
        related_name="figures",
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="figures"
    )
    # A copy of indicator.kind, so that the database itself can hold rates within 0–100. It
    # never drifts: save() and bulk writes copy it (FigureQuerySet), and an indicator's new
    # kind is copied to its figures in the same transaction (copy_kind_to_figures), refused
    # while a figure would break it (Indicator.clean).
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=Indicator.Kind.choices,
        editable=False,
        help_text=_("Kind of value: count, rate (%), duration, ratio or text."),
    )
    value = models.DecimalField(
        _("value"),
        max_digits=COUNT_MAX_DIGITS,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_(
            "In the indicator's unit, with the decimals it was printed with (92.30); empty when "
            "not reported (printed “—”), never 0 for that."
        ),
    )
    decimals = models.PositiveSmallIntegerField(
        _("printed decimals"), default=0, help_text=_("Decimals the value was printed with.")
    )
    text = models.CharField(
        _("text"),
        max_length=100,
        blank=True,
        help_text=_("The value when it is a text (优秀); empty for a number."),
    )
    change = models.DecimalField(
        _("published year-on-year change"),
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_(
            "Per cent for a relative change, percentage points for a rate, with the decimals it "
            "was printed with; empty when none was published."
        ),
    )
    change_decimals = models.PositiveSmallIntegerField(
        _("printed decimals of change"),
        default=0,
        help_text=_("Decimals the change was printed with."),
    )
    note = models.TextField(
        _("note"), blank=True, help_text=_("Where the value was printed and why, if read.")
    )
    note_en = models.TextField(
        _("English note"), blank=True, help_text=_("The note for the English pages.")
    )

    # Each number and the field that keeps the decimals it was printed or typed with
    # (hotline.parsing.typed_decimals); every way in and out reads this.
    PRINTED_DECIMALS = {"value": "decimals", "change": "change_decimals"}

    private_objects = FigureQuerySet.as_manager()
    public_objects = PublishedManager.from_queryset(FigureQuerySet)()
    history = History()

    class Meta:
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        ordering = [
            "report",
            "indicator__table__section__number",
            "indicator__table__order",
            "indicator__row_order",
            "indicator__column_order",
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "indicator"],
                name="figure_one_per_indicator",
                violation_error_message=_("This report already has a figure for this indicator."),
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0),
                name="figure_value_not_negative",
                violation_error_message=_("A figure cannot be negative."),
            ),
            models.CheckConstraint(
                condition=~Q(kind=Indicator.Kind.RATE) | Q(value__isnull=True) | Q(value__lte=100),
                name="figure_rate_within_0_100",
                violation_error_message=_("A rate must be between 0 and 100."),
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(text=""),
                name="figure_value_or_text",
                violation_error_message=_("A figure is a number or a text, not both."),
            ),
            models.CheckConstraint(
                condition=Q(change__isnull=True) | Q(change__gte=-100),
                name="figure_change_not_below_minus_100",
                violation_error_message=_("A change cannot fall by more than 100%%."),
            ),
            models.CheckConstraint(
                condition=~Q(kind=Indicator.Kind.RATE)
                | Q(change__isnull=True)
                | Q(change__lte=100),
                name="figure_rate_change_within_100_points",
                violation_error_message=_(
                    "A rate cannot change by more than 100 percentage points."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.report} · {self.indicator}"

    def natural_key(self):
        return (*self.report.natural_key(), self.indicator.code)

    natural_key.dependencies = ["hotline.annualreport", "hotline.indicator"]

    @property
    def is_reported(self):
        return self.value is not None or bool(self.text)

    @property
    def printed_value(self) -> Decimal | None:
        return printed(self.value, self.decimals)

    @property
    def printed_change(self) -> Decimal | None:
        return printed(self.change, self.change_decimals)

    @property
    def printed_cell(self) -> Decimal | str | None:
        return download_cell(self.printed_value, self.text)

    def clean(self):
        # Set before full_clean() validates the constraints, which read the copy.
        if self.indicator_id:
            self.kind = self.indicator.kind
        self.check_kind()

    def check_kind(self):
        """The rules of the figure's kind that the database does not hold."""
        # Not `value % 1`: Decimal refuses that beyond its 28 digits of precision.
        whole = self.value is None or self.value == self.value.to_integral_value()
        if self.kind == Indicator.Kind.COUNT and not whole:
            raise ValidationError({"value": _("A count is a whole number.")})
        if self.kind == Indicator.Kind.TEXT and self.value is not None:
            raise ValidationError({"value": _("This figure is a text, not a number.")})


@receiver(pre_save, sender=Figure)
def copy_indicator_kind(sender, instance, **kwargs):
    # A receiver rather than save(), so that loaddata's raw saves keep the copy right too.
    instance.kind = instance.indicator.kind


@receiver(post_save, sender=Indicator)
def copy_kind_to_figures(sender, instance, **kwargs):
    # In the indicator's save's transaction (Indicator.save; loaddata's own), so that a figure
    # that the new kind breaks in the database (a rate above 100) undoes the change; loaddata's
    # raw saves too. A derived copy: no history rows of its own.
    Figure.private_objects.filter(indicator=instance).exclude(kind=instance.kind).update(
        kind=instance.kind
    )


def _ranking():
    """What a count ranks among: departments or appeal categories."""
    return models.Case(
        models.When(department__isnull=False, then=models.Value("department")),
        default=models.Value("category"),
    )


class AppealCountQuerySet(ReportRecordQuerySet):
    # The TOP5 order, the one the public page, the API and the figure checks rank by: most
    # appeals first; equal counts in the order they were entered, which is the order the
    # report printed them (the fixtures and the importer write rows in their file's order).
    RANK_ORDER = ("-count", "pk")

    def ranked(self):
        return self.order_by(*self.RANK_ORDER)

    def top(self, n=5):
        return self.ranked()[:n]

    def with_ranking(self):
        """Each count with what it ranks among ("department" or "category")."""
        return self.annotate(ranking=_ranking())

    def with_rank(self):
        """Each count with its place in its ranking (report, appeal type, departments or
        categories), by RANK_ORDER: every TOP5 table in one query."""
        return self.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("report_id"), F("appeal_type"), _ranking()],
                order_by=list(self.RANK_ORDER),
            )
        )


class AppealCount(models.Model):
    """Appeals handled by one department, or of one category, from which TOP5 tables rank."""

    class AppealType(models.TextChoices):
        """承办诉求类型 as the report splits them."""

        ALL = "all", _("All appeals")
        CONSULTATION = "consultation", _("Consultation")
        NON_CONSULTATION = "non_consultation", _("Non-consultation")

    report = models.ForeignKey(
        AnnualReport,
        verbose_name=_("annual report"),
        on_delete=models.CASCADE,
        related_name="appeal_counts",
    )
    appeal_type = models.CharField(
        _("appeal type"),
        max_length=20,
        choices=AppealType.choices,
        default=AppealType.ALL,
        help_text=_("Appeals counted: all, consultation or not."),
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeal_counts",
    )
    category = models.ForeignKey(
        AppealCategory,
        verbose_name=_("appeal category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeal_counts",
    )
    count = models.BigIntegerField(_("appeals"), help_text=_("Appeals, in cases (件)."))
    published_share = models.DecimalField(
        _("published share (%)"),
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_(
            "Share of the appeal type's total, in %, with the decimals it was printed with; "
            "empty if none printed."
        ),
    )
    share_decimals = models.PositiveSmallIntegerField(
        _("printed decimals of share"),
        default=2,
        help_text=_("Decimals the share was printed with."),
    )
    note = models.TextField(_("note"), blank=True, help_text=_("Note on the count."))

    PRINTED_DECIMALS = {"published_share": "share_decimals"}  # see Figure
    # The TOP5 table heads each group as printed: the group of all appeals is 总计 (total),
    # not the choice's label (全部诉求), which names the type where it is chosen.
    PRINTED_GROUPS = {AppealType.ALL: _("Total")}

    private_objects = AppealCountQuerySet.as_manager()
    public_objects = PublishedManager.from_queryset(AppealCountQuerySet)()
    history = History()

    class Meta:
        verbose_name = _("appeal count")
        verbose_name_plural = _("appeal counts")
        ordering = ["report", "appeal_type", "-count"]
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=True, category__isnull=False)
                | Q(department__isnull=False, category__isnull=True),
                name="appealcount_department_xor_category",
                violation_error_message=_(
                    "Give either a department or an appeal category, not both."
                ),
            ),
            models.CheckConstraint(
                condition=Q(count__gte=0),
                name="appealcount_not_negative",
                violation_error_message=_("A count cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(published_share__isnull=True)
                | Q(published_share__gte=0, published_share__lte=100),
                name="appealcount_share_within_0_100",
                violation_error_message=_("A share must be between 0 and 100."),
            ),
            models.UniqueConstraint(
                fields=["report", "appeal_type", "department"],
                condition=Q(department__isnull=False),
                name="appealcount_one_per_department",
                violation_error_message=_(
                    "This report already counts this department for this appeal type."
                ),
            ),
            models.UniqueConstraint(
                fields=["report", "appeal_type", "category"],
                condition=Q(category__isnull=False),
                name="appealcount_one_per_category",
                violation_error_message=_(
                    "This report already counts this category for this appeal type."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.report} · {self.subject} · {self.count}"

    @property
    def printed_share(self) -> Decimal | None:
        return printed(self.published_share, self.share_decimals)

    @property
    def subject(self):
        return self.department or self.category

    @classmethod
    def group_as_printed(cls, appeal_type) -> str:
        return str(cls.PRINTED_GROUPS.get(appeal_type) or cls.AppealType(appeal_type).label)

    def clean(self):
        if (self.department_id is None) == (self.category_id is None):
            raise ValidationError(_("Give either a department or an appeal category, not both."))


class ReportEvent(models.Model):
    """A step of the publishing workflow, kept on the record: who, when and why."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("Submitted for review")
        PUBLISH = "publish", _("Published")
        REOPEN = "reopen", _("Reopened as draft")

    report = models.ForeignKey(
        AnnualReport,
        verbose_name=_("annual report"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    # Empty for a report loaded as printed (load_fixtures): no person published it here.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Empty: loaded as printed from the source document, by no person."),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("workflow step")
        verbose_name_plural = _("workflow steps")
        ordering = ["report", "at"]

    def __str__(self):
        return f"{self.report} · {self.get_action_display()}"


# The workflow in one table, beside the status: each step, the statuses it may start from, and
# the status it leads to. The services run the steps; the admin and the API offer what it allows.
_Status, _Step = AnnualReport.Status, ReportEvent.Action
WORKFLOW = {
    _Step.SUBMIT: (frozenset({_Status.DRAFT}), _Status.REVIEW),
    _Step.PUBLISH: (frozenset({_Status.DRAFT, _Status.REVIEW}), _Status.PUBLISHED),
    _Step.REOPEN: (frozenset({_Status.REVIEW, _Status.PUBLISHED}), _Status.DRAFT),
}
