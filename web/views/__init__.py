"""The review pages, one blueprint per area."""

from __future__ import annotations

from flask import Flask

from web.views import (
    admin,
    board,
    contacts,
    dashboard,
    gates,
    ideas,
    imports,
    mail,
    meeting_reports,
    meetings,
    public,
)


def register(app: Flask) -> None:
    """Register every page blueprint."""
    from web import csrf

    pages = (board, ideas, gates, meetings, meeting_reports, imports, dashboard, admin, mail)
    for module in (*pages, contacts):
        app.register_blueprint(module.bp)
    app.register_blueprint(public.bp)
    # One-click unsubscribe (RFC 8058): mail providers POST without cookies or a form token;
    # the signed token in the address is the proof, and the POST only ever unsubscribes.
    csrf.exempt(public.unsubscribe)
