"""Meetings: the list with their outcomes, one meeting with its ideas, adding participants,
the follow-up report."""

from __future__ import annotations

from flask import Response, jsonify, request

from web.api import bp
from web.api.auth import current_actor
from web.api.document import Answer, documented, error
from web.api.inputs import json_object
from web.database import reading, unit_of_work
from workflow import consent_sources
from workflow.clock import utcnow
from workflow.contracts.meetings import (
    PARTICIPANTS_VISIBILITY,
    MeetingDetail,
    MeetingPage,
    NewParticipant,
    Paging,
    Participant,
)
from workflow.contracts.reports import REPORT_DESCRIPTION, MeetingReport
from workflow.services import meeting_details, meeting_reports, meetings, participants

NO_MEETING = error("No such meeting.")
ADDING = (
    "A contact with the same email address is reused (its name and organisation are kept; "
    "only missing ones are filled in); without an address, a contact with the same name and "
    "organisation and no address is. A participant listed with the same name and organisation "
    "but no address gets the address. Only with an email address is the opt-in recorded "
    "(`consent_source` says it was added through the API and by whom, `consent_at` when): a "
    "participant without one hears nothing. Adding the same person again changes nothing."
)


@bp.get("/meetings")
@documented(
    "get",
    "/meetings",
    "listMeetings",
    "List meetings, newest first (undated last), with their ideas counted by state, their "
    "themes and how many took part; everybody signed in.",
    {
        "200": Answer("A page of meetings.", MeetingPage),
        "422": error("Bad page or per_page."),
    },
    query=Paging,
)
def list_meetings() -> Response:
    """A page of meetings, newest first, each with its ideas counted by state."""
    args = request.args
    with reading() as uow:
        page = meetings.list_meetings(
            uow, current_actor(), page=args.get("page", 1), per_page=args.get("per_page", 20)
        )
    return jsonify(MeetingPage.of(page).dump())


@bp.get("/meetings/<int:meeting_id>")
@documented(
    "get",
    "/meetings/{meeting_id}",
    "getMeeting",
    "One meeting with every idea that came from it, in the minutes' order.",
    {"200": Answer("The meeting.", MeetingDetail), "404": NO_MEETING},
    description=PARTICIPANTS_VISIBILITY,
)
def get_meeting(meeting_id: int) -> Response:
    """One meeting with its ideas; its participants for managers and admins."""
    with reading() as uow:
        detail = meeting_details.meeting_detail(uow, current_actor(), meeting_id)
    return jsonify(MeetingDetail.of(detail).dump())


@bp.post("/meetings/<int:meeting_id>/participants")
@documented(
    "post",
    "/meetings/{meeting_id}/participants",
    "addParticipant",
    "Add a participant the minutes did not list; managers and administrators.",
    {
        "201": Answer("The participant was added.", Participant),
        "200": Answer(
            "They already took part (an address given for a participant listed without one "
            "is saved).",
            Participant,
        ),
        "400": error("The body is not JSON."),
        "404": NO_MEETING,
        "422": error("Invalid fields; `fields` says what is wrong with each."),
    },
    description=ADDING,
    body=NewParticipant,
)
def add_participant(meeting_id: int) -> tuple[Response, int]:
    """Add a participant: 201 when new, 200 when they already took part."""
    body = json_object()
    actor = current_actor()
    with unit_of_work() as uow:
        result = participants.add_participant(
            uow, actor, meeting_id, body, source=consent_sources.recorded("api", actor.email)
        )
    return jsonify(Participant.of(result.participant).dump()), 201 if result.created else 200


@bp.get("/meetings/<int:meeting_id>/report")
@documented(
    "get",
    "/meetings/{meeting_id}/report",
    "getMeetingReport",
    "The follow-up report the meeting's participants would get now, as data; managers and "
    "administrators.",
    {"200": Answer("The report.", MeetingReport), "404": NO_MEETING},
    description=REPORT_DESCRIPTION,
)
def get_meeting_report(meeting_id: int) -> Response:
    """The follow-up report the meeting's participants would get now, as data (managers)."""
    with unit_of_work() as uow:
        report = meeting_reports.current_report(uow, current_actor(), meeting_id, now=utcnow())
    return jsonify(MeetingReport.of(report).dump())
