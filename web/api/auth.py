"""Bearer-token authentication for every API operation except the OpenAPI document."""

from __future__ import annotations

from flask import Response, g, request

from web.api import bp
from web.api.inputs import refuse_nul_in_query
from web.database import reading
from web.errors import error_response
from workflow.permissions import Actor
from workflow.services.users import authenticate_token

PUBLIC_ENDPOINTS = frozenset({"api.openapi_document"})


@bp.before_request
def authenticate() -> Response | None:
    """Resolve ``Authorization: Bearer <token>`` to an actor, or answer 401."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    actor = None
    if scheme.lower() == "bearer" and secret.strip():
        with reading() as uow:
            actor = authenticate_token(uow, secret.strip())
    if actor is None:
        response = error_response(401, "unauthorized", "A valid API token is required.")
        response.headers["WWW-Authenticate"] = 'Bearer realm="ideaflow"'
        return response
    g.actor = actor
    refuse_nul_in_query()
    return None


def current_actor() -> Actor:
    """The actor the current API request runs as."""
    actor: Actor = g.actor
    return actor
