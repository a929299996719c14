"""The contract models: built from the transition table, and what they serialise."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from workflow.contracts.followers import NewFollower
from workflow.contracts.ideas import IdeaChanges, NewIdea, PilotPlan
from workflow.contracts.meetings import NewParticipant
from workflow.contracts.transitions import TRANSITION_FIELDS, TRANSITION_MODELS, Transition
from workflow.services.contacts import FOLLOW_FIELDS
from workflow.services.ideas import EDITABLE_FIELDS
from workflow.services.participants import PARTICIPANT_FIELDS
from workflow.states import TRIGGERS

EXAMPLES: dict[str, dict[str, Any]] = {
    "assess": {"impact": 1, "feasibility": 5, "cost": 3, "summary": "x"},
    "start_pilot": {"starts_on": "2030-01-01", "ends_on": "2030-02-01", "success_criteria": "y"},
    "scale": {"outcome": "success", "evaluation": "z", "scale_to": ["Randers"]},
    "reject": {},
    "park": {"revisit_on": "2030-01-01"},
    "reopen": {},
    "merge": {"into": 7},
}


def test_every_trigger_has_a_model_with_exactly_its_gate_fields() -> None:
    assert set(TRANSITION_MODELS) == {trigger.name for trigger in TRIGGERS}
    for trigger in TRIGGERS:
        schema = TRANSITION_MODELS[trigger.name].model_json_schema()
        data = schema["$defs"][f"Transition_{trigger.name}_data"]
        assert set(data["properties"]) == {f.name for f in trigger.fields if f.in_data}
        assert set(data.get("required", [])) == {
            f.name for f in trigger.fields if f.in_data and f.required
        }
        assert ("reason" in schema["required"]) == trigger.requires_reason


@pytest.mark.parametrize("trigger", [t.name for t in TRIGGERS])
def test_a_valid_body_parses_to_its_triggers_model(trigger: str) -> None:
    spec = next(t for t in TRIGGERS if t.name == trigger)
    body = {"trigger": trigger, "data": EXAMPLES[trigger]}
    if spec.requires_reason:
        body["reason"] = "Fordi"
    parsed = Transition.model_validate(body).root
    assert type(parsed) is TRANSITION_MODELS[trigger]
    with pytest.raises(ValueError, match="Extra inputs"):
        Transition.model_validate({**body, "data": {**EXAMPLES[trigger], "nope": 1}})


def test_a_blank_reason_is_refused_where_one_is_required() -> None:
    with pytest.raises(ValueError, match="pattern"):
        Transition.model_validate({"trigger": "reject", "reason": " \u3000\n"})


def test_answers_keep_the_json_the_api_always_gave() -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    plan = {
        "owner": "anne@randers.dk",
        "starts_on": date(2026, 2, 1),
        "ends_on": date(2026, 3, 1),
        "success_criteria": "Flere i job",
        "budget_dkk": Decimal("125000.00"),
        "site": None,
        "at": at,
    }
    dumped = PilotPlan.of(plan).dump()
    assert dumped["budget_dkk"] == 125000 and isinstance(dumped["budget_dkk"], int)
    assert dumped["at"] == "2026-01-02T03:04:05+00:00"
    assert dumped["starts_on"] == "2026-02-01"
    assert PilotPlan.of({**plan, "budget_dkk": Decimal("0.50")}).dump()["budget_dkk"] == 0.5


def test_the_services_take_exactly_the_fields_the_input_models_name() -> None:
    assert set(NewIdea.model_fields) == set(EDITABLE_FIELDS)
    assert set(IdeaChanges.model_fields) == {*EDITABLE_FIELDS, "expected_version"}
    assert set(NewFollower.model_fields) == set(FOLLOW_FIELDS)
    assert set(NewParticipant.model_fields) == set(PARTICIPANT_FIELDS)
    assert {"trigger", "expected_version", "reason", "data"} == TRANSITION_FIELDS
