"""Values as people type them from the printed report: 1,438,746 · 92.30% · ↓8.77% · — ·
2023.1.1 · 2020.1.1—2023.12.31.

Shared by the admin's figure grid and the CSV/Excel importers, so it knows nothing of either.
Each number parser returns the number with the count of decimals it was written with
(92.30 → 2), or None for "not reported", and raises ValueError with a translated message for
anything else. That is the one rule of a figure's decimals: those it was typed or printed with
(typed_decimals), kept beside the number (Figure.PRINTED_DECIMALS) and written back with it
(hotline.models.reports.printed).
"""

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _

# What the report prints, and staff type, for "not reported" (after normalising "－" to "-").
NOT_REPORTED = frozenset({"", "-", "--", "—", "——", "–", "―", "/"})

# Whole part: plain digits, or groups of three split by commas or (from PDFs) spaces.
_NUMBER = re.compile(
    r"(?P<whole>\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+|\d*)(?:\.(?P<fraction>\d+))?"
)
_SEPARATED = re.compile(r"[\d, ]+(?:\.\d+)?")

_DOWN = ("↓", "下降", "减少", "降低", "下滑")
_UP = ("↑", "上升", "增长", "增加", "提高", "提升")
_FLAT = "持平"
_POINTS = ("个百分点", "百分点", "pp")


def normalise(text) -> str:
    """Half-width, trimmed text: full-width digits and punctuation as typed by a Chinese IME."""
    text = unicodedata.normalize("NFKC", "" if text is None else str(text))
    # NFKC leaves the minus sign alone; people paste it from Word.
    return text.replace("\u2212", "-").strip()


def is_not_reported(text) -> bool:
    return normalise(text) in NOT_REPORTED


def _number(body: str, original) -> tuple[Decimal, int]:
    match = _NUMBER.fullmatch(body)
    if not match or not (match["whole"] or match["fraction"]):
        if body and _SEPARATED.fullmatch(body):
            raise ValueError(
                _("“%(text)s”: the thousands separators are in the wrong places.")
                % {"text": original}
            )
        raise ValueError(
            _("“%(text)s” is not a number. Write it like 1438746, 1,438,746 or 92.30%%.")
            % {"text": original}
        )
    whole = re.sub(r"[, ]", "", match["whole"]) or "0"
    fraction = match["fraction"] or ""
    number = Decimal(f"{whole}.{fraction}" if fraction else whole)
    return number, typed_decimals(number)


def typed_decimals(number: Decimal) -> int:
    """The decimals a number was written with, which a Decimal read from its text keeps:
    92.30 → 2, 1438746 → 0. (A float has none of its own: read it from its text.)"""
    return max(0, -number.as_tuple().exponent)


def parse_decimal(text) -> tuple[Decimal, int] | None:
    """A published value: "1438746", "1,438,746", "92.30%", "１２３", "-5"; None for "—".

    A sign is accepted so that a negative count reaches the model's constraint and gets its
    message there, rather than a vaguer one here.
    """
    body = normalise(text)
    if body in NOT_REPORTED:
        return None
    if body.endswith("%"):
        body = body[:-1].rstrip()
    negative = body.startswith("-")
    if body and body[0] in "+-":
        body = body[1:].lstrip()
    value, decimals = _number(body, text)
    return (-value if negative and value else value), decimals


def parse_change(text) -> tuple[Decimal, int] | None:
    """A published year-on-year change, signed: "↓8.77%", "-8.77", "下降8.77%", "↑240%",
    "+240", "上升240%", "上升0.5个百分点", "(↓8.77%)", "持平"; None for empty or "—"."""
    body = normalise(text)
    if body.startswith("(") and body.endswith(")"):
        body = body[1:-1].strip()
    if body.startswith("同比"):
        body = body[2:].lstrip()
    if body in NOT_REPORTED:
        return None
    if body == _FLAT:
        return Decimal(0), 0

    direction = None
    for words, sign in ((_DOWN, -1), (_UP, 1)):
        for word in words:
            if body.startswith(word):
                body, direction = body[len(word) :].lstrip(), sign
            elif len(word) == 1 and body.endswith(word):
                body, direction = body[:-1].rstrip(), sign
    for suffix in (*_POINTS, "%"):
        if body.endswith(suffix):
            body = body[: -len(suffix)].rstrip()
            break
    if body and body[0] in "+-":
        if direction is not None:
            raise ValueError(
                _("“%(text)s” gives the direction twice; write ↓8.77%% or -8.77.") % {"text": text}
            )
        direction = -1 if body[0] == "-" else 1
        body = body[1:].lstrip()
    try:
        value, decimals = _number(body, text)
    except ValueError:
        raise ValueError(
            _("“%(text)s” is not a change. Write it like ↓8.77%%, -8.77, 下降8.77%% or +240.")
            % {"text": text}
        ) from None
    return (-value if direction == -1 and value else value), decimals


def format_decimal(value: Decimal | None) -> str:
    """A value as staff would type it back: 1438746, 92.30 (never 9.23E+1)."""
    return "" if value is None else format(value, "f")


def format_change(value: Decimal | None) -> str:
    """A change with its sign, so that "+240" and "-8.77" read back the same way."""
    if value is None:
        return ""
    if value == 0:
        return format(abs(value), "f")
    return format(value, "+f")


def parse_integer(text) -> int | None:
    """A count: "1438746", "1,438,746", "１２３"; None for "—"."""
    if type(text) is str and len(text) < 19 and text.isascii() and text.isdigit():
        return int(text)  # plain digits, most cells of a large file: the same, in short
    try:
        parsed = parse_decimal(text)
    except ValueError:
        parsed = False
    # Not `% 1`, which a Decimal of more than 28 digits cannot do (it raises).
    if parsed is False or (parsed is not None and parsed[0] != parsed[0].to_integral_value()):
        raise ValueError(_("“%(text)s” is not a whole number.") % {"text": text})
    return None if parsed is None else int(parsed[0])


# 2023-01-01 · 2023.1.1 · 2023/1/1 · 2023年1月1日, and the midnight Excel adds to a date.
_DATE = r"\d{4}\s*(?:[-./]|年)\s*\d{1,2}\s*(?:[-./]|月)\s*\d{1,2}\s*日?"
_DATE_PARTS = re.compile(
    r"(?P<year>\d{4})\s*(?:[-./]|年)\s*(?P<month>\d{1,2})\s*(?:[-./]|月)\s*(?P<day>\d{1,2})"
    r"\s*日?(?:\s+0{1,2}:00(?::00)?)?"
)
# An ISO date holds hyphens too; the regular expression decides which one separates.
_PERIOD = re.compile(rf"(?P<start>{_DATE})?\s*(?:—+|–|―|~|至|到|-{{1,2}})\s*(?P<end>{_DATE})?")


def parse_date(text) -> date | None:
    """A date: "2023-01-01", "2023.1.1", "2023/1/1", "2023年1月1日", or one a spreadsheet
    already read as a date; None for empty or "—"."""
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    body = normalise(text)
    if body in NOT_REPORTED:
        return None
    match = _DATE_PARTS.fullmatch(body)
    if not match:
        raise ValueError(
            _("“%(text)s” is not a date. Write it like 2023-01-01, 2023.1.1 or 2023年1月1日.")
            % {"text": text}
        )
    try:
        return date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        raise ValueError(_("“%(text)s” is not a day of the calendar.") % {"text": text}) from None


def parse_period(text) -> tuple[date | None, date | None]:
    """A period as the register prints it: "2020.1.1—2023.12.31" (also with -, –, ~, 至 or
    to; either end may be left open); (None, None) for empty or "—"."""
    body = normalise(text)
    if body.startswith("(") and body.endswith(")"):
        body = body[1:-1].strip()
    if body in NOT_REPORTED:
        return None, None
    match = _PERIOD.fullmatch(body)
    if not match or not (match["start"] or match["end"]):
        raise ValueError(
            _("“%(text)s” is not a period. Write it like 2020.1.1—2023.12.31.") % {"text": text}
        )
    return parse_date(match["start"]), parse_date(match["end"])


def format_date(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def format_period(start: date | None, end: date | None) -> str:
    """As printed: 2020.1.1—2023.12.31; an open end stays empty."""
    if start is None and end is None:
        return ""

    def dotted(day):
        return "" if day is None else f"{day.year}.{day.month}.{day.day}"

    return f"{dotted(start)}—{dotted(end)}"
