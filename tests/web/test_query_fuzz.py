"""Every page reached with hostile query strings (filters, page numbers, languages, where to
go next) by a user allowed to see it: never a 5xx, and a 4xx says why."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import Rule

from tests.web.test_authorisation_matrix import MATRIX, OK, routes
from tests.web.test_form_fuzz import HOSTILE_TEXT, MESSAGE, SCRIPT
from tests.web.world import ROLES, UowFactory, World, build_world
from workflow.permissions import Actor

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
# The names of the GET forms' fields (filters) and the query parameters pages read.
PARAMETERS = sorted(
    set(re.findall(r'name="([a-z_]+)"', "".join(
        path.read_text(encoding="utf-8") for path in TEMPLATES.rglob("*.html")
    ))) | {"page", "per_page", "lang", "next", "q"}
)  # fmt: skip


def pages(app: Flask) -> list[tuple[Rule, str | None, str]]:
    """(rule, variant, role) for every page (not the API, not static files) and every role
    allowed to see it."""
    return [
        (rule, variant, role)
        for key, method, rule, variant in routes(app)
        if method == "GET" and not rule.rule.startswith(("/api/", "/static/"))
        for role in ROLES
        if MATRIX[key][role] == OK
    ]


@pytest.fixture
def world(app: Flask, uow: UowFactory, make_user: Callable[..., Actor]) -> World:
    return build_world(app, uow, make_user)


def test_every_page_survives_hostile_query_strings(world: World) -> None:
    targets = pages(world.app)

    @settings(
        max_examples=150,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        target=st.sampled_from(targets),
        query=st.dictionaries(
            st.sampled_from(PARAMETERS), HOSTILE_TEXT | st.lists(HOSTILE_TEXT, max_size=3),
            min_size=1, max_size=4,
        ),
    )  # fmt: skip
    def fuzz(target: tuple[Rule, str | None, str], query: dict[str, Any]) -> None:
        rule, variant, role = target
        response = world.client(role).get(
            world.url(rule, variant), query_string=query, headers={"Accept-Language": "en"}
        )
        text = response.get_data(as_text=True)
        response.close()
        assert response.status_code < 500, (rule.rule, query, text[:300])
        if 400 <= response.status_code < 500:
            assert MESSAGE.search(text), (rule.rule, query, response.status_code)
        assert SCRIPT not in text, (rule.rule, query, "unescaped input")

    fuzz()
