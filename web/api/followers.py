"""Followers of an idea: stakeholders who hear by email when it moves on."""

from __future__ import annotations

from flask import Response, jsonify

from web.api import bp
from web.api.auth import current_actor
from web.api.document import NOT_JSON, Answer, documented, error
from web.api.inputs import json_object
from web.database import unit_of_work
from workflow import consent_sources
from workflow.contracts.followers import Follower, NewFollower
from workflow.services import contacts


@bp.post("/ideas/<int:idea_id>/followers")
@documented(
    "post",
    "/ideas/{idea_id}/followers",
    "addFollower",
    "Let a contact (found or created by email) follow the idea; the idea's owner and managers. "
    "`delivery` is the contact's preference for all their mail (new contacts: daily).",
    {
        "201": Answer("The contact now follows the idea.", Follower),
        "200": Answer("The contact already followed the idea (fields updated).", Follower),
        "400": error(NOT_JSON),
        "404": error("No such idea."),
        "422": error("Invalid fields."),
    },
    body=NewFollower,
)
def add_follower(idea_id: int) -> tuple[Response, int]:
    """Let a contact follow the idea: 201 when new, 200 when they already did."""
    body = json_object()
    actor = current_actor()
    with unit_of_work() as uow:
        result = contacts.follow(
            uow, actor, idea_id, body, source=consent_sources.recorded("api", actor.email)
        )
    return jsonify(Follower.of(result.following).dump()), 201 if result.created else 200


@bp.delete("/ideas/<int:idea_id>/followers/<int:contact_id>")
@documented(
    "delete",
    "/ideas/{idea_id}/followers/{contact_id}",
    "removeFollower",
    "Stop a contact following the idea; the idea's owner and managers.",
    {
        "204": Answer("The contact no longer follows the idea."),
        "404": error("No such idea, or the contact does not follow it."),
    },
)
def remove_follower(idea_id: int, contact_id: int) -> tuple[str, int]:
    """Stop a contact following the idea."""
    with unit_of_work() as uow:
        contacts.unfollow(uow, current_actor(), idea_id, contact_id)
    return "", 204
