"""Log lines you can follow: a request id on every line, and JSON when IDEAFLOW_LOG_FORMAT=json.

The request id lives in a context variable: the web sets it per request (``X-Request-ID``), a
Celery task sets its task id. ``RequestIdFilter`` copies it onto each record, so the text format
can show it and ``JsonFormatter`` writes it with every ``extra=`` field of the record.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TypeGuard

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
NO_REQUEST = "-"
# What an incoming X-Request-ID may be to be kept: a short token, nothing to inject into a log.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}")

_request_id: ContextVar[str] = ContextVar("ideaflow_request_id", default=NO_REQUEST)
# Attributes every LogRecord has; anything else on a record came in through ``extra=``.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}


def request_id() -> str:
    """The id of the request or task this code runs for ("-" outside one)."""
    return _request_id.get()


def is_sane_request_id(value: str | None) -> TypeGuard[str]:
    """True for an incoming request id worth keeping (short, plain characters)."""
    return value is not None and SANE_REQUEST_ID.fullmatch(value) is not None


def set_request_id(value: str) -> object:
    """Make ``value`` the current request id; returns a token for ``reset_request_id``."""
    return _request_id.set(value)


def reset_request_id(token: object) -> None:
    """Go back to the request id before ``set_request_id``."""
    _request_id.reset(token)  # type: ignore[arg-type]


@contextmanager
def request_context(value: str) -> Iterator[None]:
    """Run the block with ``value`` as the request id."""
    token = _request_id.set(value)
    try:
        yield
    finally:
        _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record (as ``record.request_id``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add the request id; never drops a record."""
        if not hasattr(record, "request_id"):
            record.request_id = request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and the extras."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def prepare_handler(handler: logging.Handler, log_format: str) -> None:
    """Give ``handler`` the request id filter and, for ``json``, the JSON formatter."""
    if not any(isinstance(found, RequestIdFilter) for found in handler.filters):
        handler.addFilter(RequestIdFilter())
    if log_format == "json":
        handler.setFormatter(JsonFormatter())


def configure_logging(
    log_format: str, level: int | str = logging.WARNING, text_format: str = TEXT_FORMAT
) -> None:
    """Log to stderr in ``log_format`` at ``level`` (the CLI and the server call this once)."""
    handler = logging.StreamHandler()
    json_lines = log_format == "json"
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(text_format))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
