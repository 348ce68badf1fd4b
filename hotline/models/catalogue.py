"""The indicator catalogue: what the annual report measures, laid out as the printed report.

It is data (kept in the admin and the fixtures) so that a new row in next year's template is
not a code change.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# Dotted codes (appeals.public.total) name indicators and rules; a SlugField would refuse dots.
dotted_code = RegexValidator(
    r"^[a-z0-9_]+(\.[a-z0-9_-]+)*$",
    _("Use lower-case letters, digits and underscores, in parts separated by dots."),
)


def translated(obj, field: str) -> str:
    """The English label when the page speaks English and one is stored, else the Chinese."""
    if (get_language() or "").startswith("en"):
        return getattr(obj, f"{field}_en") or getattr(obj, field)
    return getattr(obj, field)


class CodeQuerySet(models.QuerySet):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Section(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    title = models.CharField(_("title"), max_length=100)
    title_en = models.CharField(_("English title"), max_length=100, blank=True)

    objects = CodeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("report section")
        verbose_name_plural = _("report sections")
        ordering = ["number"]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.code,)

    @property
    def label(self):
        return translated(self, "title")


class ReportTable(models.Model):
    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.PROTECT, related_name="tables"
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=100)
    title_en = models.CharField(_("English title"), max_length=100, blank=True)
    row_header = models.CharField(_("row header"), max_length=60, blank=True)
    row_header_en = models.CharField(_("English row header"), max_length=60, blank=True)
    order = models.PositiveSmallIntegerField(_("display order"), default=0)
    note = models.TextField(
        _("note"), blank=True, help_text=_("How the printed table was read, shown under it.")
    )

    objects = CodeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("report table")
        verbose_name_plural = _("report tables")
        ordering = ["section__number", "order"]

    def __str__(self):
        return f"{self.section.title} · {self.title}"

    def natural_key(self):
        return (self.code,)

    natural_key.dependencies = ["hotline.section"]

    @property
    def label(self):
        return translated(self, "title")


class Indicator(models.Model):
    """One cell of the printed report's template: a row and a column of one table."""

    class Kind(models.TextChoices):
        COUNT = "count", _("Count")
        RATE = "rate", _("Rate or share (%)")
        DURATION = "duration", _("Duration")
        RATIO = "ratio", _("Ratio")
        TEXT = "text", _("Text")

    class ChangeKind(models.TextChoices):
        """How the published year-on-year change is read (see GLOSSARY: units and changes)."""

        RELATIVE = "relative", _("Relative change (%)")
        POINTS = "points", _("Change in percentage points")

    table = models.ForeignKey(
        ReportTable, verbose_name=_("table"), on_delete=models.PROTECT, related_name="indicators"
    )
    code = models.CharField(_("code"), max_length=80, unique=True, validators=[dotted_code])
    row_label = models.CharField(_("row"), max_length=60, blank=True)
    row_label_en = models.CharField(_("English row"), max_length=60, blank=True)
    row_order = models.PositiveSmallIntegerField(_("row order"), default=0)
    column_group = models.CharField(_("column group"), max_length=60, blank=True)
    column_group_en = models.CharField(_("English column group"), max_length=60, blank=True)
    column_label = models.CharField(_("column"), max_length=60)
    column_label_en = models.CharField(_("English column"), max_length=60, blank=True)
    column_order = models.PositiveSmallIntegerField(_("column order"), default=0)
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    unit_en = models.CharField(_("English unit"), max_length=20, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    change_kind = models.CharField(
        _("year-on-year change read as"),
        max_length=10,
        choices=ChangeKind.choices,
        default=ChangeKind.RELATIVE,
    )
    description = models.TextField(_("description"), blank=True)

    objects = CodeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["table__section__number", "table__order", "row_order", "column_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "row_label", "column_group", "column_label"],
                name="indicator_unique_cell",
            ),
        ]

    def __str__(self):
        return " · ".join(p for p in [self.table.title, self.row_label, self.label] if p)

    def natural_key(self):
        return (self.code,)

    natural_key.dependencies = ["hotline.reporttable"]

    @property
    def label(self):
        """The column as printed, with its group: 诉求来源 · 电话."""
        return " · ".join(p for p in [self.column_group, self.column_label] if p)

    @property
    def is_rate(self):
        return self.kind == self.Kind.RATE


class CodeList(models.Model):
    """A short list kept as data: a code for files and the API, a name as printed."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    order = models.PositiveSmallIntegerField(_("display order"), default=0)

    objects = CodeQuerySet.as_manager()
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
        ordering = ["order", "code"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


class AppealCategory(CodeList):
    """The appeal domains used by the province's classification (民生保障, 经济综合, ...)."""

    class Meta(CodeList.Meta):
        verbose_name = _("appeal category")
        verbose_name_plural = _("appeal categories")


class SharingMethod(CodeList):
    """How hotline data is handed to a recipient (U盘拷贝, 网络传输, ...)."""

    class Meta(CodeList.Meta):
        verbose_name = _("sharing method")
        verbose_name_plural = _("sharing methods")
