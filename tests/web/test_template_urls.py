"""Templates' ``url_for`` from patterns builds exactly what Flask's builds, for every route, with
any values, under any script root."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from web import urls
from workflow.gates import MAX_ID

ROUTE_ENDPOINTS = st.shared(st.integers(min_value=0, max_value=10_000), key="route")
IDS = st.one_of(st.integers(min_value=1, max_value=MAX_ID), st.sampled_from([1, MAX_ID]))
VALUES = st.one_of(
    IDS,
    st.integers(min_value=-5, max_value=0),
    st.text(min_size=0, max_size=12),
    st.from_regex(r"[A-Za-z0-9_-]{1,12}", fullmatch=True),
    st.booleans(),
    st.none(),
)


def _rules(app: Flask) -> list[Any]:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())),
        key=lambda rule: rule.endpoint,
    )


def _values_for(rule: Any, data: st.DataObject) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in sorted(rule.arguments):
        converter = type(rule._converters[name]).__name__
        values[name] = data.draw(
            IDS
            if converter == "IdConverter"
            else VALUES.filter(lambda v: isinstance(v, str) and v != "" and "/" not in v)
        )
    for name in data.draw(st.lists(st.sampled_from(["page", "state", "q", "sort"]), unique=True)):
        values[name] = data.draw(VALUES)
    return values


@pytest.mark.parametrize("script_root", ["", "/ideaflow"])
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_every_route_builds_as_flask_builds_it(
    app: Flask, script_root: str, data: st.DataObject
) -> None:
    rules = _rules(app)
    rule = rules[data.draw(st.integers(min_value=0, max_value=len(rules) - 1))]
    values = _values_for(rule, data)
    with app.test_request_context("/", base_url=f"http://localhost{script_root}"):
        try:
            expected = url_for(rule.endpoint, **values)
        except Exception as error:  # Flask refuses the values: so must the template helper
            with pytest.raises(type(error)):
                urls.template_url_for(rule.endpoint, **values)
            return
        assert urls.template_url_for(rule.endpoint, **values) == expected
        assert urls.template_url_for(rule.endpoint, **values) == expected  # from the pattern


def test_templates_use_it(app: Flask) -> None:
    assert app.jinja_env.globals["url_for"] is urls.template_url_for
