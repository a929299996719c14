"""The idea workflow: states, triggers, the data each gate demands, and who may fire.

``TRIGGERS`` is the one source of truth. It builds the shared ``transitions`` machine and drives
input validation, the API's ``allowed_triggers``, the OpenAPI document and the web forms.

    trigger      from                         to        gate
    assess       proposed                     assessed  impact, feasibility, cost (1-5), summary
    start_pilot  assessed                     piloted   owner (default: the idea's owner),
                                                        starts_on < ends_on, success_criteria,
                                                        budget_dkk?, site?
    scale        piloted                      scaled    outcome (success|partial), evaluation,
                                                        scale_to
    reject       proposed, assessed, piloted  rejected  reason (shown to stakeholders)
    park         proposed, assessed           parked    reason, revisit_on (a future date)
    reopen       rejected, parked             proposed  reason
    merge        proposed, assessed, parked   merged    into (another idea that is not merged)

Owners may fire every trigger but ``merge`` on the ideas they own, and may not hand the idea to
somebody else through a field that assigns the owner; managers and admins fire any.

There is exactly one ``Machine``, built at import with ``auto_transitions=False`` and no models.
Firing hands it a short-lived ``Attempt`` that stands in for the idea; nothing is ever attached to
ORM rows, so loading ideas costs nothing extra and no model's state can be reset by ``add_model``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from transitions import EventData, Machine, MachineError

from workflow.errors import InvalidTransition, ValidationFailed
from workflow.gates import (
    N_,
    REASON_REQUIRED,
    Cleaned,
    Errors,
    FieldSpec,
    GateContext,
    Kind,
    Rule,
    check_gate,
    ends_after_start,
    pilot_owner_defaults_to_idea_owner,
)


class State(StrEnum):
    """Where an idea is in its life."""

    PROPOSED = "proposed"
    ASSESSED = "assessed"
    PILOTED = "piloted"
    SCALED = "scaled"
    REJECTED = "rejected"
    PARKED = "parked"
    MERGED = "merged"


INITIAL_STATE = State.PROPOSED
STATES: tuple[State, ...] = tuple(State)
# What people call the states (message ids, translated where they are shown).
STATE_LABELS: dict[str, str] = {
    State.PROPOSED: N_("Proposed"),
    State.ASSESSED: N_("Assessed"),
    State.PILOTED: N_("In pilot"),
    State.SCALED: N_("Scaled up"),
    State.REJECTED: N_("Rejected"),
    State.PARKED: N_("Parked"),
    State.MERGED: N_("Merged"),
}


@dataclass(frozen=True)
class TriggerSpec:
    """One row of the transition table."""

    name: str
    sources: tuple[State, ...]
    dest: State
    label: str
    fields: tuple[FieldSpec, ...]
    rules: tuple[Rule, ...] = ()
    owner_may_fire: bool = True

    @property
    def requires_reason(self) -> bool:
        """True when the top-level ``reason`` is mandatory for this trigger."""
        return any(spec.key == "reason" and spec.required for spec in self.fields)


TRIGGERS: tuple[TriggerSpec, ...] = (
    TriggerSpec(
        "assess",
        (State.PROPOSED,),
        State.ASSESSED,
        N_("Assess"),
        (
            FieldSpec("impact", Kind.SCORE, N_("Impact (1-5)")),
            FieldSpec("feasibility", Kind.SCORE, N_("Feasibility (1-5)")),
            FieldSpec("cost", Kind.SCORE, N_("Cost (1-5)")),
            FieldSpec("summary", Kind.TEXT, N_("Summary of the assessment")),
        ),
    ),
    TriggerSpec(
        "start_pilot",
        (State.ASSESSED,),
        State.PILOTED,
        N_("Start pilot"),
        (
            FieldSpec(
                "owner",
                Kind.USER_EMAIL,
                N_("Pilot owner (email)"),
                required=False,
                assigns_owner=True,
            ),
            FieldSpec("starts_on", Kind.DATE, N_("Starts on")),
            FieldSpec("ends_on", Kind.DATE, N_("Ends on")),
            FieldSpec("success_criteria", Kind.TEXT, N_("Success criteria")),
            FieldSpec("budget_dkk", Kind.AMOUNT, N_("Budget (DKK)"), required=False),
            FieldSpec("site", Kind.TEXT, N_("Site"), required=False, max_length=200),
        ),
        rules=(ends_after_start, pilot_owner_defaults_to_idea_owner),
    ),
    TriggerSpec(
        "scale",
        (State.PILOTED,),
        State.SCALED,
        N_("Scale up"),
        (
            FieldSpec(
                "outcome",
                Kind.CHOICE,
                N_("Outcome of the pilot"),
                choices=("success", "partial"),
                refusals=(("failure", N_("A failed pilot is not scaled: reject the idea.")),),
            ),
            FieldSpec("evaluation", Kind.TEXT, N_("Evaluation")),
            FieldSpec("scale_to", Kind.TEXT_LIST, N_("Scale to (places or units)"), max_length=200),
        ),
    ),
    TriggerSpec(
        "reject",
        (State.PROPOSED, State.ASSESSED, State.PILOTED),
        State.REJECTED,
        N_("Reject"),
        (REASON_REQUIRED,),
    ),
    TriggerSpec(
        "park",
        (State.PROPOSED, State.ASSESSED),
        State.PARKED,
        N_("Park"),
        (REASON_REQUIRED, FieldSpec("revisit_on", Kind.FUTURE_DATE, N_("Revisit on"))),
    ),
    TriggerSpec(
        "reopen",
        (State.REJECTED, State.PARKED),
        State.PROPOSED,
        N_("Reopen"),
        (REASON_REQUIRED,),
    ),
    TriggerSpec(
        "merge",
        (State.PROPOSED, State.ASSESSED, State.PARKED),
        State.MERGED,
        N_("Merge into another idea"),
        (FieldSpec("into", Kind.IDEA_REF, N_("Merge into idea (id)")),),
        owner_may_fire=False,
    ),
)

TRIGGERS_BY_NAME: dict[str, TriggerSpec] = {spec.name: spec for spec in TRIGGERS}
TRIGGER_NAMES: tuple[str, ...] = tuple(TRIGGERS_BY_NAME)
_ALLOWED: dict[str, tuple[str, ...]] = {
    state.value: tuple(spec.name for spec in TRIGGERS if state in spec.sources) for state in State
}


def allowed_triggers(state: str) -> tuple[str, ...]:
    """The triggers that can fire from ``state`` (a dictionary lookup: cheap on any list)."""
    return _ALLOWED.get(state, ())


def full_data(trigger: str, data: Any) -> dict[str, Any]:
    """``data`` as recorded for ``trigger`` with every field of its gate present (None when
    left out), so whatever shows a change can name any field without checking it exists."""
    spec = TRIGGERS_BY_NAME.get(trigger)
    recorded = dict(data) if isinstance(data, dict) else {}
    names = [field.name for field in spec.fields if field.in_data] if spec else []
    return {**dict.fromkeys(names), **recorded}


@dataclass
class Attempt:
    """What the shared machine moves: a stand-in for one idea during one firing."""

    state: str
    reason: Any
    data: Any
    context: GateContext
    cleaned: Cleaned = field(default_factory=dict)
    errors: Errors = field(default_factory=dict)


def _gate_passes(event: EventData) -> bool:
    attempt = event.model
    assert isinstance(attempt, Attempt)
    spec = TRIGGERS_BY_NAME[event.event.name]
    attempt.cleaned, attempt.errors = check_gate(
        spec.fields, spec.rules, attempt.reason, attempt.data, attempt.context
    )
    return not attempt.errors


def _build_machine() -> Machine:
    machine = Machine(
        model=None,
        states=[state.value for state in State],
        initial=INITIAL_STATE.value,
        auto_transitions=False,
        send_event=True,
        ignore_invalid_triggers=False,
    )
    for spec in TRIGGERS:
        machine.add_transition(
            spec.name, [s.value for s in spec.sources], spec.dest.value, conditions=[_gate_passes]
        )
    return machine


MACHINE = _build_machine()


@dataclass(frozen=True)
class Outcome:
    """A trigger that passed its gate: where the idea goes and the clean input that took it."""

    trigger: str
    from_state: str
    to_state: str
    reason: str | None
    data: Cleaned


def fire(state: str, trigger: Any, reason: Any, data: Any, context: GateContext) -> Outcome:
    """Fire ``trigger`` from ``state`` through the shared machine, checking its gate."""
    spec = TRIGGERS_BY_NAME.get(trigger) if isinstance(trigger, str) else None
    if spec is None:
        names = ", ".join(TRIGGER_NAMES)
        raise ValidationFailed({"trigger": N_("Unknown trigger; use one of: ") + names})
    attempt = Attempt(state=state, reason=reason, data=data, context=context)
    try:
        moved = MACHINE.events[spec.name].trigger(attempt)
    except MachineError:
        raise InvalidTransition(spec.name, state, allowed_triggers(state)) from None
    if not moved:
        raise ValidationFailed(attempt.errors)
    cleaned = dict(attempt.cleaned)
    return Outcome(spec.name, state, attempt.state, cleaned.pop("reason", None), cleaned)


class ReplayMismatch(ValueError):
    """A history row does not follow from the state before it."""


def replay(steps: Iterable[tuple[str, str, str]]) -> State:
    """Replay ``(trigger, from_state, to_state)`` rows from the initial state; return the end."""
    state = INITIAL_STATE
    for trigger, from_state, to_state in steps:
        if from_state != state or not MACHINE.get_transitions(trigger, state.value, to_state):
            raise ReplayMismatch(f"{trigger}: {from_state} -> {to_state} after {state}")
        state = State(to_state)
    return state
