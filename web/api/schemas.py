"""JSON Schemas of the API's bodies; the transition schemas come from the transition table."""

from __future__ import annotations

from typing import Any

from workflow.gates import MAX_AMOUNT, MAX_ID, FieldSpec, Kind
from workflow.models import NOTIFICATION_STATUSES
from workflow.services.collaboration import DELIVERIES
from workflow.states import STATES, TRIGGERS, TriggerSpec

Schema = dict[str, Any]


# The characters Python's str.strip() removes (str.isspace()), as the body of a character
# class. Spelled out, because ``\\s`` means other characters in JSON Schema's ECMA-262 patterns
# (U+FEFF is space there; U+001C to U+001F and U+0085 are not). tests/unit pins the list.
SPACE = (
    "\\u0009\\u000a\\u000b\\u000c\\u000d\\u001c\\u001d\\u001e\\u001f\\u0020\\u0085\\u00a0"
    "\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
)
# Text that must say something: not empty and not only white space (the server strips it).
NOT_BLANK = {"minLength": 1, "pattern": f"[^{SPACE}]"}
BLANK = {"pattern": f"^[{SPACE}]*$"}
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
PAGE = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def ref(name: str) -> Schema:
    """A reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def field_schema(spec: FieldSpec) -> Schema:
    """The JSON Schema of one gate field."""
    # An optional text left blank counts as left out; a required one must say something.
    text = NOT_BLANK if spec.required else {}
    schemas: dict[Kind, Schema] = {
        Kind.SCORE: {"type": "integer", "minimum": 1, "maximum": 5},
        Kind.TEXT: {"type": "string", **text, "maxLength": spec.max_length},
        Kind.DATE: {"type": "string", "format": "date"},
        Kind.FUTURE_DATE: {
            "type": "string",
            "format": "date",
            "description": "After today (422 otherwise).",
        },
        Kind.USER_EMAIL: {
            "type": "string",
            "format": "email",
            "description": "An active owner or manager (422 otherwise).",
        },
        Kind.CHOICE: {"type": "string", "enum": list(spec.choices)},
        Kind.TEXT_LIST: {
            "type": "array",
            "items": {"type": "string", "maxLength": spec.max_length},
            "contains": {"type": "string", **NOT_BLANK},
            "minItems": 1,
            "maxItems": 50,
            "description": "Blank items are left out; at least one must remain.",
        },
        Kind.IDEA_REF: {
            **ID,
            "description": "Another idea that exists and is not merged (422 otherwise).",
        },
        Kind.AMOUNT: {"type": "number", "minimum": 0, "maximum": float(MAX_AMOUNT)},
    }
    return {"title": spec.label, **schemas[spec.kind]}


EXPECTED_VERSION = {
    "type": ["integer", "null"],
    "description": "The version the change is based on: 409 if the idea has moved on since. "
    "Null or left out: no check.",
}


def transition_schema(trigger: TriggerSpec) -> Schema:
    """The request body that fires ``trigger``, with exactly the fields its gate demands."""
    data_fields = [spec for spec in trigger.fields if spec.in_data]
    properties: Schema = {
        "trigger": {"const": trigger.name},
        "expected_version": EXPECTED_VERSION,
        "reason": {"type": ["string", "null"], "maxLength": 5000},
        "data": {
            # Without fields it must have, null is no data at all (as is leaving it out).
            "type": "object" if any(spec.required for spec in data_fields) else ["object", "null"],
            "additionalProperties": False,
            "properties": {spec.name: field_schema(spec) for spec in data_fields},
            "required": [spec.name for spec in data_fields if spec.required],
        },
    }
    required = ["trigger"]
    if trigger.requires_reason:
        properties["reason"] = {"type": "string", **NOT_BLANK, "maxLength": 5000}
        required.append("reason")
    if any(spec.required for spec in data_fields):
        required.append("data")
    sources = ", ".join(state.value for state in trigger.sources)
    return {
        "title": trigger.name,
        "description": f"{trigger.label}: {sources} -> {trigger.dest.value}."
        + ("" if trigger.owner_may_fire else " Managers only."),
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "required": required,
    }


def component_schemas() -> Schema:
    """Every named schema of the API."""
    nullable_date = {"type": ["string", "null"], "format": "date"}
    timestamp = {"type": "string", "format": "date-time"}
    record = {"type": ["object", "null"]}
    idea_properties: Schema = {
        "id": {"type": "integer"},
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "description": {"type": "string", "maxLength": 10000},
        "state": {"type": "string", "enum": list(STATES)},
        "version": {"type": "integer"},
        "owner": {"type": ["string", "null"], "format": "email"},
        "themes": {"type": "array", "items": {"type": "string"}},
        "meeting": {
            "type": ["object", "null"],
            "properties": {
                "id": {"type": "integer"},
                "title": {"type": "string"},
                "date": nullable_date,
                "notes": {
                    "type": "array",
                    "description": "The other columns of the minutes' table row the idea was "
                    "read from (column header and cell text), in the table's order.",
                    "items": {
                        "type": "object",
                        "properties": {"column": {"type": "string"}, "value": {"type": "string"}},
                        "required": ["column", "value"],
                    },
                },
            },
            "required": ["id", "title", "date", "notes"],
        },
        "follow_up_on": nullable_date,
        "allowed_triggers": {
            "type": "array",
            "items": {"type": "string", "enum": [t.name for t in TRIGGERS]},
        },
        "merged_into": {"type": ["integer", "null"]},
        "state_changed_at": timestamp,
        "created_at": timestamp,
        "updated_at": timestamp,
    }
    editable: Schema = {
        "title": {"type": "string", **NOT_BLANK, "maxLength": 200},
        "description": {"type": ["string", "null"], "maxLength": 10000},
        "themes": {
            "type": ["array", "null"],
            "items": {"type": "string", "maxLength": 200},
            "maxItems": 20,
            "description": "Blank themes are left out.",
        },
        "owner": {
            "type": ["string", "null"],
            "format": "email",
            "description": "Managers only (403 for others); an active owner or manager (422 "
            "otherwise).",
        },
        "follow_up_on": nullable_date,
    }
    return {
        "Error": {
            "type": "object",
            "properties": {
                "error": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                        "allowed_triggers": {"type": "array", "items": {"type": "string"}},
                        "state": {"type": "string"},
                        "current_version": {"type": "integer"},
                    },
                    "required": ["code", "message"],
                }
            },
            "required": ["error"],
        },
        "Idea": {
            "type": "object",
            "properties": idea_properties,
            "required": list(idea_properties),
        },
        "IdeaDetail": {
            "allOf": [
                ref("Idea"),
                {
                    "type": "object",
                    "properties": {
                        "assessment": record,
                        "pilot_plan": record,
                        "evaluation": record,
                    },
                    "required": ["assessment", "pilot_plan", "evaluation"],
                },
            ]
        },
        "IdeaPage": {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": ref("Idea")},
                "total": {"type": "integer"},
                "page": {"type": "integer"},
                "per_page": {"type": "integer", "maximum": 100},
            },
            "required": ["items", "total", "page", "per_page"],
        },
        "NewIdea": {
            "type": "object",
            "additionalProperties": False,
            "properties": editable,
            "required": ["title"],
        },
        "IdeaChanges": {
            "type": "object",
            "additionalProperties": False,
            "properties": {**editable, "expected_version": EXPECTED_VERSION},
        },
        "Transition": {
            "oneOf": [ref(f"Transition_{t.name}") for t in TRIGGERS],
            "discriminator": {
                "propertyName": "trigger",
                "mapping": {t.name: f"#/components/schemas/Transition_{t.name}" for t in TRIGGERS},
            },
        },
        **{f"Transition_{t.name}": transition_schema(t) for t in TRIGGERS},
        "History": {
            "type": "object",
            "properties": {
                "items": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "trigger": {"type": "string"},
                            "from_state": {"type": "string", "enum": list(STATES)},
                            "to_state": {"type": "string", "enum": list(STATES)},
                            "actor": {"type": ["string", "null"]},
                            "at": timestamp,
                            "reason": {"type": ["string", "null"]},
                            "data": {"type": "object"},
                        },
                        "required": [
                            "trigger",
                            "from_state",
                            "to_state",
                            "actor",
                            "at",
                            "reason",
                            "data",
                        ],
                    },
                }
            },
            "required": ["items"],
        },
        "ImportResult": _import_result_schema(),
        **_notification_schemas(),
        "Pipeline": {
            "type": "object",
            "properties": {
                "states": {
                    "type": "object",
                    "properties": {
                        state: {
                            "type": "object",
                            "properties": {
                                "count": {"type": "integer", "minimum": 0},
                                "median_days": {"type": ["number", "null"]},
                            },
                            "required": ["count", "median_days"],
                        }
                        for state in STATES
                    },
                    "required": list(STATES),
                }
            },
            "required": ["states"],
        },
    }


def _notification_schemas() -> Schema:
    """Followers and notifications."""
    timestamp = {"type": "string", "format": "date-time"}
    maybe_text = {"type": ["string", "null"]}
    delivery = {
        "type": "string",
        "enum": list(DELIVERIES),
        "description": "Each update at once, or a daily or weekly digest.",
    }
    follower = {
        "idea_id": {"type": "integer"},
        "contact_id": {"type": "integer"},
        "email": {"type": ["string", "null"], "format": "email"},
        "name": {"type": "string"},
        "organisation": maybe_text,
        "delivery": delivery,
        "language": {"type": "string", "description": "da or en."},
        "source": {"type": "string", "description": "How the contact came to follow the idea."},
        "since": timestamp,
        "unsubscribed": {"type": "boolean", "description": "Asked for no idea updates."},
        "suppressed": {"type": "boolean", "description": "The mail server refused the address."},
    }
    notification = {
        "id": {"type": "integer"},
        "kind": {"type": "string"},
        "recipient": {"type": ["string", "null"], "description": "Null once erased (GDPR)."},
        "recipient_name": maybe_text,
        "status": {"type": "string", "enum": list(NOTIFICATION_STATUSES)},
        "attempts": {"type": "integer", "minimum": 0},
        "last_error": maybe_text,
        "subject": {"type": "string"},
        "list": maybe_text,
        "idea_id": {"type": ["integer", "null"]},
        "created_at": timestamp,
        "sent_at": {"type": ["string", "null"], "format": "date-time"},
    }
    return {
        "NewFollower": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "email": {"type": "string", "format": "email", "maxLength": 320},
                "name": {"type": ["string", "null"], "maxLength": 200},
                "organisation": {"type": ["string", "null"], "maxLength": 300},
                "delivery": {**delivery, "type": ["string", "null"], "enum": [*DELIVERIES, None]},
            },
            "required": ["email"],
        },
        "Follower": {"type": "object", "properties": follower, "required": list(follower)},
        "Notification": {
            "type": "object",
            "properties": notification,
            "required": list(notification),
        },
        "NotificationPage": {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": ref("Notification")},
                "total": {"type": "integer"},
                "page": {"type": "integer"},
                "per_page": {"type": "integer", "maximum": 100},
            },
            "required": ["items", "total", "page", "per_page"],
        },
    }


def _import_result_schema() -> Schema:
    text = {"type": "string"}
    maybe_text = {"type": ["string", "null"]}
    maybe_id = {"type": ["integer", "null"]}
    # Text recognition's confidence (0-100) in text read from a scan; null for typed text.
    confidence = {"type": ["number", "null"], "minimum": 0, "maximum": 100}

    def obj(**properties: Schema) -> Schema:
        return {"type": "object", "properties": properties, "required": list(properties)}

    return obj(
        created={"type": "boolean"},
        dry_run={"type": "boolean"},
        file=text,
        meeting=obj(
            id=maybe_id,
            title=text,
            date={"type": ["string", "null"], "format": "date"},
            location=maybe_text,
            host=maybe_text,
            recorder=maybe_text,
        ),
        themes={"type": "array", "items": obj(id=maybe_id, text=text)},
        ideas={
            "type": "array",
            "items": obj(
                id=maybe_id,
                title=text,
                text=text,
                section=maybe_text,
                exercise=maybe_text,
                position=maybe_id,
                state={"type": "string", "enum": list(STATES)},
                # The other columns of the table row the idea came from.
                notes={"type": "array", "items": obj(column=text, text=text)},
                ocr_confidence=confidence,
            ),
        },
        participants={
            "type": "array",
            "items": obj(name=text, organisation=maybe_text, email=maybe_text),
        },
        similar={
            "type": "array",
            "items": obj(
                idea_id=maybe_id,
                existing_id=maybe_id,
                score={"type": "number", "minimum": 0, "maximum": 1},
                idea_position={"type": "integer"},
                existing_position=maybe_id,
            ),
        },
        # Text the importer could not place; a person may still make it ideas or themes.
        unrecognised={"type": "array", "items": obj(index={"type": "integer"}, text=text)},
        ocr_confidence=confidence,
    )
