"""The notification log: every email ideaflow sends, its status and tries (managers, admins)."""

from __future__ import annotations

from flask import Response, jsonify, request

from web.api import bp
from web.api.auth import current_actor
from web.api.document import Answer, documented, error
from web.database import unit_of_work
from workflow.contracts.followers import NotificationPage, NotificationQuery
from workflow.services import notification_log


@bp.get("/notifications")
@documented(
    "get",
    "/notifications",
    "listNotifications",
    "Every email ideaflow sends, newest first, with its status, tries and last error; "
    "managers and administrators.",
    {"200": Answer("A page of notifications.", NotificationPage), "422": error("Bad filter.")},
    query=NotificationQuery,
)
def list_notifications() -> Response:
    """A page of notifications, newest first, filtered by ``idea`` and ``status``."""
    args = request.args
    with unit_of_work() as uow:
        page = notification_log.list_notifications(
            uow,
            current_actor(),
            {"idea": args.get("idea"), "status": args.get("status")},
            page=args.get("page", 1),
            per_page=args.get("per_page", 20),
        )
    return jsonify(NotificationPage.of(page).dump())
