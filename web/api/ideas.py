"""Idea operations: list, create, read, edit, fire triggers, history, pipeline."""

from __future__ import annotations

from flask import Response, jsonify, request, url_for

from web.api import bp
from web.api.auth import current_actor
from web.api.document import NOT_JSON, Answer, documented, error
from web.api.inputs import json_object
from web.database import reading, unit_of_work
from workflow.contracts.ideas import (
    History,
    IdeaChanges,
    IdeaDetail,
    IdeaPage,
    IdeaQuery,
    NewIdea,
    Pipeline,
)
from workflow.contracts.transitions import TRANSITION_FIELDS, Transition
from workflow.errors import ValidationFailed
from workflow.services import edit_history, ideas, listing, pipeline, transitions

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
NO_IDEA = error("No such idea.")


@bp.get("/ideas")
@documented(
    "get",
    "/ideas",
    "listIdeas",
    "List ideas, newest first.",
    {"200": Answer("A page of ideas.", IdeaPage), "422": error("Bad filter.")},
    query=IdeaQuery,
)
def list_ideas() -> Response:
    """A page of ideas, filtered by ``state``, ``owner`` and ``q``."""
    args = request.args
    with reading() as uow:
        page = listing.list_ideas(
            uow,
            current_actor(),
            {"state": args.get("state"), "owner": args.get("owner"), "q": args.get("q")},
            page=args.get("page", 1),
            per_page=args.get("per_page", 20),
        )
    return jsonify(IdeaPage.of(page).dump())


@bp.post("/ideas")
@documented(
    "post",
    "/ideas",
    "createIdea",
    "Record a new idea in state proposed.",
    {
        "201": Answer("Created.", IdeaDetail, headers={"Location": {"schema": {"type": "string"}}}),
        "400": error(NOT_JSON),
        "422": error(INVALID_IDEA),
    },
    body=NewIdea,
)
def create_idea() -> tuple[Response, int, dict[str, str]]:
    """Record a new idea."""
    body = json_object()
    with unit_of_work() as uow:
        idea = ideas.create_idea(uow, current_actor(), body)
    location = url_for("api.get_idea", idea_id=idea.id)
    return jsonify(IdeaDetail.of(idea).dump()), 201, {"Location": location}


@bp.get("/ideas/<int:idea_id>")
@documented(
    "get",
    "/ideas/{idea_id}",
    "getIdea",
    "One idea with its latest assessment, pilot plan and evaluation.",
    {"200": Answer("The idea.", IdeaDetail), "404": NO_IDEA},
)
def get_idea(idea_id: int) -> Response:
    """One idea with its latest gate records."""
    with reading() as uow:
        idea = ideas.get_idea(uow, current_actor(), idea_id)
    return jsonify(IdeaDetail.of(idea).dump())


@bp.patch("/ideas/<int:idea_id>")
@documented(
    "patch",
    "/ideas/{idea_id}",
    "updateIdea",
    "Edit an idea; owner changes are for managers.",
    {
        "200": Answer("The idea.", IdeaDetail),
        "404": NO_IDEA,
        "400": error(NOT_JSON),
        "409": error("version_conflict."),
        "422": error(INVALID_IDEA),
    },
    body=IdeaChanges,
)
def update_idea(idea_id: int) -> Response:
    """Edit an idea's fields."""
    body = json_object()
    expected_version = body.pop("expected_version", None)
    with unit_of_work() as uow:
        idea = ideas.update_idea(uow, current_actor(), idea_id, body, expected_version)
    return jsonify(IdeaDetail.of(idea).dump())


@bp.post("/ideas/<int:idea_id>/transitions")
@documented(
    "post",
    "/ideas/{idea_id}/transitions",
    "fireTrigger",
    "Fire a trigger; its gate's data are required.",
    {
        "200": Answer("The idea in its new state.", IdeaDetail),
        "404": NO_IDEA,
        "400": error(NOT_JSON),
        "409": error("invalid_transition or version_conflict."),
        "422": error(INVALID_GATE),
    },
    body=Transition,
)
def fire_trigger(idea_id: int) -> Response:
    """Fire a trigger at an idea."""
    body = json_object()
    unknown = set(body) - TRANSITION_FIELDS
    if unknown:
        raise ValidationFailed(dict.fromkeys(sorted(unknown), "Unknown field."))
    with unit_of_work() as uow:
        idea = transitions.fire_trigger(
            uow,
            current_actor(),
            idea_id,
            body.get("trigger"),
            reason=body.get("reason"),
            data=body.get("data"),
            expected_version=body.get("expected_version"),
        )
    return jsonify(IdeaDetail.of(idea).dump())


@bp.get("/ideas/<int:idea_id>/history")
@documented(
    "get",
    "/ideas/{idea_id}/history",
    "ideaHistory",
    "Every fired trigger and every edit of the idea's fields, each oldest first.",
    {"200": Answer("The history.", History), "404": NO_IDEA},
)
def idea_history(idea_id: int) -> Response:
    """An idea's history, oldest first: its steps and the edits of its fields."""
    with reading() as uow:
        entries = transitions.idea_history(uow, current_actor(), idea_id)
        edits = edit_history.idea_edits(uow, current_actor(), idea_id)
    found = [{"actor": e.actor, "at": e.at, "changes": e.changes_by_field} for e in edits]
    return jsonify(History.of({"items": entries, "edits": found}).dump())


@bp.get("/pipeline")
@documented(
    "get",
    "/pipeline",
    "pipeline",
    "Counts per state and median days spent in each.",
    {"200": Answer("The pipeline.", Pipeline)},
)
def get_pipeline() -> Response:
    """Counts per state and the median days spent in each."""
    with unit_of_work() as uow:
        stages = pipeline.pipeline(uow, current_actor())
    return jsonify(Pipeline.of_stages(stages).dump())
