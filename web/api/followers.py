"""Followers of an idea: stakeholders who hear by email when it moves on."""

from __future__ import annotations

from flask import Response, jsonify

from web.api import bp
from web.api.auth import current_actor
from web.api.inputs import json_object
from web.database import unit_of_work
from workflow.services import contacts


@bp.post("/ideas/<int:idea_id>/followers")
def add_follower(idea_id: int) -> tuple[Response, int]:
    """Let a contact follow the idea: 201 when new, 200 when they already did."""
    body = json_object()
    actor = current_actor()
    with unit_of_work() as uow:
        result = contacts.follow(
            uow, actor, idea_id, body, source=f"added through the API by {actor.email}"
        )
    return jsonify(result.following.to_json()), 201 if result.created else 200


@bp.delete("/ideas/<int:idea_id>/followers/<int:contact_id>")
def remove_follower(idea_id: int, contact_id: int) -> tuple[str, int]:
    """Stop a contact following the idea."""
    with unit_of_work() as uow:
        contacts.unfollow(uow, current_actor(), idea_id, contact_id)
    return "", 204
