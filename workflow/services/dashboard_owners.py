"""The dashboard's load per owner: from the counts kept per owner and state, worked out once
per generation of the totals, with the overdue and stuck ideas of the shown owners only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from workflow.models import Idea, User
from workflow.repositories.idea_counts import OWNER_KEY, kept, worked_out
from workflow.services.dashboard_figures import OPEN_STATES, OwnerLoad
from workflow.states import STATES, State

_STATE_NAMED = {str(state): state for state in STATES}  # thousands of keys: no Enum calls


@dataclass(frozen=True)
class OwnersLate:
    """How the dashboard tells open ideas, and counts its overdue and stuck ones."""

    is_open: ColumnElement[bool]
    is_overdue: ColumnElement[Any]  # a conditional count
    is_stuck: ColumnElement[Any]  # a conditional count


def owner_load(
    session: Session, shown: int, late: OwnersLate
) -> tuple[tuple[OwnerLoad, ...], int, int, int]:
    """The ``shown`` active owners with most open ideas, how many active users own ideas,
    and the open ideas without an owner or with a deactivated one: the counts from those
    kept per owner and state, the overdue and stuck ideas of the shown owners only."""
    counts = kept(session, OWNER_KEY)
    per_owner = worked_out(("owners", counts.totals), lambda: _by_owner(counts.totals))
    if counts.changes:
        per_owner = {owner: dict(states) for owner, states in per_owner.items()}
        for owner, states in _by_owner(counts.changes).items():
            into = per_owner.setdefault(owner, {})
            for state, count in states.items():
                into[state] = into.get(state, 0) + count
    unowned_open = sum(per_owner.get(None, {}).get(state, 0) for state in OPEN_STATES)
    inactive = set(session.scalars(select(User.id).where(User.active.is_(False))))
    inactive_open = sum(
        per_owner[owner_id].get(state, 0)
        for owner_id in inactive & per_owner.keys()
        for state in OPEN_STATES
    )
    # Owners with ideas counted (one whose last idea went to another counts nothing).
    open_by_owner = {
        owner_id: {state: states.get(state, 0) for state in OPEN_STATES}
        for owner_id, states in per_owner.items()
        if owner_id is not None and owner_id not in inactive and any(states.values())
    }
    listed = _first_owners(session, open_by_owner, shown)
    overdue_and_stuck = _overdue_and_stuck(session, [owner_id for owner_id, _, _ in listed], late)
    owners = tuple(
        OwnerLoad(
            email=email,
            name=name,
            open_by_state=open_by_owner[owner_id],
            open_total=sum(open_by_owner[owner_id].values()),
            overdue=overdue_and_stuck.get(owner_id, (0, 0))[0],
            stuck=overdue_and_stuck.get(owner_id, (0, 0))[1],
        )
        for owner_id, email, name in listed
    )
    return owners, len(open_by_owner), unowned_open, inactive_open


def _first_owners(
    session: Session, open_by_owner: dict[int, dict[State, int]], shown: int
) -> list[tuple[int, str, str]]:
    """The ``shown`` owners with most open ideas (ties: by email): id, email and name."""
    if not open_by_owner or not shown:
        return []
    totals = {owner_id: sum(counts.values()) for owner_id, counts in open_by_owner.items()}
    # Emails only for the owners that can be shown: those with as many as the last one.
    least = sorted(totals.values(), reverse=True)[:shown][-1]
    candidates = [owner_id for owner_id, total in totals.items() if total >= least]
    people = session.execute(
        select(User.id, User.email, User.name).where(User.id.in_(candidates))
    ).all()
    ranked = sorted(people, key=lambda row: (-totals[row.id], row.email))[:shown]
    return [(row.id, row.email, row.name) for row in ranked]


def _overdue_and_stuck(
    session: Session, owner_ids: list[int], late: OwnersLate
) -> dict[int, tuple[int, int]]:
    """Each owner's overdue and stuck ideas, read from the owners' own index ranges."""
    if not owner_ids:
        return {}
    query = (
        select(Idea.owner_id, late.is_overdue, late.is_stuck)
        .where(Idea.owner_id.in_(owner_ids), late.is_open)
        .group_by(Idea.owner_id)
    )
    rows = session.execute(query)
    return {owner_id: (overdue, stuck) for owner_id, overdue, stuck in rows if owner_id}


def _by_owner(counts: Mapping[str, int]) -> dict[int | None, dict[State, int]]:
    """``owner:<id>:<state>`` counts as owner (None: no owner) → state → count."""
    per_owner: dict[int | None, dict[State, int]] = {}
    for key, count in counts.items():
        owner, _, state = key.removeprefix(OWNER_KEY).rpartition(":")
        states = per_owner.setdefault(None if owner == "none" else int(owner), {})
        states[_STATE_NAMED[state]] = states.get(_STATE_NAMED[state], 0) + count
    return per_owner
