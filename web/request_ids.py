"""A request id per web request: taken from a sane ``X-Request-ID``, else made here; sent back
in the response's ``X-Request-ID`` and put on every log line of the request."""

from __future__ import annotations

import uuid

from flask import Flask, Response, g, request

from workflow import logs

HEADER = "X-Request-ID"


def init_app(app: Flask) -> None:
    """Give every request an id (before any other hook, so its log lines carry it)."""
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)
    app.after_request(_echo)
    app.teardown_request(_end)


def _begin() -> None:
    incoming = request.headers.get(HEADER)
    value = incoming if logs.is_sane_request_id(incoming) else uuid.uuid4().hex
    g.request_id = value
    g.request_id_token = logs.set_request_id(value)


def _echo(response: Response) -> Response:
    if "request_id" in g:
        response.headers[HEADER] = g.request_id
    return response


def _end(_error: BaseException | None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        logs.reset_request_id(token)
