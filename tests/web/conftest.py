"""Test-client helpers for the review pages: sign in as a user, post forms with their CSRF token."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import PASSWORD
from workflow.permissions import Actor

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Web:
    """A browser stand-in on the Flask test client."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.actor: Actor | None = None

    def csrf_token(self) -> str:
        """A valid CSRF token for this client's session (read from the sign-in page)."""
        page = self.client.get("/login", headers={"Accept-Language": "en"})
        if page.status_code == 302:  # signed in: any page carries the token (in the header)
            page = self.client.get("/my", headers={"Accept-Language": "en"})
        match = _CSRF.search(page.get_data(as_text=True))
        assert match, "no CSRF token on the page"
        return match.group(1)

    def login(self, actor: Actor, password: str = PASSWORD) -> TestResponse:
        """Sign in as ``actor`` (made with the ``make_user`` fixture)."""
        response = self.client.post(
            "/login",
            data={"email": actor.email, "password": password, "csrf_token": self.csrf_token()},
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        self.actor = actor
        return response

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        """GET ``path`` (English unless an Accept-Language header is given)."""
        headers = {"Accept-Language": "en", **kwargs.pop("headers", {})}
        return self.client.get(path, headers=headers, **kwargs)

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> TestResponse:
        """POST a form to ``path`` with a valid CSRF token added."""
        headers = {"Accept-Language": "en", **kwargs.pop("headers", {})}
        form = {"csrf_token": self.csrf_token(), **(data or {})}
        return self.client.post(path, data=form, headers=headers, **kwargs)

    def text(self, path: str) -> str:
        """The page at ``path`` as text, asserting it answered 200."""
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)


@pytest.fixture
def web(client: FlaskClient) -> Web:
    """A signed-out browser stand-in; call ``web.login(actor)``."""
    return Web(client)


@pytest.fixture
def client_factory(app: Flask) -> Callable[[], Web]:
    """Make more browsers (each with its own cookies) on the same app."""
    return lambda: Web(app.test_client())
