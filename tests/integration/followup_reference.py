"""References for the reminder sweep, written apart from the code it runs.

- ``full_scan_plan``: the decision as it was made before each idea kept its next moment: four
  queries, one per kind of occasion, over every open idea an occasion holds for, then the
  reminders sent for each. The sweep must decide exactly the same.
- ``fresh_moments``: the moment each idea should hold now, worked out from its rows one idea at
  a time (whatever ``next_check_at`` holds).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    cast,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from workflow.clock import local_today
from workflow.followups.decisions import (
    ESCALATION,
    FOLLOW_UP,
    PILOT_ENDED,
    UNASSESSED,
    UNTOUCHED,
    Occasion,
    local_date,
    most_pressing,
    next_number,
    start_of_local_day,
    waited_since_before,
)
from workflow.followups.rules import FollowupRules
from workflow.followups.schedule import Facts, counting, moment_of, next_check_on
from workflow.models import Evaluation, Idea, PilotPlan, Reminder, User
from workflow.models.base import UTCDateTime
from workflow.states import OPEN_STATES, State
from workflow.uow import UnitOfWork


def fresh_moments(uow: UnitOfWork, today: date, rules: FollowupRules) -> dict[int, datetime | None]:
    """Per idea: the ``next_check_at`` the facts and reminders give on ``today``."""
    moments = {}
    for idea in uow.session.scalars(select(Idea).order_by(Idea.id)):
        owner = uow.session.get(User, idea.owner_id) if idea.owner_id else None
        plan = uow.session.scalars(
            select(PilotPlan).where(PilotPlan.idea_id == idea.id).order_by(PilotPlan.id.desc())
        ).first()
        pilot = None
        if plan is not None:
            evaluations = select(func.count()).where(
                Evaluation.idea_id == idea.id, Evaluation.created_at >= plan.created_at
            )
            pilot = None if uow.session.scalar(evaluations) else (plan.id, plan.ends_on)
        facts = Facts(
            idea.state, owner is not None and owner.active, idea.follow_up_on,
            idea.state_changed_at, idea.updated_at, pilot,
        )  # fmt: skip
        found = counting(facts, today, rules)
        sent: dict[int, date] = {}
        if found is not None:
            rows = uow.session.execute(
                select(Reminder.number, Reminder.sent_at).where(
                    Reminder.idea_id == idea.id, Reminder.occasion == found[1].key
                )
            )
            sent = {number: local_date(sent_at) for number, sent_at in rows}
        moments[idea.id] = moment_of(next_check_on(facts, sent, today, rules))
    return moments


def stored_moments(uow: UnitOfWork) -> dict[int, datetime | None]:
    """Per idea: what ``next_check_at`` holds."""
    rows = uow.session.execute(select(Idea.id, Idea.next_check_at))
    return {row.id: row.next_check_at for row in rows}


def full_scan_plan(
    uow: UnitOfWork, now: datetime, rules: FollowupRules
) -> list[tuple[int, str, int]]:
    """(idea, occasion key, number) of every step due at ``now``, by idea."""
    today = local_today(now)
    holding: dict[int, list[Occasion]] = defaultdict(list)
    for query, occasion_of in occasion_queries(today, rules):
        for _owner, idea_id, _title, _state, *facts in uow.session.execute(query):
            holding[idea_id].append(occasion_of(*facts))
    due = []
    for idea_id in sorted(holding):
        occasion = most_pressing(holding[idea_id])
        assert occasion is not None
        rows = uow.session.execute(
            select(Reminder.number, Reminder.sent_at).where(
                Reminder.idea_id == idea_id, Reminder.occasion == occasion.key
            )
        )
        sent = {number: local_date(sent_at) for number, sent_at in rows}
        number = next_number(sent, today, rules)
        if number is not None:
            due.append((idea_id, occasion.key, number))
    return due


def occasion_queries(today: date, rules: FollowupRules) -> list[tuple[Select[Any], Any]]:
    """One query per kind of occasion, each with how its extra columns become an ``Occasion``."""
    follow_up_holds = and_(Idea.follow_up_on <= today, Idea.state.in_(OPEN_STATES))
    no_follow_up = or_(Idea.follow_up_on.is_(None), not_(follow_up_holds))  # NULL is not false
    unassessed_bound = waited_since_before(today, rules.unassessed_days)
    unassessed_holds = and_(Idea.state == State.PROPOSED, Idea.state_changed_at < unassessed_bound)
    latest = aliased(PilotPlan)
    latest_plan = select(func.max(latest.id)).where(latest.idea_id == Idea.id).scalar_subquery()
    evaluated = exists().where(
        Evaluation.idea_id == Idea.id, Evaluation.created_at >= PilotPlan.created_at
    )
    pilot_ended_holds = and_(Idea.state == State.PILOTED, _pilot_ended(today))
    due = _NextStepDue(today, rules)

    follow_up_key = literal(f"{FOLLOW_UP}:") + cast(Idea.follow_up_on, String)
    follow_up = _with_active_owner(Idea.follow_up_on).where(
        follow_up_holds, due.exact(follow_up_key)
    )
    plan_key = literal(f"{PILOT_ENDED}:") + cast(PilotPlan.id, String)
    pilot_ended = (
        _with_active_owner(PilotPlan.id, PilotPlan.ends_on)
        .join(PilotPlan, PilotPlan.id == latest_plan)
        .where(Idea.state == State.PILOTED, PilotPlan.ends_on < today, ~evaluated)
        .where(no_follow_up, due.exact(plan_key))
    )
    unassessed = _with_active_owner(Idea.state_changed_at).where(
        unassessed_holds,
        no_follow_up,
        due.since(UNASSESSED, Idea.state_changed_at),
    )
    # The bound as a one-value subquery, so that PostgreSQL plans without knowing it: given the
    # value, its statistics (which count the archive) say nearly every idea was updated before it.
    untouched_bound = select(
        literal(waited_since_before(today, rules.untouched_days), UTCDateTime)
    ).scalar_subquery()
    untouched = _with_active_owner(Idea.updated_at).where(
        Idea.state.in_(OPEN_STATES),
        Idea.updated_at < untouched_bound,
        no_follow_up,
        not_(pilot_ended_holds),
        not_(unassessed_holds),
        due.since(UNTOUCHED, Idea.updated_at),
    )
    return [
        (follow_up, lambda on: Occasion(FOLLOW_UP, on)),
        (unassessed, lambda since: Occasion(UNASSESSED, local_date(since))),
        (pilot_ended, lambda plan_id, ends_on: Occasion(PILOT_ENDED, ends_on, plan_id)),
        (untouched, lambda since: Occasion(UNTOUCHED, local_date(since))),
    ]


def _pilot_ended(today: date) -> ColumnElement[bool]:
    """The idea's latest pilot plan has ended without an evaluation since it was made, as a
    condition on ``Idea`` alone (correlated by hand: nested subqueries do not find it)."""
    plan, latest = aliased(PilotPlan), aliased(PilotPlan)
    latest_plan = (
        select(func.max(latest.id)).where(latest.idea_id == Idea.id).correlate(Idea)
    ).scalar_subquery()
    evaluated = (
        exists()
        .where(Evaluation.idea_id == Idea.id, Evaluation.created_at >= plan.created_at)
        .correlate(Idea, plan)
    )
    return (
        exists()
        .where(plan.idea_id == Idea.id, plan.id == latest_plan, plan.ends_on < today, ~evaluated)
        .correlate(Idea)
    )


def _with_active_owner(*facts: Any) -> Select[Any]:
    return (
        select(User, Idea.id, Idea.title, Idea.state, *facts)
        .select_from(Idea)
        .join(User, and_(User.id == Idea.owner_id, User.active.is_(True)))
    )


class _NextStepDue:
    """The condition "the next reminder of this occasion is due today", given how to find its
    reminders (see the module docstring)."""

    def __init__(self, today: date, rules: FollowupRules) -> None:
        # sent on Danish day d, the next step is due on d + days: sent before the next midnight
        self.repeat_bound = start_of_local_day(today - timedelta(days=rules.repeat_days - 1))
        self.escalate_bound = start_of_local_day(today - timedelta(days=rules.escalate_days - 1))

    def exact(self, key: ColumnElement[str]) -> ColumnElement[bool]:
        """For reminders stored under ``key`` (a SQL expression of the idea's columns)."""
        return self._due(lambda: Reminder.occasion == key)

    def since(self, kind: str, started: Any) -> ColumnElement[bool]:
        """For reminders of ``kind`` sent at or after ``started``."""
        return self._due(
            lambda: and_(Reminder.occasion.like(f"{kind}:%"), Reminder.sent_at >= started)
        )

    def _due(self, of_occasion: Any) -> ColumnElement[bool]:
        # Scalar subqueries, not EXISTS: under OR, PostgreSQL hashes an EXISTS over the whole
        # table, where a scalar subquery probes the unique index for the one idea.
        def sent(number: int) -> Any:
            return (
                select(func.max(Reminder.sent_at))
                .where(Reminder.idea_id == Idea.id, of_occasion(), Reminder.number == number)
                .correlate_except(Reminder)
                .scalar_subquery()
            )

        first, second, escalation = sent(1), sent(2), sent(ESCALATION)
        return or_(
            first.is_(None),
            and_(second.is_(None), first < self.repeat_bound),
            and_(second < self.escalate_bound, escalation.is_(None)),
        )
