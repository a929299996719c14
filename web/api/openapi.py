"""The OpenAPI 3.1 document, built from the transition table so the two cannot drift apart."""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import Response, jsonify

from web.api import PREFIX, bp
from workflow.gates import FieldSpec, Kind
from workflow.permissions import ROLES
from workflow.states import STATES, TRIGGERS, TriggerSpec

Schema = dict[str, Any]


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def field_schema(spec: FieldSpec) -> Schema:
    """The JSON Schema of one gate field."""
    schemas: dict[Kind, Schema] = {
        Kind.SCORE: {"type": "integer", "minimum": 1, "maximum": 5},
        Kind.TEXT: {"type": "string", "minLength": 1, "maxLength": spec.max_length},
        Kind.DATE: {"type": "string", "format": "date"},
        Kind.FUTURE_DATE: {"type": "string", "format": "date", "description": "After today."},
        Kind.USER_EMAIL: {"type": "string", "format": "email"},
        Kind.CHOICE: {"type": "string", "enum": list(spec.choices)},
        Kind.TEXT_LIST: {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "maxLength": spec.max_length},
            "minItems": 1,
            "maxItems": 50,
        },
        Kind.IDEA_REF: {"type": "integer", "description": "Another idea that is not merged."},
        Kind.AMOUNT: {"type": "number", "minimum": 0},
    }
    return {"title": spec.label, **schemas[spec.kind]}


def transition_schema(trigger: TriggerSpec) -> Schema:
    """The request body that fires ``trigger``, with exactly the fields its gate demands."""
    data_fields = [spec for spec in trigger.fields if spec.in_data]
    properties: Schema = {
        "trigger": {"const": trigger.name},
        "expected_version": {"type": "integer"},
        "reason": {"type": ["string", "null"], "maxLength": 5000},
        "data": {
            "type": "object",
            "additionalProperties": False,
            "properties": {spec.name: field_schema(spec) for spec in data_fields},
            "required": [spec.name for spec in data_fields if spec.required],
        },
    }
    required = ["trigger"]
    if trigger.requires_reason:
        properties["reason"] = {"type": "string", "minLength": 1, "maxLength": 5000}
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


def _schemas() -> Schema:
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
            },
            "required": ["id", "title", "date"],
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
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "description": {"type": ["string", "null"], "maxLength": 10000},
        "themes": {"type": ["array", "null"], "items": {"type": "string"}, "maxItems": 20},
        "owner": {"type": ["string", "null"], "format": "email", "description": "Managers only."},
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
                _ref("Idea"),
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
                "items": {"type": "array", "items": _ref("Idea")},
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
            "properties": {**editable, "expected_version": {"type": "integer"}},
        },
        "Transition": {
            "oneOf": [_ref(f"Transition_{t.name}") for t in TRIGGERS],
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


def _error(description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _ok(description: str, schema: str, **extra: Any) -> Schema:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref(schema)}},
        **extra,
    }


def _body(schema: str) -> Schema:
    return {"required": True, "content": {"application/json": {"schema": _ref(schema)}}}


def _paths() -> Schema:
    auth_errors = {"401": _error("No or bad token."), "403": _error("Not allowed.")}
    idea_id = {"name": "idea_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    query = [
        {"name": "state", "in": "query", "schema": {"type": "string", "enum": list(STATES)}},
        {
            "name": "owner",
            "in": "query",
            "schema": {"type": "string"},
            "description": "Owner's email, or `none` for unowned ideas.",
        },
        {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "Free text."},
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {
            "name": "per_page",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
        },
    ]
    return {
        "/ideas": {
            "get": {
                "operationId": "listIdeas",
                "summary": "List ideas, newest first.",
                "parameters": query,
                "responses": {
                    "200": _ok("A page of ideas.", "IdeaPage"),
                    "422": _error("Bad filter."),
                    **auth_errors,
                },
            },
            "post": {
                "operationId": "createIdea",
                "summary": "Record a new idea in state proposed.",
                "requestBody": _body("NewIdea"),
                "responses": {
                    "201": _ok(
                        "Created.",
                        "IdeaDetail",
                        headers={"Location": {"schema": {"type": "string"}}},
                    ),
                    "400": _error("The body is not JSON."),
                    "422": _error("Invalid fields."),
                    **auth_errors,
                },
            },
        },
        "/ideas/{idea_id}": {
            "parameters": [idea_id],
            "get": {
                "operationId": "getIdea",
                "summary": "One idea with its latest assessment, pilot plan and evaluation.",
                "responses": {
                    "200": _ok("The idea.", "IdeaDetail"),
                    "404": _error("No such idea."),
                    **auth_errors,
                },
            },
            "patch": {
                "operationId": "updateIdea",
                "summary": "Edit an idea; owner changes are for managers.",
                "requestBody": _body("IdeaChanges"),
                "responses": {
                    "200": _ok("The idea.", "IdeaDetail"),
                    "404": _error("No such idea."),
                    "400": _error("The body is not JSON."),
                    "409": _error("version_conflict."),
                    "422": _error("Invalid fields."),
                    **auth_errors,
                },
            },
        },
        "/ideas/{idea_id}/transitions": {
            "parameters": [idea_id],
            "post": {
                "operationId": "fireTrigger",
                "summary": "Fire a trigger; its gate's data are required.",
                "requestBody": _body("Transition"),
                "responses": {
                    "200": _ok("The idea in its new state.", "IdeaDetail"),
                    "404": _error("No such idea."),
                    "400": _error("The body is not JSON."),
                    "409": _error("invalid_transition or version_conflict."),
                    "422": _error("The gate's data are missing or wrong."),
                    **auth_errors,
                },
            },
        },
        "/ideas/{idea_id}/history": {
            "parameters": [idea_id],
            "get": {
                "operationId": "ideaHistory",
                "summary": "Every fired trigger, oldest first.",
                "responses": {
                    "200": _ok("The history.", "History"),
                    "404": _error("No such idea."),
                    **auth_errors,
                },
            },
        },
        "/pipeline": {
            "get": {
                "operationId": "pipeline",
                "summary": "Counts per state and median days spent in each.",
                "responses": {"200": _ok("The pipeline.", "Pipeline"), **auth_errors},
            }
        },
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document.",
                "security": [],
                "responses": {"200": {"description": "The OpenAPI document."}},
            }
        },
    }


@cache
def openapi_spec() -> Schema:
    """The whole OpenAPI document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ideaflow API",
            "version": "1",
            "description": "Ideas from stakeholder meetings, driven from proposed to scaled. "
            f"Roles: {', '.join(ROLES)}.",
        },
        "servers": [{"url": PREFIX}],
        "security": [{"bearer": []}],
        "paths": _paths(),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": _schemas(),
        },
    }


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """Serve the OpenAPI document (no token needed)."""
    return jsonify(openapi_spec())
