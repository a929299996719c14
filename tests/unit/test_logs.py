"""IDEAFLOW_LOG_FORMAT=json: one JSON object per line, with the request id and every extra."""

from __future__ import annotations

import io
import json
import logging

from workflow import logs


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
