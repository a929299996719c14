"""Input no page can use, refused before any view sees it (the API has web.api.inputs)."""

from __future__ import annotations

from flask import Flask, request

from web.api import PREFIX
from web.api.inputs import NUL, nul_field
from web.errors import error_page
from workflow.gates import N_

NUL_DETAIL = N_("What was sent holds a NUL character (U+0000), which no text may contain.")


def init_app(app: Flask) -> None:
    """Answer 422 (the error page, with why) when a page's address or form holds a NUL:
    PostgreSQL cannot store or even compare such text, so it must never reach a query."""

    @app.before_request
    def refuse_nul() -> tuple[str, int] | None:
        if request.path.startswith(PREFIX + "/"):
            return None  # the API answers in JSON, after authentication (web.api.auth)
        in_path = any(NUL in str(value) for value in (request.view_args or {}).values())
        if in_path or nul_field() is not None:
            return error_page(422, NUL_DETAIL)
        return None
