"""Numbers as the report prints them: grouped by three (1,438,746), with their printed decimals.

The one home of number writing: the public pages, the downloads, the PDF and the figure checks'
findings all write numbers through `format_number`.
"""

from decimal import Decimal

from django.utils import numberformat

from hotline.parsing import typed_decimals

DASH = "—"  # not reported; never 0 (GLOSSARY, units and changes)

# Grouped by three with commas, in both languages (1,438,746), as the hotline's reports and
# Chinese statistical bulletins print them; Django's zh-hans locale would not group at all.
DECIMAL_SEPARATOR, THOUSAND_SEPARATOR = ".", ","


def format_number(value, decimals: int | None = None) -> str:
    if value is None:
        return DASH
    # The numbers a page writes by the hundred (counts, and values with the decimals they were
    # typed with) as Python's own grouping writes them: the same text as Django's (grouped), which
    # took twice as long (tests/hotline/test_numbers.py holds the two together). A zero, a
    # value cut to fewer decimals and anything else go Django's way.
    kind = type(value)
    if kind is int and not decimals:
        return f"{value:,}"
    if kind is Decimal and value:
        exponent = value.as_tuple().exponent
        if type(exponent) is int and exponent <= 0 and decimals in (None, -exponent):
            return f"{value:,f}"
    return grouped(value, decimals)


def grouped(value, decimals: int | None = None) -> str:
    """Django's way, for every number: its numberformat, grouped by three."""
    if decimals is None:
        decimals = typed_decimals(value) if isinstance(value, Decimal) else 0
    return numberformat.format(
        value,
        DECIMAL_SEPARATOR,
        decimal_pos=decimals,
        grouping=3,
        thousand_sep=THOUSAND_SEPARATOR,
        force_grouping=True,
    )


def download_cell(number: Decimal | None, text: str) -> Decimal | str | None:
    """What a download's cell holds for a figure: its number as printed, else the text printed
    in its place (优秀); empty for a "—", never 0."""
    return number if number is not None else (text or None)
