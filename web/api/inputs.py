"""Request input the API accepts at all: JSON objects, and no NUL characters anywhere.

PostgreSQL cannot store or even compare text holding NUL (U+0000), so a NUL is refused at the
door with a 422 rather than reaching a query and failing there.
"""

from __future__ import annotations

from typing import Any

from flask import request

from workflow.errors import ValidationFailed

NUL = "\x00"


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def refuse_nul_in_query() -> None:
    """422 when a query-string or form value holds a NUL character."""
    for name, value in [*request.args.items(multi=True), *request.form.items(multi=True)]:
        if NUL in name or NUL in value:
            raise ValidationFailed({name.replace(NUL, ""): "Must not contain NUL characters."})


def json_object() -> dict[str, Any]:
    """The request body, which must be a JSON object without NULs (malformed JSON is a 400)."""
    body = request.get_json(force=True, silent=False)
    if not isinstance(body, dict):
        raise ValidationFailed({"body": "Must be a JSON object."})
    if _holds_nul(body):
        raise ValidationFailed({"body": "Text must not contain NUL characters."})
    return body
