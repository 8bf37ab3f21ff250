"""The API's JSON parser: a body nested deeper than Python can parse is a 400 in the API's error
shape, not a RecursionError and a 500. (A body over DATA_UPLOAD_MAX_MEMORY_SIZE is refused
before any parser reads it: Django raises RequestDataTooBig, which shop.api.errors answers
with a 413.)"""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

NESTED_TOO_DEEPLY = "The JSON body is nested too deeply to read."


class ShopJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type=media_type, parser_context=parser_context)
        except RecursionError:
            # Python's json module recurses once per level of [ or {: a few thousand levels end it.
            raise ParseError(NESTED_TOO_DEEPLY) from None
