"""The notification log: every email ideaflow sends, its status and tries (managers, admins)."""

from __future__ import annotations

from flask import Response, jsonify, request

from web.api import bp
from web.api.auth import current_actor
from web.database import unit_of_work
from workflow.services import notification_log


@bp.get("/notifications")
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
    return jsonify(
        items=[item.to_json() for item in page.items],
        total=page.total,
        page=page.page,
        per_page=page.per_page,
    )
