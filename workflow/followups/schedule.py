"""When the reminder sweep must next look at an idea, decided from its facts alone.

The sweep reads only the ideas whose ``ideas.next_check_at`` has come. That moment is the start
(Danish midnight) of the first day on which something about the idea can fall due without anyone
writing to it: the next step of the occasion that counts now, or an occasion more pressing than
that one beginning to hold. None (NULL) means that nothing can fall due until a write changes the
idea: it is finished, has no active owner, or every step of the occasion that counts was taken
and nothing more pressing lies ahead. Each day passing cannot change which occasions hold except
at the days computed here, so the moment stays right until a write or a reminder changes a fact.

A write that changes one of these facts sets the moment to ``MARK`` (see
``workflow.models.followup_marks``), before any sweep's moment: the next sweep reads the idea,
decides, and stores the exact moment computed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from workflow.followups.decisions import (
    FOLLOW_UP,
    KINDS,
    PILOT_ENDED,
    UNASSESSED,
    UNTOUCHED,
    Occasion,
    local_date,
    next_step,
    start_of_local_day,
)
from workflow.followups.rules import FollowupRules
from workflow.states import OPEN_STATES, State

MARK = datetime(1970, 1, 1, tzinfo=UTC)
"""The moment a write leaves: earlier than any sweep, which therefore reads the idea next."""


@dataclass(frozen=True)
class Facts:
    """What an idea's reminders depend on, besides the reminders already sent."""

    state: State
    owner_active: bool  # it has an owner, and the owner is active
    follow_up_on: date | None
    state_changed_at: datetime
    updated_at: datetime
    # The latest pilot plan (id, last day) when no evaluation was made after it.
    pilot: tuple[int, date] | None = None


def occasions(facts: Facts, rules: FollowupRules) -> list[tuple[date, Occasion]]:
    """Every occasion the facts give, each with the first day on which it holds (KINDS order)."""
    if not facts.owner_active or facts.state not in OPEN_STATES:
        return []
    found = []
    if facts.follow_up_on is not None:
        found.append((facts.follow_up_on, Occasion(FOLLOW_UP, facts.follow_up_on)))
    if facts.state == State.PILOTED and facts.pilot is not None:
        plan_id, ends_on = facts.pilot
        found.append((ends_on + timedelta(days=1), Occasion(PILOT_ENDED, ends_on, plan_id)))
    if facts.state == State.PROPOSED:
        entered = local_date(facts.state_changed_at)
        waited = entered + timedelta(days=rules.unassessed_days)
        found.append((waited, Occasion(UNASSESSED, entered)))
    changed = local_date(facts.updated_at)
    found.append((changed + timedelta(days=rules.untouched_days), Occasion(UNTOUCHED, changed)))
    return found


def counting(facts: Facts, today: date, rules: FollowupRules) -> tuple[date, Occasion] | None:
    """The occasion that counts on ``today`` (the most pressing that holds), with its first day."""
    holding = [(day, occasion) for day, occasion in occasions(facts, rules) if day <= today]
    return min(holding, key=lambda found: KINDS.index(found[1].kind), default=None)


def next_check_on(
    facts: Facts, sent: Mapping[int, date], today: date, rules: FollowupRules
) -> date | None:
    """The first day the sweep must look at the idea again; on or before ``today`` when a step
    is due. ``sent``: the reminders sent for the occasion that counts today (number → day)."""
    found = occasions(facts, rules)
    current = counting(facts, today, rules)
    rank = KINDS.index(current[1].kind) if current else len(KINDS)
    days = [day for day, occasion in found if day > today and KINDS.index(occasion.kind) < rank]
    if current is not None and (step := next_step(sent, current[0], rules)) is not None:
        days.append(step[1])
    return min(days, default=None)


def moment_of(day: date | None) -> datetime | None:
    """The value ``next_check_at`` stores for a day: its Danish midnight, in UTC."""
    return None if day is None else start_of_local_day(day)
