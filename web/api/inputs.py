"""Request input the API accepts at all: JSON objects of plain Unicode text, not nested deeply.

PostgreSQL cannot store or even compare text holding NUL (U+0000), and text with an unpaired
surrogate (``"\\ud800"`` is valid JSON syntax) cannot be encoded for the database or the answer,
so both are refused at the door with a 422 rather than reaching a query and failing there.
Bodies nested deeper than any operation needs are refused before anything walks them (a
thousand levels of ``[`` would otherwise exhaust the interpreter's stack): 400, like any body
that is not JSON. ``NaN`` and ``Infinity`` are not JSON either, though Python reads them.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import request
from werkzeug.exceptions import BadRequest

from workflow.errors import ValidationFailed

NUL = "\x00"
MAX_DEPTH = 20  # the deepest body an operation takes is 3 levels ({"data": {"scale_to": [...]}})
_SURROGATE = re.compile("[\ud800-\udfff]")
TOO_DEEP = f"The body is nested too deeply (at most {MAX_DEPTH} levels)."


def nul_field() -> str | None:
    """The name of the first query-string value, form value or uploaded file's name that holds
    a NUL character (None: there is none)."""
    files = [(name, upload.filename) for name, upload in request.files.items(multi=True)]
    for name, value in [*request.args.items(multi=True), *request.form.items(multi=True), *files]:
        # A multipart part may come without a name or a file name (None).
        if NUL in (name or "") or NUL in (value or ""):
            return (name or "").replace(NUL, "") or "?"
    return None


def refuse_nul_in_query() -> None:
    """422 when a query-string value, form value or file name holds a NUL character."""
    name = nul_field()
    if name is not None:
        raise ValidationFailed({name: "Must not contain NUL characters."})


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON value")


def _text_problem(text: str) -> str | None:
    if NUL in text:
        return "Text must not contain NUL characters."
    if _SURROGATE.search(text):
        return "Text must be valid Unicode: it holds an unpaired surrogate."
    return None


def check_json(value: Any) -> None:
    """Refuse a decoded body nested deeper than MAX_DEPTH (400) or holding text the database
    cannot take (422). Iterative, so that no body can exhaust the stack."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            problem = _text_problem(item)
            if problem:
                raise ValidationFailed({"body": problem})
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                raise BadRequest(TOO_DEEP)
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)


def json_object() -> dict[str, Any]:
    """The request body, which must be a JSON object (malformed or too deeply nested JSON is a
    400; text with NUL characters or unpaired surrogates is a 422)."""
    try:
        body = json.loads(request.get_data(cache=True), parse_constant=_not_json)
    except RecursionError:
        raise BadRequest(TOO_DEEP) from None
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, NaN and Infinity
        raise BadRequest(f"The body is not valid JSON: {error}") from None
    check_json(body)
    if not isinstance(body, dict):
        raise ValidationFailed({"body": "Must be a JSON object."})
    return body
