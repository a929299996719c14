"""The Flask application: review pages, JSON API and health check."""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from tasks.kick import RelayKick
from web import request_ids
from web.converters import IdConverter
from workflow import tuning
from workflow.db import Database
from workflow.settings import Settings

MAX_UPLOAD_BYTES = 25 * 1024 * 1024
csrf = CSRFProtect()


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app from ``settings`` (default: from the environment)."""
    settings = settings or Settings.from_env()
    tuning.configure(settings.tuning)  # the domain's timings and programs, from the settings
    app = Flask(__name__, instance_path=str(settings.instance_path))
    # Before any route is added: every <int:...> in a URL is an id the database can hold.
    app.url_map.converters["int"] = IdConverter
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        JSON_SORT_KEYS=False,
        IDEAFLOW_SETTINGS=settings,
        TESTING=settings.env == "test",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.base_url.startswith("https://"),
        SESSION_COOKIE_NAME="ideaflow_session",
        WTF_CSRF_TIME_LIMIT=None,  # a form stays valid for the whole (server-side) session
        IDEAFLOW_STAGE_LIMITS=None,
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    database = app.extensions["ideaflow.database"] = Database(settings.database_url)
    # Wake the outbox relay after each commit that published events (the sweep is the guarantee).
    kick = app.extensions["ideaflow.kick"] = RelayKick(settings)
    database.after_commit = kick
    if settings.trusted_proxies:
        # Behind a reverse proxy the client's address (for sign-in throttling) and the scheme
        # come from X-Forwarded-* headers, trusted for exactly this many proxies.
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    from web import (
        api,
        auth,
        errors,
        health,
        i18n,
        oidc,
        request_checks,
        security_headers,
        urls,
        views,
    )

    request_ids.init_app(app)  # first: every later hook logs with the request id
    csrf.init_app(app)
    csrf.exempt(api.bp)  # the API authenticates every request with a bearer token, not a cookie
    i18n.init_app(app)
    auth.init_app(app)
    request_checks.init_app(app)  # after the sign-in check: strangers are sent to sign in first
    errors.init_app(app)
    provider = settings.identity_provider
    security_headers.init_app(app, (provider.origin,) if provider else ())
    urls.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(api.bp, url_prefix=api.PREFIX)
    app.register_blueprint(auth.bp)
    oidc.init_app(app, settings.identity_provider)
    views.register(app)
    return app
