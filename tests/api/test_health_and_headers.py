"""``/healthz`` and the headers every response carries."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import Web
from web import create_app
from workflow.db import Database
from workflow.notifications.tokens import status_token
from workflow.permissions import Actor
from workflow.services import users
from workflow.settings import Settings
from workflow.uow import UnitOfWork

DEAD_DATABASE = "postgresql+psycopg://nobody@127.0.0.1:9/nothing?connect_timeout=2"


def test_healthz_is_200_with_the_database_reachable(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    app = create_app(
        Settings(
            env="test",
            instance_path=tmp_path,
            database_url=DEAD_DATABASE,
            secret_key="x",
            base_url="http://ideaflow.test",
        )
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def test_security_headers(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_every_request_answers_503_with_retry_after_while_the_database_is_down(
    app: Flask, make_user: Callable[..., Actor], uow: Callable[[], UnitOfWork]
) -> None:
    manager = make_user("manager")
    with uow() as unit:
        token = users.issue_token(unit, manager.email).secret
    web = Web(app.test_client())
    web.login(manager)
    csrf = web.csrf_token()
    app.extensions["ideaflow.database"].dispose()
    app.extensions["ideaflow.database"] = Database(DEAD_DATABASE)
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    answers = [
        api.get("/api/v1/ideas", headers=bearer),
        api.post("/api/v1/ideas", json={"title": "Natbus"}, headers=bearer),
        api.get("/api/v1/openapi.json"),  # needs no database: still served
        web.client.get("/ideas", headers={"Accept-Language": "da"}),
        web.client.post("/ideas/new", data={"title": "Natbus", "csrf_token": csrf}),
        app.test_client().get(f"/status/{status_token('test-secret', 1)}"),
    ]
    statuses = [answer.status_code for answer in answers]
    assert statuses == [503, 503, 200, 503, 503, 503]
    for answer in (*answers[:2], *answers[3:]):
        assert answer.headers["Retry-After"] == "10"
    assert answers[0].get_json()["error"]["code"] == "unavailable"
    page = answers[3].get_data(as_text=True)
    assert "ideaflow er kortvarigt utilgængelig" in page and 'lang="da"' in page
