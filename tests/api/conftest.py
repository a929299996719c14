"""An API client that signs requests with a user's token and checks every answer against OpenAPI."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator, FormatChecker
from werkzeug.test import TestResponse

from web.api.openapi import openapi_spec
from workflow.permissions import Actor
from workflow.services import users
from workflow.uow import UnitOfWork

PREFIX = "/api/v1"


def response_schema(method: str, path: str, status: int) -> dict[str, Any] | None:
    """The schema the OpenAPI document promises for this answer (None when it promises none)."""
    spec = openapi_spec()
    relative = path.split("?")[0].removeprefix(PREFIX)
    for template, operations in spec["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", r"[^/]+", template) + "$"
        if re.match(pattern, relative) and method.lower() in operations:
            responses = operations[method.lower()]["responses"]
            assert str(status) in responses, f"{method} {template} does not document {status}"
            content = responses[str(status)].get("content", {})
            return content.get("application/json", {}).get("schema")
    raise AssertionError(f"{method} {relative} is not in the OpenAPI document")


def check_against_openapi(method: str, path: str, response: TestResponse) -> None:
    """Fail when the answer's status or body is not what the OpenAPI document says."""
    schema = response_schema(method, path, response.status_code)
    if schema is None:
        return
    assert response.is_json, response.data[:200]
    root = {**schema, "components": openapi_spec()["components"]}
    Draft202012Validator(root, format_checker=FormatChecker()).validate(response.get_json())


class Api:
    """Calls the API as a given actor; every response is checked against the OpenAPI document."""

    def __init__(self, client: FlaskClient, uow: Callable[[], UnitOfWork]) -> None:
        self.client = client
        self.uow = uow
        self.tokens: dict[str, str] = {}

    def token(self, actor: Actor) -> str:
        """A token for ``actor`` (made on first use)."""
        if actor.email not in self.tokens:
            with self.uow() as unit:
                self.tokens[actor.email] = users.issue_token(unit, actor.email).secret
        return self.tokens[actor.email]

    def call(self, method: str, path: str, actor: Actor | None, **kwargs: Any) -> TestResponse:
        """Send a request as ``actor`` (None: no token)."""
        headers = dict(kwargs.pop("headers", {}))
        if actor is not None:
            headers["Authorization"] = f"Bearer {self.token(actor)}"
        response = self.client.open(PREFIX + path, method=method, headers=headers, **kwargs)
        check_against_openapi(method, PREFIX + path, response)
        return response

    def get(self, path: str, actor: Actor | None, **kwargs: Any) -> TestResponse:
        """GET as ``actor``."""
        return self.call("GET", path, actor, **kwargs)

    def post(self, path: str, actor: Actor | None, **kwargs: Any) -> TestResponse:
        """POST as ``actor``."""
        return self.call("POST", path, actor, **kwargs)

    def patch(self, path: str, actor: Actor | None, **kwargs: Any) -> TestResponse:
        """PATCH as ``actor``."""
        return self.call("PATCH", path, actor, **kwargs)


@pytest.fixture
def api(client: FlaskClient, uow: Callable[[], UnitOfWork]) -> Api:
    """The API client."""
    return Api(client, uow)
