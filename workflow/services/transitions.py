"""The use case at the heart of ideaflow: fire a trigger at an idea."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from workflow.clock import local_today, utcnow
from workflow.errors import Forbidden, ReferencedIdeaMerged
from workflow.events import IdeaTransitioned
from workflow.gates import MAX_ID, Kind, iso_day, whole
from workflow.models import Assessment, Evaluation, HistoryEntry, Idea, PilotPlan, User
from workflow.permissions import Actor, may_assign_owner, may_fire
from workflow.services.ideas import (
    check_expected_version,
    load_for_step,
    load_idea,
    load_with_records,
)
from workflow.services.transition_statement import write_step
from workflow.services.transition_writes import Record
from workflow.states import (
    OPEN_STATES,
    TRIGGERS_BY_NAME,
    Effect,
    Outcome,
    State,
    allowed_triggers,
    fire,
)
from workflow.uow import UnitOfWork
from workflow.views import HistoryView, IdeaDetail, history_views, idea_detail, jsonable


@dataclass(frozen=True)
class _Context:
    """What gates and effects may ask about the world, answered from the unit of work."""

    uow: UnitOfWork
    idea: Idea
    today: date
    pilot_starts_on: date | None
    actor_manages: bool
    _users: dict[str, User | None] = dataclasses.field(default_factory=dict)

    @property
    def idea_id(self) -> int:
        return self.idea.id

    @property
    def idea_owner_email(self) -> str | None:
        return self.idea.owner.email if self.idea.owner else None

    def user(self, email: str) -> User | None:
        """The user with this email: the idea's owner as loaded, else asked once per step."""
        key = email.strip().lower()
        owner = self.idea.owner
        if owner is not None and owner.email == key:
            return owner
        if key not in self._users:
            self._users[key] = self.uow.users.by_email(key)
        return self._users[key]

    def active_role(self, email: str) -> str | None:
        user = self.user(email)
        return user.role if user is not None and user.active else None

    def idea_state(self, idea_id: int) -> State | None:
        # As locked for this step (see _lock_referenced_ideas), not as re-read a moment later:
        # a change committed meanwhile is caught by the compare-and-set instead.
        other = self.uow.ideas.get(idea_id)
        return other.state if other is not None else None


def fire_trigger(
    uow: UnitOfWork,
    actor: Actor,
    idea_id: int,
    trigger: Any,
    *,
    reason: Any = None,
    data: Any = None,
    expected_version: Any = None,
    now: datetime | None = None,
) -> IdeaDetail:
    """Move an idea through its gate, writing the record, history and outbox row in one commit.

    Checks run in this order: the idea exists (404), the actor may fire this trigger on it (403),
    the caller saw the current version (409), the trigger fits the state (409), the gate's data
    (422), a change of owner only by managers (403). A concurrent change that slips in before
    the commit loses the version compare-and-set.
    """
    # A step pointing at other ideas locks and reloads them through the session; any other
    # reads its idea as plain columns (see idea_for_step).
    found = (
        load_with_records(uow, idea_id)
        if _referenced_ideas(trigger, data, idea_id)
        else load_for_step(uow, idea_id)
    )
    idea = found.idea
    if not may_fire(actor, idea.owner_id, trigger if isinstance(trigger, str) else ""):
        raise Forbidden("You may not do this to this idea.")
    referenced = _lock_referenced_ideas(uow, idea, trigger, data)
    if referenced:  # reloaded under the lock: the records as they are now
        found = load_with_records(uow, idea_id)
    check_expected_version(idea, expected_version)
    _refuse_merged_references(idea, trigger, referenced)
    now = now or utcnow()
    owner_before = idea.owner.email if idea.owner else None
    with uow.session.no_autoflush:  # written below, statement by statement
        pilot_starts = found.pilot_plan.starts_on if found.pilot_plan is not None else None
        outcome, record = _apply(uow, actor, idea, trigger, reason, data, now, pilot_starts)
        for other in referenced.values():
            # The idea pointed at changes too (a merge's survivor carries this one on): its
            # version moves, so a merge racing the other way, or an edit that did not see this,
            # loses its compare-and-set.
            other.updated_at = now
    entry = HistoryEntry(
        idea_id=idea.id,
        trigger=outcome.trigger,
        from_state=outcome.from_state,
        to_state=outcome.to_state,
        actor_id=actor.id,
        at=now,
        reason=outcome.reason,
        data=jsonable(outcome.data),
    )
    write_step(
        uow,
        sorted([idea, *referenced.values()], key=lambda row: row.id),  # in id order, as locked
        record,
        entry,
        lambda history_id: IdeaTransitioned(
            idea.id,
            history_id=history_id,
            trigger=entry.trigger,
            from_state=entry.from_state,
            to_state=entry.to_state,
            actor_id=actor.id,
            reason=entry.reason,
            data=entry.data,
            owner_before=owner_before,
        ),
    )
    # The answer is built before the commit, from what this step loaded and wrote (no reads
    # after the writes): once committed, the caller must hear of it even if the database goes
    # away a moment later (a read after the commit could fail with 503).
    moved = idea_detail(
        idea,
        record if isinstance(record, Assessment) else found.assessment,
        record if isinstance(record, PilotPlan) else found.pilot_plan,
        record if isinstance(record, Evaluation) else found.evaluation,
        found.themes,
    )
    uow.commit()
    return moved


def _apply(
    uow: UnitOfWork,
    actor: Actor,
    idea: Idea,
    trigger: Any,
    reason: Any,
    data: Any,
    now: datetime,
    pilot_starts_on: date | None,
) -> tuple[Outcome, Record | None]:
    """Check the gate, apply the trigger's effect and the new state to the idea (unwritten)."""
    context = _Context(uow, idea, local_today(now), pilot_starts_on, actor.manages)
    outcome = fire(idea.state, trigger, reason, data, context)
    _check_owner_change(actor, idea, outcome)
    record = EFFECTS[TRIGGERS_BY_NAME[outcome.trigger].effect](context, outcome, actor)
    if outcome.to_state not in OPEN_STATES and idea.follow_up_on is not None:
        idea.follow_up_on = None  # a closed idea has nothing left to follow up
    idea.state = outcome.to_state
    idea.state_changed_at = now
    idea.updated_at = now
    return outcome, record


def _lock_referenced_ideas(uow: UnitOfWork, idea: Idea, trigger: Any, data: Any) -> dict[str, Idea]:
    """Before a step that points at other ideas (a merge's ``into``): lock the idea and those
    it points at, in id order, and reload them as they are now. Returns them by field key.

    Two opposite merges (A into B, B into A) then run one after the other on PostgreSQL, and the
    second finds its target merged. The step also changes the ideas it points at (their version
    moves), so on SQLite, without row locks, the second loses the version compare-and-set.
    """
    referenced = _referenced_ideas(trigger, data, idea.id)
    if not referenced:
        return {}
    locked = {row.id: row for row in uow.ideas.lock([idea.id, *referenced.values()])}
    return {key: locked[ref] for key, ref in referenced.items() if ref in locked}


def _refuse_merged_references(idea: Idea, trigger: Any, referenced: dict[str, Idea]) -> None:
    """409 when a step that may fire now points at an idea that is merged (by now)."""
    if trigger not in allowed_triggers(idea.state):
        return  # the state refuses it anyway, with its own 409
    for key, target in referenced.items():
        if target.state == State.MERGED:
            raise ReferencedIdeaMerged(key, target.id, target.merged_into_id)


def _referenced_ideas(trigger: Any, data: Any, idea_id: int) -> dict[str, int]:
    """The well-formed idea ids in the trigger's IDEA_REF fields, by field key."""
    spec = TRIGGERS_BY_NAME.get(trigger) if isinstance(trigger, str) else None
    if spec is None or not isinstance(data, dict):
        return {}
    found: dict[str, int] = {}
    for field in spec.fields:
        # Read as the gate reads it (2.0 is 2), so no well-formed reference escapes the lock.
        ref = whole(data.get(field.name)) if field.kind is Kind.IDEA_REF else None
        if ref is not None and 1 <= ref <= MAX_ID and ref != idea_id:
            found[field.key] = ref
    return found


def _check_owner_change(actor: Actor, idea: Idea, outcome: Outcome) -> None:
    """Only managers hand an idea to someone else, through a gate as through the edit form."""
    if may_assign_owner(actor):
        return
    current = idea.owner.email if idea.owner else None
    for spec in TRIGGERS_BY_NAME[outcome.trigger].fields:
        if spec.assigns_owner and outcome.data.get(spec.name) not in (None, current):
            raise Forbidden("Only managers hand an idea to someone else.")


def idea_history(
    uow: UnitOfWork, actor: Actor, idea_id: int, latest: int | None = None
) -> list[HistoryView]:
    """An idea's fired triggers (the ``latest`` ones when given), oldest first."""
    idea = load_idea(uow, idea_id)
    return history_views(uow.history.for_idea(idea.id, latest))


Apply = Callable[[_Context, Outcome, Actor], Record | None]
"""An effect changes the idea and returns the record it wrote, if any."""


def _no_effect(ctx: _Context, outcome: Outcome, actor: Actor) -> None:
    return None


def _record_assessment(ctx: _Context, outcome: Outcome, actor: Actor) -> Assessment:
    data = outcome.data
    return Assessment(
        idea_id=ctx.idea.id,
        created_at=utcnow(),
        impact=data["impact"],
        feasibility=data["feasibility"],
        cost=data["cost"],
        summary=data["summary"],
        assessed_by_id=actor.id,
    )


def _record_pilot_plan(ctx: _Context, outcome: Outcome, actor: Actor) -> PilotPlan:
    data = outcome.data
    pilot_owner = ctx.user(data["owner"])
    assert pilot_owner is not None  # the gate checked it
    # Whoever runs the pilot owns the idea from here on: reminders and follow-ups go to them.
    ctx.idea.owner, ctx.idea.owner_id = pilot_owner, pilot_owner.id
    return PilotPlan(
        idea_id=ctx.idea.id,
        created_at=utcnow(),
        owner=pilot_owner,
        owner_id=pilot_owner.id,
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        success_criteria=data["success_criteria"],
        budget_dkk=data.get("budget_dkk"),
        site=data.get("site"),
        created_by_id=actor.id,
    )


def _record_evaluation(ctx: _Context, outcome: Outcome, actor: Actor) -> Evaluation:
    data = outcome.data
    return Evaluation(
        idea_id=ctx.idea.id,
        created_at=utcnow(),
        outcome=data["outcome"],
        evaluation=data["evaluation"],
        scale_to=data["scale_to"],
        created_by_id=actor.id,
    )


def _schedule_revisit(ctx: _Context, outcome: Outcome, actor: Actor) -> None:
    ctx.idea.follow_up_on = outcome.data["revisit_on"]


def _drop_revisit_date(ctx: _Context, outcome: Outcome, actor: Actor) -> None:
    # Parking set the follow-up to the revisit date; once reopened, that date means nothing.
    idea = ctx.idea
    if outcome.from_state != State.PARKED or idea.follow_up_on is None:
        return
    parked = ctx.uow.history.latest_park_data(idea.id)
    if parked is not None and iso_day(parked.get("revisit_on")) == idea.follow_up_on:
        idea.follow_up_on = None


def _point_to_survivor(ctx: _Context, outcome: Outcome, actor: Actor) -> None:
    ctx.idea.merged_into_id = outcome.data["into"]


EFFECTS: dict[Effect, Apply] = {
    Effect.NONE: _no_effect,
    Effect.RECORD_ASSESSMENT: _record_assessment,
    Effect.RECORD_PILOT_PLAN: _record_pilot_plan,
    Effect.RECORD_EVALUATION: _record_evaluation,
    Effect.SCHEDULE_REVISIT: _schedule_revisit,
    Effect.DROP_REVISIT_DATE: _drop_revisit_date,
    Effect.POINT_TO_SURVIVOR: _point_to_survivor,
}
"""How each effect named in the transition table is applied to the idea."""
