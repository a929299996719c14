"""The review pages, one blueprint per area."""

from __future__ import annotations

from flask import Flask

from web.views import admin, board, dashboard, gates, ideas, imports, meetings


def register(app: Flask) -> None:
    """Register every page blueprint."""
    for module in (board, ideas, gates, meetings, imports, dashboard, admin):
        app.register_blueprint(module.bp)
