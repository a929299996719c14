"""Meetings: the list with their outcomes, one meeting with its ideas, adding participants,
the follow-up report."""

from __future__ import annotations

from flask import Response, jsonify, request

from web.api import bp
from web.api.auth import current_actor
from web.api.inputs import json_object
from web.database import unit_of_work
from workflow.clock import utcnow
from workflow.services import meeting_details, meeting_reports, meetings, participants


@bp.get("/meetings")
def list_meetings() -> Response:
    """A page of meetings, newest first, each with its ideas counted by state."""
    args = request.args
    with unit_of_work() as uow:
        page = meetings.list_meetings(
            uow, current_actor(), page=args.get("page", 1), per_page=args.get("per_page", 20)
        )
    return jsonify(
        items=[item.to_json() for item in page.items],
        total=page.total,
        page=page.page,
        per_page=page.per_page,
    )


@bp.get("/meetings/<int:meeting_id>")
def get_meeting(meeting_id: int) -> Response:
    """One meeting with its ideas; its participants for managers and admins."""
    with unit_of_work() as uow:
        detail = meeting_details.meeting_detail(uow, current_actor(), meeting_id)
    return jsonify(detail.to_json())


@bp.post("/meetings/<int:meeting_id>/participants")
def add_participant(meeting_id: int) -> tuple[Response, int]:
    """Add a participant: 201 when new, 200 when they already took part."""
    body = json_object()
    actor = current_actor()
    with unit_of_work() as uow:
        result = participants.add_participant(
            uow, actor, meeting_id, body, source=f"added through the API by {actor.email}"
        )
    return jsonify(result.participant.to_json()), 201 if result.created else 200


@bp.get("/meetings/<int:meeting_id>/report")
def get_meeting_report(meeting_id: int) -> Response:
    """The follow-up report the meeting's participants would get now, as data (managers)."""
    with unit_of_work() as uow:
        report = meeting_reports.current_report(uow, current_actor(), meeting_id, now=utcnow())
    return jsonify(report.to_json())
