"""Numbers as people type them from the printed report: 1,438,746 · 92.30% · ↓8.77% · —.

Shared by the admin's figure grid and the CSV/Excel importers, so it knows nothing of either.
Each parser returns the number with the count of decimals it was written with (92.30 → 2),
or None for "not reported", and raises ValueError with a translated message for anything else.
"""

import re
import unicodedata
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
    return Decimal(f"{whole}.{fraction}" if fraction else whole), len(fraction)


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
