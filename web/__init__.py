"""The Flask application: JSON API, health check and (later) the review pages."""

from __future__ import annotations

from flask import Flask

from workflow.db import Database
from workflow.settings import Settings

MAX_UPLOAD_BYTES = 25 * 1024 * 1024


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app from ``settings`` (default: from the environment)."""
    settings = settings or Settings.from_env()
    app = Flask(__name__, instance_path=str(settings.instance_path))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        JSON_SORT_KEYS=False,
        IDEAFLOW_SETTINGS=settings,
        TESTING=settings.env == "test",
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["ideaflow.database"] = Database(settings.database_url)

    from web import api, errors, health, security_headers

    errors.init_app(app)
    security_headers.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(api.bp, url_prefix=api.PREFIX)
    return app
