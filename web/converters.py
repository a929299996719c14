"""URL converters: ``<int:...>`` in every route is a database id, so it is bounded like one."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

from workflow.gates import MAX_ID


def up_to(limit: int) -> str:
    """A regular expression for the whole numbers 1 to ``limit`` in ASCII digits, without
    leading zeros (``up_to(25)``: ``[1-9]|1[0-9]|2[0-5]``)."""
    digits = str(limit)
    parts = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for index, digit in enumerate(digits):
        lowest = 1 if index == 0 else 0
        if int(digit) > lowest:  # a smaller digit here, anything after it
            rest = len(digits) - index - 1
            tail = f"[0-9]{{{rest}}}" if rest else ""
            parts.append(f"{digits[:index]}[{lowest}-{int(digit) - 1}]{tail}")
    parts.append(digits)
    return "(?:" + "|".join(parts) + ")"


class IdConverter(IntegerConverter):
    """Whole numbers from 1 to MAX_ID; anything else does not match the route, so
    ``/ideas/99999999999999999999`` is a 404 rather than a query the database refuses.

    The range is in the pattern, not only checked after it matched: Werkzeug answers 405 when
    a URL matches another method's rule and this method's converter then refuses the value.
    """

    regex = up_to(MAX_ID)

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
