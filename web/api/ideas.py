"""Idea operations: list, create, read, edit, fire triggers, history, pipeline."""

from __future__ import annotations

from flask import Response, jsonify, request, url_for

from web.api import bp
from web.api.auth import current_actor
from web.api.inputs import json_object
from web.database import unit_of_work
from workflow.errors import ValidationFailed
from workflow.services import ideas, listing, pipeline, transitions


@bp.get("/ideas")
def list_ideas() -> Response:
    """A page of ideas, filtered by ``state``, ``owner`` and ``q``."""
    args = request.args
    with unit_of_work() as uow:
        page = listing.list_ideas(
            uow,
            current_actor(),
            {"state": args.get("state"), "owner": args.get("owner"), "q": args.get("q")},
            page=args.get("page", 1),
            per_page=args.get("per_page", 20),
        )
    return jsonify(
        items=[item.to_json() for item in page.items],
        total=page.total,
        page=page.page,
        per_page=page.per_page,
    )


@bp.post("/ideas")
def create_idea() -> tuple[Response, int, dict[str, str]]:
    """Record a new idea."""
    body = json_object()
    with unit_of_work() as uow:
        idea = ideas.create_idea(uow, current_actor(), body)
    return jsonify(idea.to_json()), 201, {"Location": url_for("api.get_idea", idea_id=idea.id)}


@bp.get("/ideas/<int:idea_id>")
def get_idea(idea_id: int) -> Response:
    """One idea with its latest gate records."""
    with unit_of_work() as uow:
        idea = ideas.get_idea(uow, current_actor(), idea_id)
    return jsonify(idea.to_json())


@bp.patch("/ideas/<int:idea_id>")
def update_idea(idea_id: int) -> Response:
    """Edit an idea's fields."""
    body = json_object()
    expected_version = body.pop("expected_version", None)
    with unit_of_work() as uow:
        idea = ideas.update_idea(uow, current_actor(), idea_id, body, expected_version)
    return jsonify(idea.to_json())


@bp.post("/ideas/<int:idea_id>/transitions")
def fire_trigger(idea_id: int) -> Response:
    """Fire a trigger at an idea."""
    body = json_object()
    unknown = set(body) - {"trigger", "expected_version", "reason", "data"}
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
    return jsonify(idea.to_json())


@bp.get("/ideas/<int:idea_id>/history")
def idea_history(idea_id: int) -> Response:
    """An idea's history, oldest first."""
    with unit_of_work() as uow:
        entries = transitions.idea_history(uow, current_actor(), idea_id)
    return jsonify(items=[entry.to_json() for entry in entries])


@bp.get("/pipeline")
def get_pipeline() -> Response:
    """Counts per state and the median days spent in each."""
    with unit_of_work() as uow:
        stages = pipeline.pipeline(uow, current_actor())
    return jsonify(
        states={
            stage.state: {"count": stage.count, "median_days": stage.median_days}
            for stage in stages
        }
    )
