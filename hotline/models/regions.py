from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .bulk import History
from .catalogue import translated


class RegionQuerySet(models.QuerySet):
    def cities(self):
        return self.filter(level=Region.Level.CITY)

    def within(self, city):
        """A city and every region below it."""
        return self.filter(Q(pk=city.pk) | Q(parent=city) | Q(parent__parent=city))

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Region(models.Model):
    class Level(models.TextChoices):
        """Administrative levels as the Jiangsu report template names them."""

        PROVINCE = "province", _("Province")
        CITY = "city", _("Prefecture-level city")
        DISTRICT = "district", _("District")
        COUNTY = "county", _("County")
        ZONE = "zone", _("Functional zone")

    slug = models.SlugField(
        _("slug"), max_length=60, unique=True, help_text=_("Identifier of the region.")
    )
    name = models.CharField(_("name"), max_length=60, help_text=_("Name (江苏省, 淮安市, 涟水县)."))
    name_en = models.CharField(
        _("English name"), max_length=60, blank=True, help_text=_("English name, where stored.")
    )
    level = models.CharField(
        _("level"), max_length=10, choices=Level.choices, help_text=_("Administrative level.")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("The region above; empty for the province."),
    )
    order = models.PositiveSmallIntegerField(
        _("display order"), default=0, help_text=_("Display order.")
    )
    is_synthetic = models.BooleanField(
        _("synthetic demo data"),
        default=False,
        editable=False,
        help_text=_("Made up by generate_demo for demonstrations and load tests."),
    )

    # A report's 行政层级 column names the city's own level 市本级 (the Jiangsu template's word).
    CITY_LEVEL = _("City level")

    objects = RegionQuerySet.as_manager()
    history = History()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["order", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="region_unique_name_in_parent"),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A region cannot be its own parent.")})

    @property
    def level_as_printed(self) -> str:
        """The region in a report's 行政层级 column: the city's own level, or the district's or
        county's name."""
        if self.level == self.Level.CITY:
            return str(self.CITY_LEVEL)
        return translated(self, "name")

    @property
    def city(self):
        """The prefecture-level city this region belongs to (itself for a city)."""
        region = self
        while region is not None and region.level != self.Level.CITY:
            region = region.parent
        return region


class DepartmentQuerySet(models.QuerySet):
    def get_by_natural_key(self, region_slug, name):
        return self.get(region__slug=region_slug, name=name)


class Department(models.Model):
    """A unit that handles appeals, receives shared data or issues documents."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government department")
        PARTY = "party", _("Party organ")
        MASS_ORGANISATION = "mass_org", _("Mass organisation")
        CONGRESS = "congress", _("People's congress")
        DISCIPLINE = "discipline", _("Discipline inspection and supervision")
        INSPECTION = "inspection", _("Party inspection tour")
        PROCURATORATE = "procuratorate", _("Procuratorate")
        VERTICAL = "vertical", _("Vertically managed agency")
        STATE_ENTERPRISE = "soe", _("State-owned enterprise")
        HOTLINE_PLATFORM = "platform", _("Hotline platform")
        OTHER = "other", _("Other")

    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="departments"
    )
    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("Official name, unique within the region (淮安市公安局)."),
    )
    short_name = models.CharField(
        _("name as the report writes it"),
        max_length=100,
        blank=True,
        help_text=_("Shown in report tables, e.g. 市公安局 for 淮安市公安局."),
    )
    aliases = models.JSONField(
        _("other names"),
        default=list,
        blank=True,
        help_text=_("Other ways the unit is written; imports match them too."),
    )
    kind = models.CharField(
        _("kind of unit"), max_length=16, choices=Kind.choices, help_text=_("Kind of unit.")
    )
    is_synthetic = models.BooleanField(
        _("synthetic demo data"),
        default=False,
        editable=False,
        help_text=_("Made up by generate_demo for demonstrations and load tests."),
    )

    objects = DepartmentQuerySet.as_manager()
    history = History()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["region__order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="department_unique_name"),
        ]

    def __str__(self):
        return self.short_name or self.name

    def natural_key(self):
        return (*self.region.natural_key(), self.name)

    natural_key.dependencies = ["hotline.region"]

    @property
    def names(self) -> list[str]:
        """Every name the unit is written under, the official one first."""
        return list(dict.fromkeys(n for n in [self.name, self.short_name, *self.aliases] if n))
