"""The OpenAPI paths and schemas of the meeting operations (merged into the document)."""

from __future__ import annotations

from web.api.schemas import BLANK, ID, NOT_BLANK, PAGE, Schema, ref
from workflow.services.participants import EMAIL_MAX, NAME_MAX, ORGANISATION_MAX
from workflow.states import STATES

PARTICIPANTS_VISIBILITY = (
    "Who took part (names, organisations, email addresses and opt-ins) is shown to managers "
    "and administrators only; everybody else gets `participant_count` and `participants: null`."
)

REPORT_DESCRIPTION = (
    "Every idea of the meeting, latest news first: its state, the texts behind the latest "
    "decisions, who is responsible and what changed since the previous report (the first "
    "report: ever); the ideas counted by state; the meeting's themes with their ideas. Nothing "
    "internal: no comments, scores, budgets, email addresses or participants. Nothing is sent."
)


def _json(description: str, schema: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": ref(schema)}}}


def meeting_paths(auth_errors: Schema) -> Schema:
    """``/meetings``, ``/meetings/{meeting_id}`` and ``/meetings/{meeting_id}/participants``."""
    meeting_id = {"name": "meeting_id", "in": "path", "required": True, "schema": ID}
    no_meeting = _json("No such meeting.", "Error")
    return {
        "/meetings": {
            "get": {
                "operationId": "listMeetings",
                "summary": "List meetings, newest first (undated last), with their ideas counted "
                "by state, their themes and how many took part; everybody signed in.",
                "parameters": [
                    {"name": "page", "in": "query", "schema": PAGE},
                    {
                        "name": "per_page",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                    },
                ],
                "responses": {
                    "200": _json("A page of meetings.", "MeetingPage"),
                    "422": _json("Bad page or per_page.", "Error"),
                    **auth_errors,
                },
            }
        },
        "/meetings/{meeting_id}": {
            "parameters": [meeting_id],
            "get": {
                "operationId": "getMeeting",
                "summary": "One meeting with every idea that came from it, in the minutes' order.",
                "description": PARTICIPANTS_VISIBILITY,
                "responses": {
                    "200": _json("The meeting.", "MeetingDetail"),
                    "404": no_meeting,
                    **auth_errors,
                },
            },
        },
        "/meetings/{meeting_id}/participants": {
            "parameters": [meeting_id],
            "post": {
                "operationId": "addParticipant",
                "summary": "Add a participant the minutes did not list; managers and "
                "administrators.",
                "description": "A contact with the same email address is reused (its name and "
                "organisation are kept; only missing ones are filled in); without an address, "
                "a contact with the same name and organisation and no address is. A participant "
                "listed with the same name and organisation but no address gets the address. "
                "Only with an email address is the opt-in recorded (`consent_source` says it "
                "was added through the API and by whom, `consent_at` when): a participant "
                "without one hears nothing. Adding the same person again changes nothing.",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": ref("NewParticipant")}},
                },
                "responses": {
                    "201": _json("The participant was added.", "Participant"),
                    "200": _json(
                        "They already took part (an address given for a participant listed "
                        "without one is saved).",
                        "Participant",
                    ),
                    "400": _json("The body is not JSON.", "Error"),
                    "404": no_meeting,
                    "422": _json("Invalid fields; `fields` says what is wrong with each.", "Error"),
                    **auth_errors,
                },
            },
        },
        "/meetings/{meeting_id}/report": {
            "parameters": [meeting_id],
            "get": {
                "operationId": "getMeetingReport",
                "summary": "The follow-up report the meeting's participants would get now, as "
                "data; managers and administrators.",
                "description": REPORT_DESCRIPTION,
                "responses": {
                    "200": _json("The report.", "MeetingReport"),
                    "404": no_meeting,
                    **auth_errors,
                },
            },
        },
    }


def meeting_schemas() -> Schema:
    """The named schemas of the meeting operations."""
    text = {"type": "string"}
    maybe_text = {"type": ["string", "null"]}
    date = {"type": ["string", "null"], "format": "date"}
    count = {"type": "integer", "minimum": 0}
    names = {"type": "array", "items": text}
    by_state = {
        "type": "object",
        "description": "How many of the meeting's ideas are in each state.",
        "properties": dict.fromkeys(STATES, count),
        "required": list(STATES),
        "additionalProperties": False,
    }
    summary = {
        "id": {"type": "integer"},
        "title": text,
        "held_on": date,
        "location": maybe_text,
        "host": maybe_text,
        "idea_count": count,
        "ideas_by_state": by_state,
        "participant_count": count,
        "themes": {**names, "description": "The themes the meeting named, in the minutes' order."},
    }
    idea = {
        "id": {"type": "integer"},
        "title": text,
        "state": {"type": "string", "enum": list(STATES)},
        "owner": {"type": ["string", "null"], "format": "email"},
        "version": {"type": "integer"},
        "themes": names,
    }
    participant = {
        "meeting_id": {"type": "integer"},
        "contact_id": {"type": "integer"},
        "name": text,
        "organisation": maybe_text,
        "email": {"type": ["string", "null"], "description": "Null: cannot hear about the ideas."},
        "position": {"type": "integer", "description": "Order in the list of participants."},
        "consent_source": {**maybe_text, "description": "Where the opt-in came from."},
        "consent_at": {
            "type": ["string", "null"],
            "format": "date-time",
            "description": "When the opt-in was recorded; null: none recorded.",
        },
    }
    detail = {
        **summary,
        "recorder": maybe_text,
        "imported_at": {"type": "string", "format": "date-time"},
        "ideas": {"type": "array", "items": ref("MeetingIdea")},
        "participants": {
            "type": ["array", "null"],
            "items": ref("Participant"),
            "description": PARTICIPANTS_VISIBILITY,
        },
    }
    return {
        **report_schemas(),
        "MeetingSummary": {"type": "object", "properties": summary, "required": list(summary)},
        "MeetingPage": {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": ref("MeetingSummary")},
                "total": count,
                "page": {"type": "integer"},
                "per_page": {"type": "integer", "maximum": 100},
            },
            "required": ["items", "total", "page", "per_page"],
        },
        "MeetingIdea": {"type": "object", "properties": idea, "required": list(idea)},
        "MeetingDetail": {"type": "object", "properties": detail, "required": list(detail)},
        "Participant": {
            "type": "object",
            "properties": participant,
            "required": list(participant),
        },
        "NewParticipant": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string", **NOT_BLANK, "maxLength": NAME_MAX},
                "organisation": {"type": ["string", "null"], "maxLength": ORGANISATION_MAX},
                "email": {
                    "anyOf": [
                        {"type": "null"},
                        {"type": "string", **BLANK},
                        {"type": "string", "format": "email", "maxLength": EMAIL_MAX},
                    ],
                    "description": "An email address; null or blank: none (no opt-in is "
                    "recorded, and the participant hears nothing).",
                },
            },
            "required": ["name"],
        },
    }


def report_schemas() -> Schema:
    """The schema of a meeting's follow-up report (``MeetingReport.to_json``)."""
    text = {"type": "string"}
    maybe_text = {"type": ["string", "null"]}
    day = {"type": "string", "format": "date"}
    moment = {"type": "string", "format": "date-time"}
    state = {"type": "string", "enum": list(STATES)}
    count = {"type": "integer", "minimum": 0}
    meeting = {
        "id": {"type": "integer"},
        "title": text,
        "held_on": {**day, "type": ["string", "null"]},
    }
    change = {"at": moment, "trigger": text, "from_state": state, "to_state": state}
    pilot = {"starts_on": day, "ends_on": day, "site": maybe_text, "success_criteria": text}
    evaluation = {
        "outcome": {"type": "string", "enum": ["success", "partial"]},
        "evaluation": text,
        "scale_to": {"type": "array", "items": text},
    }
    idea = {
        "id": {"type": "integer"},
        "title": text,
        "state": state,
        "state_changed_at": moment,
        "previous_state": {"type": ["string", "null"], "enum": [*STATES, None]},
        "last_trigger": maybe_text,
        "owner_name": maybe_text,
        "reason": {**maybe_text, "description": "The reason given with the latest step."},
        "assessment_summary": maybe_text,
        "pilot": {
            "oneOf": [
                {"type": "null"},
                {"type": "object", "properties": pilot, "required": list(pilot)},
            ]
        },
        "evaluation": {
            "oneOf": [
                {"type": "null"},
                {"type": "object", "properties": evaluation, "required": list(evaluation)},
            ]
        },
        "revisit_on": {**day, "type": ["string", "null"]},
        "merged_into_title": maybe_text,
        "changes": {
            "type": "array",
            "description": "Its steps since the previous report (the first report: all), "
            "oldest first.",
            "items": {"type": "object", "properties": change, "required": list(change)},
        },
    }
    theme_idea = {"id": {"type": "integer"}, "title": text, "state": state}
    theme = {
        "name": text,
        "ideas": {
            "type": "array",
            "items": {"type": "object", "properties": theme_idea, "required": list(theme_idea)},
        },
    }
    report = {
        "meeting": {"type": "object", "properties": meeting, "required": list(meeting)},
        "generated_at": moment,
        "counts": {
            "type": "object",
            "description": "The meeting's ideas by state.",
            "properties": dict.fromkeys(STATES, count),
            "required": list(STATES),
            "additionalProperties": False,
        },
        "total": count,
        "ideas": {"type": "array", "items": ref("MeetingReportIdea")},
        "themes": {
            "type": "array",
            "description": "The themes the meeting named, in the minutes' order, with the "
            "meeting's ideas tagged with each.",
            "items": {"type": "object", "properties": theme, "required": list(theme)},
        },
        "last_report_at": {**moment, "type": ["string", "null"]},
        "unchanged_since_last": {
            "type": "boolean",
            "description": "A previous report exists and none of the ideas moved since.",
        },
    }
    return {
        "MeetingReport": {"type": "object", "properties": report, "required": list(report)},
        "MeetingReportIdea": {"type": "object", "properties": idea, "required": list(idea)},
    }
