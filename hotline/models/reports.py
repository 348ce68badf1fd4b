from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .catalogue import AppealCategory, Indicator
from .regions import Department, Region

COUNT_MAX_DIGITS = 18


def printed(number: Decimal | None, decimals: int) -> Decimal | None:
    """A number with the decimals it was printed with (92.30, not 92.3000)."""
    return None if number is None else number.quantize(Decimal(1).scaleb(-decimals))


class AnnualReportQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=AnnualReport.Status.PUBLISHED)

    def visible_to(self, user):
        """Staff see every report; everyone else only published ones."""
        return self if user.is_staff else self.published()

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
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    population = models.PositiveIntegerField(
        _("resident population"),
        null=True,
        blank=True,
        help_text=_("Persons; the base of the per-100,000 figures."),
    )
    population_source = models.CharField(_("population source"), max_length=200, blank=True)
    source = models.TextField(
        _("source"), blank=True, help_text=_("Where the published figures come from.")
    )
    submitted_at = models.DateTimeField(_("submitted for review at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    is_synthetic = models.BooleanField(
        _("synthetic demo data"),
        default=False,
        editable=False,
        help_text=_(
            "Made up by generate_demo for demonstrations and load tests: no city published it."
        ),
    )

    objects = AnnualReportQuerySet.as_manager()
    history = HistoricalRecords()

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
                condition=Q(year__gte=2000, year__lte=2100),
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

    def clean(self):
        if self.region_id and self.region.level != Region.Level.CITY:
            raise ValidationError({"region": _("An annual report belongs to a city.")})


class ReportRecordQuerySet(models.QuerySet):
    """Records that belong to one annual report: public pages and the API read through these."""

    def published(self):
        return self.filter(report__status=AnnualReport.Status.PUBLISHED)

    def visible_to(self, user):
        return self if user.is_staff else self.published()

    def for_year(self, year):
        return self.filter(report__year=year)

    def for_region(self, slug):
        return self.filter(report__region__slug=slug)


class FigureQuerySet(ReportRecordQuerySet):
    def get_by_natural_key(self, region_slug, year, indicator_code):
        return self.get(
            report__region__slug=region_slug, report__year=year, indicator__code=indicator_code
        )


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
    # A copy of indicator.kind, so that the database itself can hold rates within 0–100.
    kind = models.CharField(
        _("kind"), max_length=10, choices=Indicator.Kind.choices, editable=False
    )
    value = models.DecimalField(
        _("value"), max_digits=COUNT_MAX_DIGITS, decimal_places=4, null=True, blank=True
    )
    decimals = models.PositiveSmallIntegerField(
        _("printed decimals"), default=0, help_text=_("Decimals the value was printed with.")
    )
    text = models.CharField(_("text"), max_length=100, blank=True)
    change = models.DecimalField(
        _("published year-on-year change"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    change_decimals = models.PositiveSmallIntegerField(_("printed decimals of change"), default=0)
    note = models.TextField(_("note"), blank=True)

    objects = FigureQuerySet.as_manager()
    history = HistoricalRecords()

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

    def clean(self):
        # Set before full_clean() validates the constraints, which read the copy.
        if self.indicator_id:
            self.kind = self.indicator.kind
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


class AppealCountQuerySet(ReportRecordQuerySet):
    def top(self, n=5):
        return self.order_by("-count")[:n]


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
        _("appeal type"), max_length=20, choices=AppealType.choices, default=AppealType.ALL
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
    count = models.BigIntegerField(_("appeals"))
    published_share = models.DecimalField(
        _("published share (%)"), max_digits=7, decimal_places=4, null=True, blank=True
    )
    share_decimals = models.PositiveSmallIntegerField(_("printed decimals of share"), default=2)
    note = models.TextField(_("note"), blank=True)

    objects = AppealCountQuerySet.as_manager()
    history = HistoricalRecords()

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
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("workflow step")
        verbose_name_plural = _("workflow steps")
        ordering = ["report", "at"]

    def __str__(self):
        return f"{self.report} · {self.get_action_display()}"
