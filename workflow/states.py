"""The idea workflow: states, triggers, the data each gate demands, and who may fire.

``STATE_TABLE`` and ``TRIGGERS`` are the one source of truth. The state table says what each
state is called and whether it is open (still in play) or terminal (nothing leaves it); the
trigger table builds the shared ``transitions`` machine and drives input validation, each
trigger's effect on the idea, the API's ``allowed_triggers``, the OpenAPI document and the forms.

    trigger      from                         to        gate; effect
    assess       proposed                     assessed  impact, feasibility, cost (1-5), summary;
                                                        an assessment is recorded
    start_pilot  assessed                     piloted   owner (default: the idea's owner),
                                                        starts_on < ends_on, success_criteria,
                                                        budget_dkk?, site?; a pilot plan is
                                                        recorded and its owner owns the idea
    scale        piloted                      scaled    outcome (success|partial), evaluation,
                                                        scale_to, a pilot that has started (or a
                                                        manager's reason); an evaluation is
                                                        recorded
    reject       proposed, assessed, piloted  rejected  reason (shown to stakeholders)
    park         proposed, assessed           parked    reason, revisit_on (a future date);
                                                        revisit_on becomes the follow-up date
    reopen       rejected, parked             proposed  reason; parking's follow-up date goes
    merge        proposed, assessed, parked   merged    into (another idea that is not merged);
                                                        the idea points to the one it joined

Owners may fire every trigger but ``merge`` on the ideas they own, and may not hand the idea to
somebody else through a field that assigns the owner; managers and admins fire any.

There is exactly one ``Machine``, built at import with ``auto_transitions=False`` and no models.
Firing hands it a short-lived ``Attempt`` that stands in for the idea; nothing is ever attached to
ORM rows, so loading ideas costs nothing extra and no model's state can be reset by ``add_model``.
The machine checks (its condition is the gate); the effects are applied by
``workflow.services.transitions`` in plain order, after the owner check and before the history.
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
    TARGET_MERGED,
    Cleaned,
    Errors,
    FieldSpec,
    GateContext,
    Kind,
    Rule,
    check_gate,
    ends_after_start,
    pilot_has_started,
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


@dataclass(frozen=True)
class StateSpec:
    """One row of the state table: what people call the state and what it means for the idea."""

    state: State
    label: str  # a message id, translated where it is shown
    open: bool  # still in play: counted as open, followed up and reminded about
    terminal: bool  # no trigger leaves it


STATE_TABLE: tuple[StateSpec, ...] = (
    StateSpec(State.PROPOSED, N_("Proposed"), open=True, terminal=False),
    StateSpec(State.ASSESSED, N_("Assessed"), open=True, terminal=False),
    StateSpec(State.PILOTED, N_("In pilot"), open=True, terminal=False),
    StateSpec(State.SCALED, N_("Scaled up"), open=False, terminal=True),
    StateSpec(State.REJECTED, N_("Rejected"), open=False, terminal=False),
    StateSpec(State.PARKED, N_("Parked"), open=True, terminal=False),
    StateSpec(State.MERGED, N_("Merged"), open=False, terminal=True),
)

INITIAL_STATE = State.PROPOSED
STATES: tuple[State, ...] = tuple(State)
STATE_LABELS: dict[State, str] = {spec.state: spec.label for spec in STATE_TABLE}
_LABELS_BY_NAME: dict[str, str] = {spec.state.value: spec.label for spec in STATE_TABLE}
OPEN_STATES: tuple[State, ...] = tuple(spec.state for spec in STATE_TABLE if spec.open)
"""Ideas still in play: not scaled, rejected or merged."""


class Effect(StrEnum):
    """What firing a trigger does to the idea besides moving it (the service applies it)."""

    NONE = "none"
    RECORD_ASSESSMENT = "record_assessment"  # an Assessment with the scores and summary
    RECORD_PILOT_PLAN = "record_pilot_plan"  # a PilotPlan; its owner owns the idea from now on
    RECORD_EVALUATION = "record_evaluation"  # an Evaluation of the pilot
    SCHEDULE_REVISIT = "schedule_revisit"  # the follow-up date becomes ``revisit_on``
    DROP_REVISIT_DATE = "drop_revisit_date"  # a follow-up date set by parking is cleared
    POINT_TO_SURVIVOR = "point_to_survivor"  # ``merged_into`` becomes ``into``


def state_label(name: str) -> str:
    """The message id of what people call the state named ``name`` (other text stays as is)."""
    return _LABELS_BY_NAME.get(name, name)


@dataclass(frozen=True)
class TriggerSpec:
    """One row of the transition table."""

    name: str
    sources: tuple[State, ...]
    dest: State
    label: str
    fields: tuple[FieldSpec, ...]
    effect: Effect
    rules: tuple[Rule, ...] = ()
    owner_may_fire: bool = True

    @property
    def requires_reason(self) -> bool:
        """True when the top-level ``reason`` is mandatory for this trigger."""
        return any(spec.key == "reason" and spec.required for spec in self.fields)


def _into_not_merged(cleaned: Cleaned, errors: Errors, ctx: GateContext) -> None:
    """A merge names the surviving idea, never one that is itself merged."""
    into = cleaned.get("into")
    if into is not None and ctx.idea_state(into) == State.MERGED:
        errors["data.into"] = TARGET_MERGED
        del cleaned["into"]


TRIGGERS: tuple[TriggerSpec, ...] = (
    TriggerSpec(
        "assess",
        (State.PROPOSED,),
        State.ASSESSED,
        N_("Assess"),
        (
            FieldSpec("impact", Kind.SCORE, N_("Impact (1-5, 5 = greatest)"), public=False),
            FieldSpec(
                "feasibility", Kind.SCORE, N_("Feasibility (1-5, 5 = easiest)"), public=False
            ),
            FieldSpec("cost", Kind.SCORE, N_("Cost (1-5, 5 = most expensive)"), public=False),
            FieldSpec("summary", Kind.TEXT, N_("Summary of the assessment")),
        ),
        effect=Effect.RECORD_ASSESSMENT,
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
                N_("Pilot owner"),
                required=False,
                assigns_owner=True,
            ),
            FieldSpec("starts_on", Kind.DATE, N_("Starts on")),
            FieldSpec("ends_on", Kind.DATE, N_("Ends on")),
            FieldSpec("success_criteria", Kind.TEXT, N_("Success criteria")),
            FieldSpec("budget_dkk", Kind.AMOUNT, N_("Budget (DKK)"), required=False, public=False),
            FieldSpec("site", Kind.TEXT, N_("Site"), required=False, max_length=200),
        ),
        effect=Effect.RECORD_PILOT_PLAN,
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
        effect=Effect.RECORD_EVALUATION,
        rules=(pilot_has_started,),
    ),
    TriggerSpec(
        "reject",
        (State.PROPOSED, State.ASSESSED, State.PILOTED),
        State.REJECTED,
        N_("Reject"),
        (REASON_REQUIRED,),
        effect=Effect.NONE,
    ),
    TriggerSpec(
        "park",
        (State.PROPOSED, State.ASSESSED),
        State.PARKED,
        N_("Park"),
        (REASON_REQUIRED, FieldSpec("revisit_on", Kind.FUTURE_DATE, N_("Revisit on"))),
        effect=Effect.SCHEDULE_REVISIT,
    ),
    TriggerSpec(
        "reopen",
        (State.REJECTED, State.PARKED),
        State.PROPOSED,
        N_("Reopen"),
        (REASON_REQUIRED,),
        effect=Effect.DROP_REVISIT_DATE,
    ),
    TriggerSpec(
        "merge",
        (State.PROPOSED, State.ASSESSED, State.PARKED),
        State.MERGED,
        N_("Merge into another idea"),
        (FieldSpec("into", Kind.IDEA_REF, N_("Merge into idea (id)")),),
        effect=Effect.POINT_TO_SURVIVOR,
        rules=(_into_not_merged,),
        owner_may_fire=False,
    ),
)

TRIGGERS_BY_NAME: dict[str, TriggerSpec] = {spec.name: spec for spec in TRIGGERS}
TRIGGER_NAMES: tuple[str, ...] = tuple(TRIGGERS_BY_NAME)
_ALLOWED: dict[State, tuple[str, ...]] = {
    state: tuple(spec.name for spec in TRIGGERS if state in spec.sources) for state in State
}


def allowed_triggers(state: State) -> tuple[str, ...]:
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

    state: str  # the machine names its states by their values
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
    from_state: State
    to_state: State
    reason: str | None
    data: Cleaned


def fire(state: State, trigger: Any, reason: Any, data: Any, context: GateContext) -> Outcome:
    """Fire ``trigger`` from ``state`` through the shared machine, checking its gate."""
    spec = TRIGGERS_BY_NAME.get(trigger) if isinstance(trigger, str) else None
    if spec is None:
        names = ", ".join(TRIGGER_NAMES)
        raise ValidationFailed({"trigger": N_("Unknown trigger; use one of: ") + names})
    attempt = Attempt(state=State(state).value, reason=reason, data=data, context=context)
    try:
        moved = MACHINE.events[spec.name].trigger(attempt)
    except MachineError:
        raise InvalidTransition(spec.name, state, allowed_triggers(state)) from None
    if not moved:
        raise ValidationFailed(attempt.errors)
    cleaned = dict(attempt.cleaned)
    return Outcome(spec.name, state, State(attempt.state), cleaned.pop("reason", None), cleaned)


class ReplayMismatch(ValueError):
    """A history row does not follow from the state before it."""


def replay(steps: Iterable[tuple[str, str, str]]) -> State:
    """Replay ``(trigger, from_state, to_state)`` rows from the initial state; return the end."""
    state = INITIAL_STATE
    for trigger, from_state, to_state in steps:
        # The machine knows states by their values; given a State it would look up its name.
        dest = to_state.value if isinstance(to_state, State) else to_state
        if from_state != state or not MACHINE.get_transitions(trigger, state.value, dest):
            raise ReplayMismatch(f"{trigger}: {from_state} -> {to_state} after {state}")
        state = State(dest)
    return state
