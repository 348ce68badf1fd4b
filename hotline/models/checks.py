"""Figure-check rules: how the figures of a report must agree with each other and with records.

Rules are data attached to the indicator catalogue, so that a new table in next year's template
gets its checks in the admin or the fixtures, not in code. The engine is `hotline.checks`.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .catalogue import Indicator, dotted_code
from .reports import AppealCount


class CheckRuleQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def get_by_natural_key(self, code):
        return self.get(code=code)


class CheckRule(models.Model):
    """One arithmetic rule that published figures must obey."""

    class Kind(models.TextChoices):
        SUM = "sum", _("Total equals the sum of its parts")
        SHARE = "share", _("Share equals part over total")
        RATIO = "ratio", _("Rate equals numerator over denominator")
        WEIGHTED_AVERAGE = "weighted_average", _("Average of a total row weighted by counts")
        RECORD_COUNT = "record_count", _("Figure equals the records stored")
        RANKING = "ranking", _("Ranked table in order, shares match counts")

    class RecordSource(models.TextChoices):
        """What a record-count rule counts among the report's records."""

        SHARING_RECORDS = "sharing_records", _("Records shared, summed over data-sharing requests")
        EPISODES = "episodes", _("Live-broadcast episodes stored")
        EPISODE_APPEALS = "episode_appeals", _("Appeals received, summed over episodes")
        EPISODE_ANSWERED = "episode_answered", _("Appeals answered on air, summed over episodes")
        EPISODE_SUPERVISED = (
            "episode_supervised",
            _("Appeals supervised after, summed over episodes"),
        )
        POLICY_DOCUMENTS = "policy_documents", _("Policy documents stored")

    class Dimension(models.TextChoices):
        DEPARTMENT = "department", _("Department")
        CATEGORY = "category", _("Appeal category")

    code = models.CharField(_("code"), max_length=80, unique=True, validators=[dotted_code])
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    target = models.ForeignKey(
        Indicator,
        verbose_name=_("checked indicator"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="check_rules",
        help_text=_("The figure the rule computes; none for a ranking."),
    )
    scale = models.PositiveIntegerField(
        _("scale"),
        default=1,
        help_text=_("What a share or rate is multiplied by: 100 for %, 100000 for per 100,000."),
    )
    record_source = models.CharField(
        _("records counted"), max_length=20, choices=RecordSource.choices, blank=True
    )
    appeal_type = models.CharField(
        _("appeal type ranked"), max_length=20, choices=AppealCount.AppealType.choices, blank=True
    )
    dimension = models.CharField(
        _("ranked by"), max_length=10, choices=Dimension.choices, blank=True
    )
    share_of = models.ForeignKey(
        Indicator,
        verbose_name=_("shares are of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The total the published shares of a ranking are taken of."),
    )
    check_type_split = models.BooleanField(
        _("all = consultation + non-consultation"),
        default=False,
        help_text=_(
            "For a ranking of all appeals by category: each category also ranked among "
            "consultation and non-consultation appeals must add up."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = CheckRuleQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("figure-check rule")
        verbose_name_plural = _("figure-check rules")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="ranking") & Q(target__isnull=True))
                | (~Q(kind="ranking") & Q(target__isnull=False)),
                name="checkrule_target_unless_ranking",
                violation_error_message=_("Every rule but a ranking checks one indicator."),
            ),
            models.CheckConstraint(
                condition=Q(scale__gte=1) & (Q(kind__in=["share", "ratio"]) | Q(scale=1)),
                name="checkrule_scale_for_shares_and_rates",
                violation_error_message=_(
                    "Only a share or a rate has a scale (100 for %, 100000 for per 100,000)."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(kind="record_count") & ~Q(record_source=""))
                | (~Q(kind="record_count") & Q(record_source="")),
                name="checkrule_record_source_for_record_counts",
                violation_error_message=_(
                    "A record-count rule, and only it, names what it counts."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(kind="ranking") & ~Q(appeal_type="") & ~Q(dimension=""))
                | (
                    ~Q(kind="ranking")
                    & Q(appeal_type="", dimension="", share_of__isnull=True, check_type_split=False)
                ),
                name="checkrule_ranking_fields_for_rankings",
                violation_error_message=_(
                    "A ranking, and only it, names the appeal type, the dimension and the total "
                    "its shares are of."
                ),
            ),
            models.CheckConstraint(
                condition=Q(check_type_split=False)
                | Q(appeal_type=AppealCount.AppealType.ALL, dimension="category"),
                name="checkrule_type_split_for_all_categories",
                violation_error_message=_(
                    "Only a ranking of all appeals by category can be split into consultation "
                    "and non-consultation."
                ),
            ),
        ]

    def __str__(self):
        return self.code

    def natural_key(self):
        return (self.code,)

    def clean(self):
        percentage = self.kind in {self.Kind.SHARE, self.Kind.RATIO} and self.scale == 100
        if self.target_id and percentage and self.target.kind != Indicator.Kind.RATE:
            raise ValidationError({"target": _("A percentage is checked on a rate.")})
        if self.target_id and self.target.kind == Indicator.Kind.TEXT:
            raise ValidationError({"target": _("A text figure cannot be computed.")})


class CheckOperandQuerySet(models.QuerySet):
    def get_by_natural_key(self, rule_code, role, order):
        return self.get(rule__code=rule_code, role=role, order=order)


class CheckOperand(models.Model):
    """A figure (or the report's population) that a rule computes from."""

    class Role(models.TextChoices):
        PART = "part", _("Part")
        NUMERATOR = "numerator", _("Numerator")
        DENOMINATOR = "denominator", _("Denominator")
        WEIGHT = "weight", _("Weight")
        VALUE = "value", _("Averaged value")

    class Source(models.TextChoices):
        FIGURE = "figure", _("A figure of the report")
        POPULATION = "population", _("The report's resident population")

    rule = models.ForeignKey(
        CheckRule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="operands"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    order = models.PositiveSmallIntegerField(
        _("order"),
        default=1,
        help_text=_("Position among the parts; pairs an averaged value with its weight."),
    )
    source = models.CharField(
        _("source"), max_length=12, choices=Source.choices, default=Source.FIGURE
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="check_operands",
    )

    objects = CheckOperandQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rule operand")
        verbose_name_plural = _("rule operands")
        ordering = ["rule", "order", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "role", "order"],
                name="checkoperand_unique_role_order",
                violation_error_message=_("This rule already has an operand in this place."),
            ),
            models.CheckConstraint(
                condition=(Q(source="figure") & Q(indicator__isnull=False))
                | (Q(source="population") & Q(indicator__isnull=True)),
                name="checkoperand_indicator_for_figures",
                violation_error_message=_(
                    "An operand is either a figure (name its indicator) or the population."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(source="population") | Q(role="denominator"),
                name="checkoperand_population_is_a_denominator",
                violation_error_message=_("The population can only be a denominator."),
            ),
        ]

    def __str__(self):
        what = self.indicator.code if self.indicator_id else self.get_source_display()
        return f"{self.rule} · {self.get_role_display()} {self.order} · {what}"

    def natural_key(self):
        return (*self.rule.natural_key(), self.role, self.order)

    natural_key.dependencies = ["hotline.checkrule", "hotline.indicator"]

    def clean(self):
        if self.rule_id and self.indicator_id and self.rule.target_id == self.indicator_id:
            raise ValidationError({"indicator": _("A rule cannot compute a figure from itself.")})
