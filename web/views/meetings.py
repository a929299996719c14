"""Meetings and what became of their ideas; the minutes each was imported from."""

from __future__ import annotations

import io

from flask import Blueprint, Response, abort, render_template, request, send_file

from web.auth import current_actor
from web.database import unit_of_work
from workflow.errors import ValidationFailed
from workflow.services import meetings

bp = Blueprint("meetings", __name__)
PER_PAGE = 25


@bp.get("/meetings")
def meetings_list() -> str:
    """Every meeting, newest first, with the outcome of its ideas."""
    try:
        with unit_of_work() as uow:
            page = meetings.list_meetings(
                uow, current_actor(), request.args.get("page", 1), PER_PAGE
            )
    except ValidationFailed:
        abort(404)  # a page number that is no page number
    return render_template("meetings/list.html", page=page)


@bp.get("/meetings/<int:meeting_id>")
def meeting_detail(meeting_id: int) -> str:
    """One meeting: its facts, themes, participants and ideas, and what became of them."""
    with unit_of_work() as uow:
        meeting = meetings.meeting_overview(uow, current_actor(), meeting_id)  # 404 if unknown
    return render_template("meetings/detail.html", meeting=meeting)


@bp.get("/meetings/<int:meeting_id>/document")
def meeting_document(meeting_id: int) -> Response:
    """Download the minutes the meeting was imported from, byte for byte."""
    with unit_of_work() as uow:
        document = meetings.meeting_document(uow, current_actor(), meeting_id)
    response = send_file(
        io.BytesIO(document.content), as_attachment=True, download_name=document.filename
    )
    response.headers["Content-Type"] = document.media_type  # with the file's own charset
    # Minutes name people: keep them out of shared caches and the browser's disk cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response
