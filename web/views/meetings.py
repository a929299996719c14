"""Meetings and what became of their ideas; the minutes each was imported from; participants."""

from __future__ import annotations

import io
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from web.auth import current_actor
from web.database import settings, unit_of_work
from workflow import consent_sources
from workflow.clock import local_today, utcnow
from workflow.errors import ValidationFailed
from workflow.notifications.tokens import report_token
from workflow.permissions import may_add_participant, may_download_minutes, may_manage_reports
from workflow.services import meeting_reports, meetings, participants

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
    return detail_page(meeting_id)


def detail_page(
    meeting_id: int, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None
) -> str:
    """The meeting's page, with what a form sent back and its errors (keyed by field id)."""
    actor = current_actor()
    errors = errors or {}
    with unit_of_work() as uow:
        meeting = meetings.meeting_overview(uow, actor, meeting_id)  # 404 if unknown
        plan = meeting_reports.report_plan(uow, actor, meeting_id)
        sent = meeting_reports.sent_reports(uow, actor, meeting_id)
    secret = settings().secret_key
    return render_template(
        "meetings/detail.html",
        meeting=meeting,
        may_add_participant=may_add_participant(actor),
        may_download_minutes=may_download_minutes(actor),
        may_manage_reports=may_manage_reports(actor),
        plan=plan,
        sent_reports=sent,
        report_tokens={report.id: report_token(secret, report.id) for report in sent},
        today=local_today(utcnow()),
        values=values or {},
        errors=errors,
        participant_errors={k: v for k, v in errors.items() if k.startswith("participant-")},
        report_errors={k: v for k, v in errors.items() if k.startswith("report-")},
    )


@bp.post("/meetings/<int:meeting_id>/participants")
def add_participant(meeting_id: int) -> BaseResponse | tuple[str, int]:
    """Add a participant the minutes did not list (managers); errors are shown at the form."""
    actor = current_actor()
    values = {name: request.form.get(name, "") for name in participants.PARTICIPANT_FIELDS}
    try:
        with unit_of_work() as uow:
            result = participants.add_participant(
                uow,
                actor,
                meeting_id,
                values,
                source=consent_sources.recorded("meeting_page", actor.email),
            )
    except ValidationFailed as error:
        errors = {f"participant-{key}": message for key, message in error.fields.items()}
        return detail_page(meeting_id, values, errors), 422
    name = result.participant.name
    if result.created:
        flash(_("%(name)s is added to the participants.", name=name), "success")
    elif result.email_added:
        saved = _("%(name)s was already a participant; the email address is saved.", name=name)
        flash(saved, "success")
    else:
        flash(_("%(name)s is already a participant.", name=name), "success")
    return redirect(
        url_for("meetings.meeting_detail", meeting_id=meeting_id, _anchor="participants")
    )


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
