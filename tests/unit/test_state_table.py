"""The state table and the trigger table: every state has its flags, every trigger its effect."""

from __future__ import annotations

import pytest
from sqlalchemy.dialects import sqlite

from workflow.models.base import StateColumn
from workflow.services.transitions import EFFECTS
from workflow.states import (
    OPEN_STATES,
    STATE_LABELS,
    STATE_TABLE,
    STATES,
    TRIGGERS,
    Effect,
    State,
    allowed_triggers,
    state_label,
)

# The contract, written out independently of workflow.states.
EXPECTED_EFFECTS = {
    "assess": Effect.RECORD_ASSESSMENT,
    "start_pilot": Effect.RECORD_PILOT_PLAN,
    "scale": Effect.RECORD_EVALUATION,
    "reject": Effect.NONE,
    "park": Effect.SCHEDULE_REVISIT,
    "reopen": Effect.DROP_REVISIT_DATE,
    "merge": Effect.POINT_TO_SURVIVOR,
}


def test_every_state_has_one_row_with_its_flags_and_label() -> None:
    assert [spec.state for spec in STATE_TABLE] == list(STATES) == list(State)
    for spec in STATE_TABLE:
        assert isinstance(spec.open, bool) and isinstance(spec.terminal, bool)
        assert spec.label and STATE_LABELS[spec.state] == spec.label
        assert state_label(spec.state.value) == spec.label
    assert state_label("unknown") == "unknown"


def test_open_and_terminal_states_come_from_the_table() -> None:
    terminal = tuple(spec.state for spec in STATE_TABLE if spec.terminal)
    assert OPEN_STATES == (State.PROPOSED, State.ASSESSED, State.PILOTED, State.PARKED)
    assert terminal == (State.SCALED, State.MERGED)
    assert not set(OPEN_STATES) & set(terminal)


def test_terminal_means_no_trigger_leaves_the_state() -> None:
    for spec in STATE_TABLE:
        assert spec.terminal == (allowed_triggers(spec.state) == ())


def test_every_trigger_has_its_effect_and_every_effect_is_applied() -> None:
    assert {spec.name: spec.effect for spec in TRIGGERS} == EXPECTED_EFFECTS
    assert set(EFFECTS) == set(Effect)
    assert {spec.effect for spec in TRIGGERS} == set(Effect)  # no effect is left unused


def test_the_state_column_stores_names_and_reads_back_states() -> None:
    column = StateColumn()
    dialect = sqlite.dialect()
    assert column.process_bind_param(State.PARKED, dialect) == "parked"
    assert column.process_bind_param("parked", dialect) == "parked"
    assert column.process_bind_param(None, dialect) is None
    with pytest.raises(ValueError, match="not a valid State"):
        column.process_bind_param("archived", dialect)
    read = column.process_result_value("parked", dialect)
    assert read is State.PARKED
    assert column.process_result_value(None, dialect) is None
