"""CSV for every list: UTF-8 with a BOM, so that Excel and WPS open Chinese text correctly."""

import csv
import io
import json
import re

from rest_framework import renderers

BOM = "\ufeff"
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def neutralise(value: str) -> str:
    """Quote a text that a spreadsheet would run as a formula; a negative number stays a number."""
    if value.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return neutralise("; ".join("" if v is None else str(v) for v in value))
    if isinstance(value, dict | list):
        return neutralise(json.dumps(value, ensure_ascii=False))
    return neutralise(str(value))


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            rows = data["results"]  # a page; the next page is in the Link header
        elif isinstance(data, list):
            rows = data
        elif data is None:
            rows = []
        else:
            rows = [data]
        header = self.header(rows, renderer_context)
        out = io.StringIO()
        out.write(BOM)
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([cell(row.get(name)) for name in header])
        response = renderer_context.get("response")
        view = renderer_context.get("view")
        if response is not None and view is not None and response.status_code < 400:
            name = getattr(view, "basename", None) or "data"
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return out.getvalue().encode(self.charset)

    def header(self, rows, renderer_context) -> list[str]:
        names = list(dict.fromkeys(name for row in rows for name in row))
        if names:
            return names
        # An empty list still says what its columns are.
        view = renderer_context.get("view")
        response = renderer_context.get("response")
        ok = response is not None and response.status_code < 400
        if ok and hasattr(view, "get_serializer_class"):
            return list(view.get_serializer().fields)
        return []
