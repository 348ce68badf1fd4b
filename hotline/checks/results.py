"""What a check finds: discrepancies, checks that could not be made, and the result of a report."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from hotline.numbers import format_number


class Period:
    """Which figures a discrepancy is about."""

    CURRENT = "current"  # this year's figures against each other or the records
    YEAR_ON_YEAR = "year_on_year"  # the published changes against last year

    @classmethod
    def label(cls, value: str) -> str:
        return _("current year") if value == cls.CURRENT else _("year on year")


@dataclass(frozen=True)
class Discrepancy:
    """A published number that disagrees with what it is computed from, beyond rounding."""

    period: str
    check: str  # the rule kind, or ranking_order / type_split / change / implied_prior
    rule_code: str  # "" for a figure's own change
    indicator_code: str | None  # the figure concerned (None for a row of a ranking)
    appeal_count_id: int | None  # the ranked row concerned
    group: str  # the table it is shown under
    label: str  # row and column, or the ranked department or category
    published: str
    computed: str
    computed_low: Decimal
    computed_high: Decimal
    arithmetic: str
    difference: Decimal  # published − computed, in the figure's unit (points for rates)
    relative_difference: Decimal | None  # % of the computed value; None for rates and changes
    unit: str
    details: tuple[str, ...] = ()
    operand_codes: tuple[str, ...] = ()
    # The year `published` and `computed` were worked back to from the printed changes: the
    # report prints neither, so they are never called printed. None when `published` is printed.
    implied_year: int | None = None
    prior_is_zero: bool = False  # a relative change from 0: nothing to compute
    sort_key: tuple = field(default=(), compare=False, repr=False)

    @property
    def off_by(self) -> str:
        whole = self.difference == self.difference.to_integral_value()
        text = f"{self.difference.to_integral_value() if whole else self.difference:+}"
        if self.unit:
            text += f" {self.unit}"
        if self.relative_difference is not None:
            text += f" ({self.relative_difference:+}%)"
        return text

    @property
    def apart(self) -> str:
        """How far apart published and computed are, unsigned, as the page writes numbers."""
        amount = abs(self.difference)
        whole = amount == amount.to_integral_value()
        text = format_number(amount.to_integral_value() if whole else amount)
        return text + self.unit if self.unit == "%" else f"{text} {self.unit}".strip()

    @property
    def finding(self) -> str:
        """What the check found, in plain words, before any arithmetic; a number is called
        printed (印发) only when the report prints it, a derived one says how it was derived."""
        values = {
            "published": self.published,
            "computed": self.computed,
            "off": self.apart,
            "year": self.implied_year,
        }
        if self.check == "implied_prior":
            return (
                _(
                    "Worked back from the printed change %(published)s, %(year)s's value would "
                    "be %(computed)s, which cannot be."
                )
                % values
            )
        if self.check == "ranking_order":
            return _("A row with fewer appeals is printed with a larger share.")
        if self.check == "change":
            if self.prior_is_zero:
                return (
                    _("Last year's value is 0, so the printed change %(published)s cannot be.")
                    % values
                )
            return (
                _(
                    "Computed from last year's report the change is %(computed)s; the report "
                    "prints %(published)s, %(off)s apart."
                )
                % values
            )
        what = computed_as(self.check) % values
        if self.implied_year:
            return _(
                "Worked back from the printed changes to %(year)s (the report prints no "
                "%(year)s values): %(what)s, while this figure works back to "
                "%(published)s, %(off)s apart."
            ) % {**values, "what": what}
        return _("%(what)s; the report prints %(published)s, %(off)s apart.") % {
            **values,
            "what": capfirst(what),
        }

    @property
    def working(self) -> str:
        """The finding, then the full arithmetic: how derived values were worked out first."""
        steps = "; ".join([*self.details, self.arithmetic])
        return _("%(finding)s Working: %(steps)s") % {"finding": self.finding, "steps": steps}

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("sort_key")
        data["details"] = list(self.details)
        data["operand_codes"] = list(self.operand_codes)
        data["off_by"] = self.off_by
        return data


def computed_as(check: str) -> str:
    """How a check's computed value came about, in words (%(computed)s is the number)."""
    words = {
        "sum": _("the parts add up to %(computed)s"),
        "share": _("the part over the whole is %(computed)s"),
        "ratio": _("the numerator over the denominator is %(computed)s"),
        "weighted_average": _("the rows' average weighted by their counts is %(computed)s"),
        "record_count": _("the records stored number %(computed)s"),
        "type_split": _("consultation and other appeals add up to %(computed)s"),
    }
    return words.get(check, _("the computed value is %(computed)s"))


@dataclass(frozen=True)
class NotChecked:
    """A check skipped, and why (a part not reported, no records stored, ...)."""

    period: str
    rule_code: str
    indicator_code: str | None
    reason: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class CheckResult:
    report: object
    prior_report: object | None
    discrepancies: list[Discrepancy]
    not_checked: list[NotChecked]
    checks_made: int

    def __post_init__(self):
        self.discrepancies.sort(key=lambda d: d.sort_key)

    @property
    def ok(self) -> bool:
        return not self.discrepancies

    @property
    def by_figure(self) -> dict[str, list[Discrepancy]]:
        """Indicator code → the discrepancies shown next to that figure."""
        grouped = defaultdict(list)
        for discrepancy in self.discrepancies:
            if discrepancy.indicator_code:
                grouped[discrepancy.indicator_code].append(discrepancy)
        return dict(grouped)

    @property
    def by_appeal_count(self) -> dict[int, list[Discrepancy]]:
        """AppealCount pk → the discrepancies shown next to that ranked row."""
        grouped = defaultdict(list)
        for discrepancy in self.discrepancies:
            if discrepancy.appeal_count_id:
                grouped[discrepancy.appeal_count_id].append(discrepancy)
        return dict(grouped)

    @property
    def by_group(self) -> dict[str, list[Discrepancy]]:
        """Table heading → its discrepancies, in the order of the printed report."""
        grouped = defaultdict(list)
        for discrepancy in self.discrepancies:
            grouped[discrepancy.group].append(discrepancy)
        return dict(grouped)

    def involving(self, indicator_code: str) -> list[Discrepancy]:
        """Discrepancies of a figure or of a rule the figure is a part of."""
        return [
            d
            for d in self.discrepancies
            if d.indicator_code == indicator_code or indicator_code in d.operand_codes
        ]

    def as_dict(self) -> dict:
        return {
            "report": str(self.report),
            "prior_report": str(self.prior_report) if self.prior_report else None,
            "prior_report_status": self.prior_report.status if self.prior_report else None,
            "checks_made": self.checks_made,
            "discrepancies": [d.as_dict() for d in self.discrepancies],
            "not_checked": [n.as_dict() for n in self.not_checked],
        }
