"""Counts kept as ideas change, read without counting ideas: totals plus pending changes.

The changes are appended by triggers on ``ideas`` (migration 0013, ``workflow.models.counts``)
and added to the totals by ``workflow.services.idea_counts.fold_counts``.
"""

from __future__ import annotations

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from workflow.models import STATE_KEY, IdeaCount, IdeaCountDelta
from workflow.states import STATES, State

STAY_KEY = "stay:"
"""The key prefix of the finished stays by state and whole days: ``stay:proposed:12``."""


def kept_counts(session: Session, prefix: str) -> dict[str, int]:
    """Every key starting with ``prefix`` and its count (keys counting nothing left out)."""
    kept = select(IdeaCount.key, IdeaCount.total.label("n")).where(
        IdeaCount.key.startswith(prefix, autoescape=True)
    )
    pending = select(IdeaCountDelta.key, IdeaCountDelta.delta.label("n")).where(
        IdeaCountDelta.key.startswith(prefix, autoescape=True)
    )
    both = union_all(kept, pending).subquery()
    total = func.sum(both.c.n)
    rows = session.execute(select(both.c.key, total).group_by(both.c.key).having(total != 0))
    return {key: int(n) for key, n in rows}


def state_counts(session: Session) -> dict[State, int]:
    """How many ideas are in each state (states without ideas are left out)."""
    known = {f"{STATE_KEY}{state}": state for state in STATES}
    found = kept_counts(session, STATE_KEY)
    return {known[key]: n for key, n in found.items() if key in known}
