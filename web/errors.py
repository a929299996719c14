"""Errors as JSON on the API (never an HTML page), with the status each kind deserves."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request, session
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug import exceptions as http
from werkzeug.exceptions import HTTPException

from workflow.errors import (
    Forbidden,
    InvalidTransition,
    NotFound,
    ReferencedIdeaMerged,
    ValidationFailed,
    VersionConflict,
    WorkflowError,
)
from workflow.importer.errors import MinutesRejected

logger = logging.getLogger(__name__)
RETRY_AFTER_S = 10  # what a client is told to wait while the database cannot be reached

STATUS_BY_ERROR: dict[type[WorkflowError], int] = {
    NotFound: 404,
    Forbidden: 403,
    InvalidTransition: 409,
    ReferencedIdeaMerged: 409,
    VersionConflict: 409,
    ValidationFailed: 422,
    MinutesRejected: 422,
}


def error_response(status: int, code: str, message: str, **details: Any) -> Response:
    """The API's error body: ``{"error": {"code", "message", ...}}``."""
    response = jsonify(error={"code": code, "message": message, **details})
    response.status_code = status
    return response


class ExplainedForbidden(http.Forbidden):
    """A 403 whose page says why, in the user's language (``detail`` is a message id)."""

    def __init__(self, detail: str | None = None) -> None:
        super().__init__()
        self.page_detail = detail


def error_page(status: int, detail: str | None) -> tuple[str, int]:
    """An error as an HTML page, in the user's language (detail only for our own messages),
    with a way back to the idea when the page was about one."""
    from flask import render_template, url_for

    try:
        idea_id = (request.view_args or {}).get("idea_id")
        back = url_for("ideas.idea_detail", idea_id=idea_id) if isinstance(idea_id, int) else None
        page = render_template("errors/error.html", status=status, detail=detail, back_url=back)
        return page, status
    except Exception:  # an error page must never fail: fall back to plain text
        logger.exception("the error page itself failed")
        return f"Error {status}", status


def _page_detail(error: WorkflowError) -> str | None:
    """What an error page adds to its status text, in the user's language (None: nothing)."""
    if isinstance(error, InvalidTransition):
        from flask_babel import gettext

        from web.i18n import STATE_NAMES

        return str(
            gettext(
                "This step cannot be taken while the idea is “%(state)s”.",
                state=STATE_NAMES.get(error.state, error.state),
            )
        )
    return None  # our English messages name ids and fields; the page's own text says enough


def database_unavailable(error: BaseException) -> bool:
    """True for errors that mean the database cannot be reached right now (down, restarting,
    a dropped connection, every pooled connection busy), as opposed to a wrong query."""
    if isinstance(error, OperationalError | InterfaceError | PoolTimeout):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def unavailable_response() -> Response | tuple[str, int, dict[str, str]]:
    """503 with Retry-After, as JSON on the API and as a page that needs no database."""
    headers = {"Retry-After": str(RETRY_AFTER_S)}
    if _wants_json():
        response = error_response(
            503, "unavailable", "The database cannot be reached; try again shortly."
        )
        response.headers.update(headers)
        return response
    from flask import current_app
    from flask_babel import force_locale

    from workflow.i18n import DEFAULT_LANGUAGE, LANGUAGES

    # The page must not ask the database who is signed in, so it is rendered without the
    # context processors (Flask-Login's loads the user), in the language of the session
    # cookie or the browser.
    language = session.get("lang") or request.accept_languages.best_match(LANGUAGES)
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    template = current_app.jinja_env.get_template("errors/unavailable.html")
    with force_locale(language):
        page = template.render(retry_after=RETRY_AFTER_S, current_language=language)
    return page, 503, headers


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def init_app(app: Flask) -> None:
    """Register the handlers that turn errors into responses."""

    @app.errorhandler(WorkflowError)
    def workflow_error(error: WorkflowError) -> Response | tuple[str, int]:
        status = next(
            (code for kind, code in STATUS_BY_ERROR.items() if isinstance(error, kind)), 400
        )
        if not _wants_json():
            return error_page(status, _page_detail(error))
        return error_response(status, error.code, error.message, **error.details())

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response | tuple[str, int]:
        if not _wants_json():
            return error_page(error.code or 500, getattr(error, "page_detail", None))
        code = (error.name or "error").lower().replace(" ", "_")
        response = error_response(error.code or 500, code, error.description or error.name)
        if error.code == 405 and error.valid_methods:  # type: ignore[attr-defined]
            response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> Response | tuple[str, int] | tuple[str, int, Any]:
        if database_unavailable(error):
            logger.error("database unavailable on %s %s: %s", request.method, request.path,
                         error.__class__.__name__)  # fmt: skip
            return unavailable_response()
        logger.exception("unhandled error on %s %s", request.method, request.path)
        if _wants_json():
            return error_response(500, "internal_error", "Something went wrong on our side.")
        return error_page(500, None)
