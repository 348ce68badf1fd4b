"""The API's JSON, and every list as CSV, written by the site's one writer (hotline.writers):
UTF-8 with a BOM, numbers as numbers, formulas neutralised, lists joined by 、."""

from decimal import Decimal

import orjson
from django.utils.translation import gettext as _
from rest_framework import exceptions, negotiation, renderers, serializers
from rest_framework.utils.encoders import JSONEncoder

from hotline import writers
from hotline.numbers import download_cell


class JSONRenderer(renderers.JSONRenderer):
    """REST framework's JSON, written by orjson: a page of 100 figures took 0.72 ms through
    json.dumps, 0.17 ms here. What orjson has no way of its own for (decimals, dates and times,
    lazy texts) goes through REST framework's encoder, so the bytes are the same; floats, which
    no answer holds, would differ: another exponent (1e16, not 1e+16), and NaN written as null
    where json.dumps refuses it.
    Indented JSON (the browsable API, `; indent=`) and settings other than the defaults are
    left to REST framework."""

    OPTIONS = (
        orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
    )
    default = staticmethod(JSONEncoder().default)

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if (
            data is None
            or self.get_indent(accepted_media_type, renderer_context or {}) is not None
            or self.ensure_ascii
            or not self.compact
            or not self.strict
        ):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            written = orjson.dumps(data, default=self.default, option=self.OPTIONS)
        except orjson.JSONEncodeError:  # beyond orjson (an integer over 64 bits): as before
            return super().render(data, accepted_media_type, renderer_context)
        # Escaped as REST framework does, so that the JSON is also a JavaScript literal.
        return written.replace(LINE_SEPARATOR, rb"\u2028").replace(PARAGRAPH_SEPARATOR, rb"\u2029")


LINE_SEPARATOR, PARAGRAPH_SEPARATOR = "\u2028".encode(), "\u2029".encode()


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            rows = written = data["results"]  # a page; the next page is in the Link header
        elif isinstance(data, list):
            rows = written = data
        elif data is None:
            rows, written = [], None
        else:
            rows, written = [data], data
        header = self.header(rows, renderer_context)
        numbers = decimal_fields(written)
        table = writers.Table(
            name="data",
            columns=[(name, name) for name in header],
            rows=(typed(row, numbers) for row in rows),
        )
        response = renderer_context.get("response")
        view = renderer_context.get("view")
        if response is not None and view is not None and response.status_code < 400:
            name = getattr(view, "basename", None) or "data"
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return b"".join(writers.iter_csv(table))

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


def decimal_fields(written) -> set[str]:
    """The fields that the serializer which wrote the data declares as decimals: Django REST
    framework writes them as strings, and the writer must see numbers."""
    serializer = getattr(written, "serializer", None)
    serializer = getattr(serializer, "child", serializer)
    fields = getattr(serializer, "fields", {})
    return {name for name, field in fields.items() if isinstance(field, serializers.DecimalField)}


def typed(row: dict, numbers: set[str]) -> dict:
    return {
        name: Decimal(value) if name in numbers and isinstance(value, str) else value
        for name, value in row.items()
    }


class ContentNegotiation(negotiation.DefaultContentNegotiation):
    """`?format=` names a format the API writes, once; anything else (`format=`, `format=xml`)
    is a 400 that names the parameter, not a silent JSON or a 404."""

    def select_renderer(self, request, renderers, format_suffix=None):
        given = request.query_params.getlist(self.settings.URL_FORMAT_OVERRIDE)
        if given and (len(given) > 1 or given[0] not in {r.format for r in renderers}):
            raise exceptions.ValidationError(
                {self.settings.URL_FORMAT_OVERRIDE: [_("Give one format: json or csv.")]}
            )
        return super().select_renderer(request, renderers, format_suffix)


class ProvinceCSVRenderer(CSVRenderer):
    """The province's view as CSV: one row per indicator, each published city a column (its
    printed value, or what it printed instead), then the total and how many cities it covers."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            cities = dict.fromkeys(city["city"] for city in data["reports"])
            data = [
                {
                    **{name: row[name] for name in ("indicator", "table", "kind", "unit")},
                    **cities,
                    **{figure["city"]: cell(figure) for figure in row["figures"]},
                    "total": Decimal(row["total"]) if row["total"] is not None else None,
                    "total_cities": row["total_cities"],
                }
                for row in data["results"]
            ]
        return super().render(data, accepted_media_type, renderer_context)


def cell(figure: dict):
    value = figure["value"]  # as serialized: the printed number, as a string
    return download_cell(Decimal(value) if value is not None else None, figure["text"])
