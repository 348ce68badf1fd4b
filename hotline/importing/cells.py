"""Cells as a spreadsheet gives them back, and as they are written out.

A number in an XLSX cell is a float; what staff typed is what the cell shows, so its decimals
come from the cell's number format (92.30 under "0.00" is "92.30", 0.923 under "0.00%" is
"92.30%"). Text that a spreadsheet would run as a formula is written with an apostrophe in
CSV (a quote prefix in XLSX: hotline.writers) and read back without it.
"""

import re
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from hotline.writers import FORMULA_STARTS, SEPARATOR, list_text

_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_DECIMALS = re.compile(r"[0#?]\.([0#?]+)")
# The writers' separator first, and what people type besides.
_LIST_SEPARATORS = re.compile(rf"[{SEPARATOR},，;；\n\r]+")
_XLSX_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _format_parts(number_format: str | None) -> tuple[int | None, bool]:
    """(decimals shown, whether it is a percentage) of an Excel number format's first part."""
    if not number_format:  # "General" and "@" (text) fall through: no digits, no %
        return None, False
    section = _QUOTED.sub("", number_format.split(";")[0])
    match = _DECIMALS.search(section)
    decimals = len(match[1]) if match else (0 if re.search(r"[0#]", section) else None)
    return decimals, "%" in section


def number_text(value, number_format: str | None = None) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        number = Decimal(value)
    else:
        # repr() is the shortest text that reads back as the same float: 92.3, not 92.299999…
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        return str(number)  # NaN, Infinity: not a number, as the column's parser will say
    decimals, percent = _format_parts(number_format)
    if percent:
        number *= 100
    try:
        if decimals is not None:
            # As the cell shows it: Excel and WPS round half away from zero.
            number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        elif isinstance(value, float) and number == number.to_integral_value():
            # A float has no decimals of its own (92.0 is 92); a Decimal keeps those written.
            number = number.quantize(Decimal(1))
    except InvalidOperation:
        pass  # more digits than a Decimal holds (1e300): far too large for any column anyway
    text = format(number, "f")
    return f"{text}%" if percent else text


def cell_text(value, number_format: str | None = None):
    """A cell as text (a date stays a date): None → "", numbers as shown, text trimmed and
    without the apostrophe that kept it from running as a formula."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value if value.time() != time(0) else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float | Decimal):
        return number_text(value, number_format)
    if isinstance(value, list | tuple):
        return list_text(str(v) for v in value if v is not None)
    text = str(value).strip()
    if text[:1] == "'" and text[1:2] and text[1:2] in "".join(FORMULA_STARTS):
        return text[1:]
    return text


def xlsx_cell_text(cell):
    """A workbook's cell as text (cell_text), its escapes decoded: Excel and XlsxWriter write
    a control character as `_xHHHH_` (a carriage return: `_x000D_`) and a literal `_xHHHH_` as
    `_x005F_xHHHH_`, which openpyxl leaves as they are."""
    value = cell.value
    if isinstance(value, str) and "_x" in value:
        value = _XLSX_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), value)
    return cell_text(value, getattr(cell, "number_format", None))


def split_list(text) -> list[str]:
    """Names in one cell: separated by 、 as Chinese lists are written, or , ; and newlines."""
    return [part.strip() for part in _LIST_SEPARATORS.split(str(text or "")) if part.strip()]
