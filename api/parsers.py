"""JSON in, with numbers read as they are written."""

import codecs
from decimal import Decimal

from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json


class JSONParser(parsers.JSONParser):
    """A number with a fraction is read as a Decimal, which keeps the decimals it is written
    with: 91.50 stays 91.50 (two decimals), where a float would make it 91.5."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            decoded = codecs.getreader(encoding)(stream)
            parse_constant = json.strict_constant if self.strict else None
            return json.load(decoded, parse_constant=parse_constant, parse_float=Decimal)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
