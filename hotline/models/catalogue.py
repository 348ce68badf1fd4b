"""The indicator catalogue: what the annual report measures, laid out as the printed report.

It is data (kept in the admin and the fixtures) so that a new row in next year's template is
not a code change.
"""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, router, transaction
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from .bulk import History

# Dotted codes (appeals.public.total) name indicators and rules; a SlugField would refuse dots.
dotted_code = RegexValidator(
    r"^[a-z0-9_]+(\.[a-z0-9_-]+)*$",
    _("Use lower-case letters, digits and underscores, in parts separated by dots."),
)


def is_english() -> bool:
    """Whether the page speaks English; anything else reads the Chinese as printed."""
    return (get_language() or "").startswith("en")


def translated(obj, field: str, english: bool | None = None) -> str:
    """The English label when the page speaks English and one is stored, else the Chinese.
    A caller that translates many labels says `english` once: asking Django for the active
    language was a quarter of laying out a report's tables."""
    if is_english() if english is None else english:
        return getattr(obj, f"{field}_en") or getattr(obj, field)
    return getattr(obj, field)


class CodeQuerySet(models.QuerySet):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class IndicatorQuerySet(CodeQuerySet):
    def update(self, **kwargs):
        if "kind" not in kwargs:
            return super().update(**kwargs)
        # The figures' copies of the kind change with it (see Figure.kind).
        with transaction.atomic(using=self.db):
            pks = list(self.values_list("pk", flat=True))
            count = super().update(**kwargs)
            figures = self.model._meta.get_field("figures").related_model.private_objects
            figures.filter(indicator__in=pks).update(kind=kwargs["kind"])
        return count


class Section(models.Model):
    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Identifier of the section (e.g. appeals)."),
    )
    number = models.PositiveSmallIntegerField(
        _("number"),
        unique=True,
        help_text=_("Number of the section in the printed report (1 = 一)."),
    )
    title = models.CharField(
        _("title"), max_length=100, help_text=_("Title as printed (企业群众诉求办理).")
    )
    title_en = models.CharField(
        _("English title"), max_length=100, blank=True, help_text=_("English title.")
    )

    objects = CodeQuerySet.as_manager()
    history = History()

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
        Section,
        verbose_name=_("section"),
        on_delete=models.PROTECT,
        related_name="tables",
        help_text=_("The section the table is in."),
    )
    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("Identifier of the table (e.g. calls).")
    )
    title = models.CharField(_("title"), max_length=100, help_text=_("Title as printed."))
    title_en = models.CharField(
        _("English title"), max_length=100, blank=True, help_text=_("English title.")
    )
    row_header = models.CharField(
        _("row header"),
        max_length=60,
        blank=True,
        help_text=_("Header of the table's row labels, as printed."),
    )
    row_header_en = models.CharField(
        _("English row header"),
        max_length=60,
        blank=True,
        help_text=_("English header of the row labels."),
    )
    order = models.PositiveSmallIntegerField(
        _("display order"), default=0, help_text=_("Order of the table within its section.")
    )
    note = models.TextField(
        _("note"),
        blank=True,
        help_text=_("How the printed table was read (merged or shifted cells), shown under it."),
    )
    note_en = models.TextField(
        _("English note"), blank=True, help_text=_("The note for the English pages.")
    )

    objects = CodeQuerySet.as_manager()
    history = History()

    class Meta:
        verbose_name = _("report table")
        verbose_name_plural = _("report tables")
        ordering = ["section__number", "order"]

    def __str__(self):
        return f"{self.section.title} · {self.title}"

    @property
    def shown_note(self) -> str:
        """The note in the page's language: one language per language version."""
        return translated(self, "note")

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
        ReportTable,
        verbose_name=_("table"),
        on_delete=models.PROTECT,
        related_name="indicators",
        help_text=_("The report table."),
    )
    code = models.CharField(
        _("code"),
        max_length=80,
        unique=True,
        validators=[dotted_code],
        help_text=_("Identifier of the indicator: table.row.column."),
    )
    row_label = models.CharField(
        _("row"), max_length=60, blank=True, help_text=_("Row of the printed table (群众诉求).")
    )
    row_label_en = models.CharField(
        _("English row"), max_length=60, blank=True, help_text=_("English row label.")
    )
    row_order = models.PositiveSmallIntegerField(
        _("row order"), default=0, help_text=_("Order of the row in its table.")
    )
    column_group = models.CharField(
        _("column group"),
        max_length=60,
        blank=True,
        help_text=_("Header above the column, if any (诉求来源)."),
    )
    column_group_en = models.CharField(
        _("English column group"),
        max_length=60,
        blank=True,
        help_text=_("English header above the column."),
    )
    column_label = models.CharField(
        _("column"), max_length=60, help_text=_("Column of the printed table (电话).")
    )
    column_label_en = models.CharField(
        _("English column"), max_length=60, blank=True, help_text=_("English column label.")
    )
    column_order = models.PositiveSmallIntegerField(
        _("column order"), default=0, help_text=_("Order of the column in its table.")
    )
    unit = models.CharField(
        _("unit"),
        max_length=10,
        blank=True,
        help_text=_("Unit as printed (件, 通, 秒, %); empty for a text or a ratio."),
    )
    unit_en = models.CharField(
        _("English unit"),
        max_length=20,
        blank=True,
        help_text=_("English unit (cases, calls, seconds, %)."),
    )
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=Kind.choices,
        help_text=_("Kind of value: count, rate (%), duration, ratio or text."),
    )
    change_kind = models.CharField(
        _("year-on-year change read as"),
        max_length=10,
        choices=ChangeKind.choices,
        default=ChangeKind.RELATIVE,
        help_text=_(
            "How the year-on-year change is read: relative (%) for counts and durations, "
            "percentage points for rates."
        ),
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("What the indicator counts, where said.")
    )

    objects = IndicatorQuerySet.as_manager()
    history = History()

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

    def save(self, *args, **kwargs):
        # With its figures' copies of the kind (copy_kind_to_figures): all of it or nothing.
        with transaction.atomic(using=kwargs.get("using") or router.db_for_write(type(self))):
            super().save(*args, **kwargs)

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

    def clean(self):
        """A new kind is refused while a figure would break its rules (see Figure.kind)."""
        if self.pk is None:
            return
        stored = type(self).objects.filter(pk=self.pk).values_list("kind", flat=True).first()
        if stored in (None, self.kind):
            return
        broken = (
            self.figures.select_related("report__region").order_by("report").breaking(self.kind)
        )
        if broken:
            shown = [
                _("%(report)s: %(reasons)s") % {"report": figure.report, "reasons": " ".join(why)}
                for figure, why in broken[:5]
            ]
            raise ValidationError(
                {
                    "kind": ngettext(
                        "The kind cannot become “%(kind)s”: %(count)d figure would break its "
                        "rules. Correct it first. %(figures)s",
                        "The kind cannot become “%(kind)s”: %(count)d figures would break its "
                        "rules. Correct them first. %(figures)s",
                        len(broken),
                    )
                    % {
                        "kind": self.get_kind_display(),
                        "count": len(broken),
                        "figures": " ".join(shown) + (" …" if len(broken) > 5 else ""),
                    }
                }
            )


class CodeList(models.Model):
    """A short list kept as data: a code for files and the API, a name as printed."""

    code = models.SlugField(_("code"), max_length=40, unique=True, help_text=_("Identifier."))
    name = models.CharField(_("name"), max_length=40, unique=True, help_text=_("Name as printed."))
    name_en = models.CharField(
        _("English name"), max_length=60, blank=True, help_text=_("English name.")
    )
    order = models.PositiveSmallIntegerField(
        _("display order"), default=0, help_text=_("Display order.")
    )

    objects = CodeQuerySet.as_manager()
    history = History(inherit=True)

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
