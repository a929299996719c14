"""IDEAFLOW_LOG_FORMAT=json: one JSON object per line, with the request id and every extra."""

from __future__ import annotations

import io
import json
import logging
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from tasks import celery_app
from tasks.celery_app import create_celery
from web import server
from workflow import logs
from workflow.settings import Settings


def _logger(stream: io.StringIO) -> logging.Logger:
    handler = logging.StreamHandler(stream)
    logs.prepare_handler(handler, "json")
    logger = logging.getLogger("tests.logs")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def test_a_json_line_has_the_fields_the_request_id_and_every_extra() -> None:
    stream = io.StringIO()
    logger = _logger(stream)
    with logs.request_context("req-1"):
        logger.info(
            "sent %s", "mail", extra={"outbox_id": 4, "notification_id": 9, "smtp_reply": "250 OK"}
        )
    logger.warning("outside\nspanning lines")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "sent mail" and first["level"] == "INFO"
    assert first["logger"] == "tests.logs" and first["time"].endswith("+00:00")
    assert first["request_id"] == "req-1"
    assert (first["outbox_id"], first["notification_id"], first["smtp_reply"]) == (4, 9, "250 OK")
    assert (
        second["request_id"] == logs.NO_REQUEST and second["message"] == "outside\nspanning lines"
    )


def test_an_exception_goes_into_the_same_line() -> None:
    stream = io.StringIO()
    logger = _logger(stream)
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("failed", extra={"attempt": 2, "event": object()})
    (line,) = stream.getvalue().splitlines()
    entry = json.loads(line)
    assert "ValueError: boom" in entry["exception"] and entry["attempt"] == 2
    assert entry["event"].startswith("<object")  # whatever cannot be JSON is its text


def test_only_plain_short_request_ids_are_kept() -> None:
    assert logs.is_sane_request_id("3f2a-9c.1_b")
    for hostile in (None, "", "a" * 129, "x\ny", "<script>", "id with spaces", "-leading"):
        assert not logs.is_sane_request_id(hostile)


def test_a_celery_task_logs_under_its_task_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(celery_app, "_log_format", ["text"])  # restored afterwards
    settings = Settings(env="test", instance_path=tmp_path, secret_key="k", log_format="json")
    app = create_celery(settings, set_as_current=False)

    @app.task(name="tests.request_id")
    def which() -> str:
        return logs.request_id()

    assert which.apply(task_id="task-42").get() == "task-42"
    assert logs.request_id() == logs.NO_REQUEST
    handler = logging.StreamHandler(io.StringIO())
    celery_app._log_lines(logger=_with(handler))
    assert isinstance(handler.formatter, logs.JsonFormatter)


def test_the_servers_access_line_carries_the_request_id_it_sent_back() -> None:
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", server.ACCESS_LOG_FORMAT)
    logger = type("JsonServerLogger", (server._IdeaflowLogger,), {"log_format": "json"})(config)
    stream = io.StringIO()
    (handler,) = logger.access_log.handlers
    handler.setStream(stream)
    response = SimpleNamespace(
        headers=[("X-Request-ID", "req-9")], status="200 OK", sent=2, response_length=2
    )
    request = SimpleNamespace(headers=[], method="GET", path="/healthz", query="", version=(1, 1))
    environ = {
        "REMOTE_ADDR": "127.0.0.1",
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/healthz",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    logger.access(response, request, environ, timedelta(seconds=0.01))
    entry = json.loads(stream.getvalue())
    assert entry["request_id"] == "req-9" and entry["message"].endswith(" req-9")


def _with(handler: logging.Handler) -> logging.Logger:
    logger = logging.getLogger("tests.celery-handlers")
    logger.handlers[:] = [handler]
    return logger
