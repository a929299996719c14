"""The OpenAPI 3.1 document, built from the transition table so the two cannot drift apart."""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import Response, jsonify

from web.api import PREFIX, bp
from web.api.imports import DRY_RUN_VALUES
from web.api.openapi_links import add_links
from web.api.openapi_meetings import meeting_paths, meeting_schemas
from web.api.schemas import ID, PAGE, Schema, component_schemas, ref
from workflow.models import NOTIFICATION_STATUSES
from workflow.permissions import ROLES
from workflow.states import STATES

NOT_JSON = "The body is not JSON, or is nested more than 20 levels deep."
INVALID_IDEA = (
    "Invalid fields (`fields` says what is wrong with each); also when `owner` is not an active "
    "owner or manager, which the schema cannot say."
)
INVALID_GATE = (
    "The gate's data are missing or wrong (`fields` says what is wrong with each); also for "
    "what the schema cannot say: `data.owner` must be an active owner or manager (and is "
    "required when the idea has no owner who is one), `data.into` an existing idea that is not "
    "merged and not this one, `data.revisit_on` a date after today, `data.ends_on` a date after "
    "`data.starts_on`."
)


def _error(description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": ref("Error")}}}


def _ok(description: str, schema: str, **extra: Any) -> Schema:
    return {
        "description": description,
        "content": {"application/json": {"schema": ref(schema)}},
        **extra,
    }


def _body(schema: str) -> Schema:
    return {"required": True, "content": {"application/json": {"schema": ref(schema)}}}


def _paths() -> Schema:
    auth_errors = {
        "401": _error("No or bad token."),
        "403": _error("Not allowed."),
        "503": {
            **_error("The database cannot be reached; try again after Retry-After seconds."),
            "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        },
    }
    idea_id = {"name": "idea_id", "in": "path", "required": True, "schema": ID}
    query = [
        {"name": "state", "in": "query", "schema": {"type": "string", "enum": list(STATES)}},
        {
            "name": "owner",
            "in": "query",
            "schema": {"type": "string"},
            "description": "Owner's email, or `none` for unowned ideas.",
        },
        {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "Free text."},
        {"name": "page", "in": "query", "schema": PAGE},
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
                    "400": _error(NOT_JSON),
                    "422": _error(INVALID_IDEA),
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
                    "400": _error(NOT_JSON),
                    "409": _error("version_conflict."),
                    "422": _error(INVALID_IDEA),
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
                    "400": _error(NOT_JSON),
                    "409": _error("invalid_transition or version_conflict."),
                    "422": _error(INVALID_GATE),
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
        **_notification_paths(idea_id, auth_errors),
        **meeting_paths(auth_errors),
        "/imports": {
            "post": {
                "operationId": "importMinutes",
                "summary": "Import meeting minutes (.txt, .docx, .odt or .pdf); managers and "
                "owners.",
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "file": {"type": "string", "format": "binary"},
                                    "dry_run": {
                                        "type": "string",
                                        "enum": list(DRY_RUN_VALUES),
                                        "description": "Preview only; nothing is written.",
                                    },
                                },
                                "required": ["file"],
                            }
                        }
                    },
                },
                "responses": {
                    "201": _ok("A meeting was created from the minutes.", "ImportResult"),
                    "200": _ok("Imported before (created false), or a dry run.", "ImportResult"),
                    "413": _error("The upload is too large."),
                    "422": _error(
                        "`invalid_minutes`: not minutes we can read (the message says why); "
                        "`validation_failed`: no file, or a `dry_run` that is not one of the "
                        "listed values."
                    ),
                    **auth_errors,
                },
            }
        },
        "/meetings/{meeting_id}/document": {
            "parameters": [
                {
                    "name": "meeting_id",
                    "in": "path",
                    "required": True,
                    "schema": ID,
                }
            ],
            "get": {
                "operationId": "meetingDocument",
                "summary": "Download the minutes a meeting was imported from, as uploaded.",
                "responses": {
                    "200": {
                        "description": "The original file (Content-Disposition: attachment).",
                        "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                    },
                    "404": _error("No such meeting, or no stored minutes."),
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


def _notification_paths(idea_id: Schema, auth_errors: Schema) -> Schema:
    """Followers of an idea and the notification log."""
    contact_id = {
        "name": "contact_id",
        "in": "path",
        "required": True,
        "schema": ID,
        "description": "The contact's id (the `contact_id` of the follower).",
    }
    paging = [
        {"name": "page", "in": "query", "schema": PAGE},
        {
            "name": "per_page",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
        },
    ]
    return {
        "/ideas/{idea_id}/followers": {
            "parameters": [idea_id],
            "post": {
                "operationId": "addFollower",
                "summary": "Let a contact (found or created by email) follow the idea; the "
                "idea's owner and managers. `delivery` is the contact's preference for all "
                "their mail (new contacts: daily).",
                "requestBody": _body("NewFollower"),
                "responses": {
                    "201": _ok("The contact now follows the idea.", "Follower"),
                    "200": _ok(
                        "The contact already followed the idea (fields updated).", "Follower"
                    ),
                    "400": _error(NOT_JSON),
                    "404": _error("No such idea."),
                    "422": _error("Invalid fields."),
                    **auth_errors,
                },
            },
        },
        "/ideas/{idea_id}/followers/{contact_id}": {
            "parameters": [idea_id, contact_id],
            "delete": {
                "operationId": "removeFollower",
                "summary": "Stop a contact following the idea; the idea's owner and managers.",
                "responses": {
                    "204": {"description": "The contact no longer follows the idea."},
                    "404": _error("No such idea, or the contact does not follow it."),
                    **auth_errors,
                },
            },
        },
        "/notifications": {
            "get": {
                "operationId": "listNotifications",
                "summary": "Every email ideaflow sends, newest first, with its status, tries "
                "and last error; managers and administrators.",
                "parameters": [
                    {
                        "name": "idea",
                        "in": "query",
                        "schema": ID,
                        "description": "Only notifications about this idea.",
                    },
                    {
                        "name": "status",
                        "in": "query",
                        "schema": {"type": "string", "enum": list(NOTIFICATION_STATUSES)},
                    },
                    *paging,
                ],
                "responses": {
                    "200": _ok("A page of notifications.", "NotificationPage"),
                    "422": _error("Bad filter."),
                    **auth_errors,
                },
            },
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
        "paths": add_links(_paths()),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {**component_schemas(), **meeting_schemas()},
        },
    }


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """Serve the OpenAPI document (no token needed)."""
    return jsonify(openapi_spec())
