"""``/healthz`` and the headers every response carries."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from web import create_app
from workflow.settings import Settings


def test_healthz_is_200_with_the_database_reachable(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    app = create_app(
        Settings(
            env="test",
            instance_path=tmp_path,
            database_url="postgresql+psycopg://nobody@127.0.0.1:9/nothing?connect_timeout=2",
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
