"""JSON bodies from outside, with their nesting bounded.

Python's decoder recurses once per level: a body nested about a thousand levels deep raises
RecursionError, and one just below that limit breaks whatever walks it next (validation,
error messages, rendering). No body the project takes nests deeper than a few levels, so
anything past MAX_DEPTH is refused as malformed, before any code walks it.
"""

import json
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


class JSONTooDeep(ValueError):
    """A JSON document nested deeper than MAX_DEPTH."""

    def __init__(self) -> None:
        super().__init__(_("JSON nested more than %(depth)d levels deep.") % {"depth": MAX_DEPTH})


def depth_check(value: Any) -> Any:
    """`value` as it is, if its lists and objects nest at most MAX_DEPTH levels; else JSONTooDeep.
    Iterative, so that any depth the decoder returned can be measured."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_DEPTH:
            raise JSONTooDeep()
        pending.extend((child, depth + 1) for child in children)
    return value


def json_parse(data: str | bytes) -> Any:
    """json.loads with the nesting bound: ValueError (JSONTooDeep or json's own) if malformed."""
    try:
        return depth_check(json.loads(data))
    except RecursionError:
        raise JSONTooDeep() from None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser (the API's default) with the nesting bound: too deep is a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return depth_check(super().parse(stream, media_type, parser_context))
        except (RecursionError, JSONTooDeep):
            raise ParseError(str(JSONTooDeep())) from None
