"""Whatever JSON a client sends, the API answers with a documented 4xx or a success, never a 500
(400 for NaN and Infinity, which Python writes but JSON does not have)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.api.conftest import Api
from workflow.permissions import Actor
from workflow.states import TRIGGER_NAMES

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.sampled_from([10**400, 999999999999.995, 2**31, -(2**63), "a\x00b", "\x00"])
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.sampled_from(["2027-01-01", "2020-02-30", "", "  ", "failure", "success", "owner1@x.dk"]),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
data_fields = st.sampled_from(
    [
        "impact",
        "feasibility",
        "cost",
        "summary",
        "owner",
        "starts_on",
        "ends_on",
        "success_criteria",
        "budget_dkk",
        "site",
        "outcome",
        "evaluation",
        "scale_to",
        "revisit_on",
        "into",
        "extra",
    ]
)
transition_bodies = st.fixed_dictionaries(
    {"trigger": st.sampled_from([*TRIGGER_NAMES, "fly"]) | json_values},
    optional={
        "reason": json_values,
        "expected_version": json_values,
        "data": st.dictionaries(data_fields, json_values, max_size=6) | json_values,
    },
)
idea_bodies = st.dictionaries(
    st.sampled_from(
        ["title", "description", "themes", "owner", "follow_up_on", "expected_version", "x"]
    ),
    json_values,
    max_size=5,
)
FUZZ = settings(max_examples=60, deadline=None)


def test_transitions_never_fail_on_the_server(api: Api, make_user: Callable[..., Actor]) -> None:
    manager = make_user("manager")

    @FUZZ
    @given(body=transition_bodies)
    def check(body: dict[str, Any]) -> None:
        idea = api.post("/ideas", manager, json={"title": "Fuzz"}).get_json()
        response = api.post(f"/ideas/{idea['id']}/transitions", manager, json=body)
        assert response.status_code in (200, 400, 409, 422), (body, response.get_json())

    check()


def test_idea_create_and_patch_never_fail_on_the_server(
    api: Api, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")

    @FUZZ
    @given(create=idea_bodies, patch=idea_bodies)
    def check(create: dict[str, Any], patch: dict[str, Any]) -> None:
        created = api.post("/ideas", manager, json=create)
        assert created.status_code in (201, 400, 422), (create, created.get_json())
        idea = api.post("/ideas", manager, json={"title": "Fuzz"}).get_json()
        patched = api.patch(f"/ideas/{idea['id']}", manager, json=patch)
        assert patched.status_code in (200, 400, 409, 422), (patch, patched.get_json())

    check()
