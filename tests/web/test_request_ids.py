"""Every web request has an id: echoed in X-Request-ID and on each of its log lines."""

from __future__ import annotations

import logging

import pytest
from flask import Flask, Response
from flask.testing import FlaskClient

from workflow import logs


def test_a_generated_request_id_is_sent_back(client: FlaskClient) -> None:
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert logs.is_sane_request_id(first) and first != second


def test_a_sane_incoming_request_id_is_kept(client: FlaskClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "proxy-1234.abc"})
    assert response.headers["X-Request-ID"] == "proxy-1234.abc"


@pytest.mark.parametrize("hostile", ["a" * 500, 'x" onload=1', "id\u00e9", "<b>", "1 2"])
def test_a_hostile_request_id_is_replaced(client: FlaskClient, hostile: str) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": hostile})
    echoed = response.headers["X-Request-ID"]
    assert echoed != hostile and logs.is_sane_request_id(echoed)


def test_the_log_lines_of_a_request_carry_its_id(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    @app.after_request
    def log_something(response: Response) -> Response:
        logging.getLogger("web.test").warning("inside", extra={"idea_id": 5})
        return response

    caplog.handler.addFilter(logs.RequestIdFilter())
    with caplog.at_level(logging.WARNING, logger="web.test"):
        response = client.get("/healthz", headers={"X-Request-ID": "req-77"})
    assert response.headers["X-Request-ID"] == "req-77"
    (record,) = [r for r in caplog.records if r.name == "web.test"]
    assert record.request_id == "req-77" and record.idea_id == 5  # type: ignore[attr-defined]
    assert logs.request_id() == logs.NO_REQUEST  # reset after the request
