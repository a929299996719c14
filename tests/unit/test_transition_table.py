"""The transition table, driven through the shared machine: every trigger from every state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tests.unit.guard_failures import GUARD_FAILURES, VALID
from workflow.errors import InvalidTransition, ValidationFailed
from workflow.gates import PILOT_NOT_STARTED
from workflow.states import (
    MACHINE,
    STATES,
    TRIGGERS,
    ReplayMismatch,
    allowed_triggers,
    fire,
    replay,
)

# The contract, written out independently of workflow.states.
EXPECTED = {
    "assess": ({"proposed"}, "assessed"),
    "start_pilot": ({"assessed"}, "piloted"),
    "scale": ({"piloted"}, "scaled"),
    "reject": ({"proposed", "assessed", "piloted"}, "rejected"),
    "park": ({"proposed", "assessed"}, "parked"),
    "reopen": ({"rejected", "parked"}, "proposed"),
    "merge": ({"proposed", "assessed", "parked"}, "merged"),
}
TODAY = date(2026, 11, 26)


@dataclass
class FakeContext:
    """A gate context with a fixed day, a few users and a few ideas."""

    today: date = TODAY
    idea_id: int = 1
    idea_owner_email: str | None = "owner@randers.dk"
    pilot_starts_on: date | None = None
    actor_manages: bool = False
    roles: dict[str, str] = field(
        default_factory=lambda: {
            "owner@randers.dk": "owner",
            "manager@randers.dk": "manager",
            "viewer@randers.dk": "viewer",
        }
    )
    ideas: dict[int, str] = field(
        default_factory=lambda: {1: "proposed", 2: "assessed", 3: "merged"}
    )

    def active_role(self, email: str) -> str | None:
        return self.roles.get(email)

    def idea_state(self, idea_id: int) -> str | None:
        return self.ideas.get(idea_id)


def test_the_table_matches_the_contract() -> None:
    assert {t.name: ({s.value for s in t.sources}, t.dest.value) for t in TRIGGERS} == EXPECTED
    assert [s.value for s in STATES] == [
        "proposed",
        "assessed",
        "piloted",
        "scaled",
        "rejected",
        "parked",
        "merged",
    ]


def test_the_machine_has_no_automatic_transitions_and_no_models() -> None:
    assert set(MACHINE.events) == set(EXPECTED)
    assert MACHINE.models == []


@pytest.mark.parametrize("state", [s.value for s in STATES])
@pytest.mark.parametrize("trigger", list(EXPECTED))
def test_every_trigger_from_every_state(trigger: str, state: str) -> None:
    sources, dest = EXPECTED[trigger]
    reason, data = VALID[trigger]
    if state in sources:
        outcome = fire(state, trigger, reason, data, FakeContext())
        assert (outcome.from_state, outcome.to_state) == (state, dest)
    else:
        with pytest.raises(InvalidTransition) as caught:
            fire(state, trigger, reason, data, FakeContext())
        assert caught.value.allowed_triggers == list(allowed_triggers(state))
        assert trigger not in caught.value.allowed_triggers


@pytest.mark.parametrize("state", [s.value for s in STATES])
def test_allowed_triggers_are_exactly_those_whose_sources_hold_the_state(state: str) -> None:
    expected = {name for name, (sources, _) in EXPECTED.items() if state in sources}
    assert set(allowed_triggers(state)) == expected
    assert set(MACHINE.get_triggers(state)) == expected


def test_terminal_states_allow_nothing() -> None:
    assert allowed_triggers("scaled") == ()
    assert allowed_triggers("merged") == ()


def test_unknown_trigger_is_a_validation_error() -> None:
    with pytest.raises(ValidationFailed) as caught:
        fire("proposed", "fly", None, {}, FakeContext())
    assert "trigger" in caught.value.fields


def test_clean_values_are_typed() -> None:
    outcome = fire(
        "assessed",
        "start_pilot",
        None,
        {**VALID["start_pilot"][1], "budget_dkk": 125000.5, "site": " Langå "},
        FakeContext(),
    )
    assert outcome.data == {
        "owner": "owner@randers.dk",
        "starts_on": date(2027, 1, 1),
        "ends_on": date(2027, 6, 30),
        "success_criteria": "50 unge",
        "budget_dkk": Decimal("125000.50"),
        "site": "Langå",
    }


def test_an_optional_comment_is_kept_as_the_reason() -> None:
    outcome = fire("proposed", "assess", "  Drøftet på mødet ", VALID["assess"][1], FakeContext())
    assert outcome.reason == "Drøftet på mødet"


@pytest.mark.parametrize(("trigger", "reason", "data", "key", "message"), GUARD_FAILURES)
def test_every_guard_names_the_failing_field(
    trigger: str, reason: str | None, data: Any, key: str, message: str
) -> None:
    state = next(iter(sorted(EXPECTED[trigger][0])))
    with pytest.raises(ValidationFailed) as caught:
        fire(state, trigger, reason, data, FakeContext())
    assert key in caught.value.fields, caught.value.fields
    assert message.lower() in caught.value.fields[key].lower()


def test_a_pilot_on_an_unowned_idea_must_name_its_owner() -> None:
    reason, data = VALID["start_pilot"]
    with pytest.raises(ValidationFailed) as caught:
        fire("assessed", "start_pilot", reason, data, FakeContext(idea_owner_email=None))
    assert "no owner" in caught.value.fields["data.owner"]
    outcome = fire(
        "assessed",
        "start_pilot",
        reason,
        {**data, "owner": "Manager@Randers.dk"},
        FakeContext(idea_owner_email=None),
    )
    assert outcome.data["owner"] == "manager@randers.dk"


def test_all_failing_fields_are_reported_at_once() -> None:
    with pytest.raises(ValidationFailed) as caught:
        fire("proposed", "assess", None, {}, FakeContext())
    assert set(caught.value.fields) == {
        "data.impact",
        "data.feasibility",
        "data.cost",
        "data.summary",
    }


def test_replay_follows_the_table() -> None:
    steps = [
        ("assess", "proposed", "assessed"),
        ("park", "assessed", "parked"),
        ("reopen", "parked", "proposed"),
        ("assess", "proposed", "assessed"),
        ("start_pilot", "assessed", "piloted"),
        ("scale", "piloted", "scaled"),
    ]
    assert replay(steps) == "scaled"
    assert replay([]) == "proposed"


@pytest.mark.parametrize(
    "steps",
    [
        [("scale", "proposed", "scaled")],
        [("assess", "assessed", "piloted")],
        [("assess", "proposed", "assessed"), ("assess", "proposed", "assessed")],
    ],
)
def test_replay_refuses_a_history_the_table_does_not_allow(
    steps: list[tuple[str, str, str]],
) -> None:
    with pytest.raises(ReplayMismatch):
        replay(steps)


@pytest.mark.parametrize("days_after_start", [-400, -1, 0, 1, 365])
@pytest.mark.parametrize("manages", [False, True])
@pytest.mark.parametrize("reason", [None, "", "   ", "Byrådet besluttede udrulning nu"])
def test_scaling_needs_a_pilot_that_has_started_or_a_managers_reason(
    days_after_start: int, manages: bool, reason: str | None
) -> None:
    starts = date.fromordinal(TODAY.toordinal() - days_after_start)
    context = FakeContext(pilot_starts_on=starts, actor_manages=manages)
    _, data = VALID["scale"]
    may_scale = days_after_start >= 0 or (manages and bool(reason and reason.strip()))
    if may_scale:
        assert fire("piloted", "scale", reason, data, context).to_state == "scaled"
        return
    with pytest.raises(ValidationFailed) as caught:
        fire("piloted", "scale", reason, data, context)
    assert caught.value.fields == {"reason": PILOT_NOT_STARTED}


def test_a_pilot_without_a_plan_on_record_is_not_held_back() -> None:
    _, data = VALID["scale"]
    assert fire("piloted", "scale", None, data, FakeContext()).to_state == "scaled"
