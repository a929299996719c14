"""How many ideas are in each state, without counting them: totals plus pending changes.

The changes are appended by triggers on ``ideas`` (migration 0013, ``workflow.models.counts``)
and added to the totals by ``workflow.services.idea_counts.fold_counts``.
"""

from __future__ import annotations

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from workflow.models import STATE_KEY, IdeaCount, IdeaCountDelta
from workflow.states import STATES, State


def state_counts(session: Session) -> dict[State, int]:
    """How many ideas are in each state (states without ideas are left out)."""
    kept = select(IdeaCount.key, IdeaCount.total.label("n")).where(
        IdeaCount.key.startswith(STATE_KEY, autoescape=True)
    )
    pending = select(IdeaCountDelta.key, IdeaCountDelta.delta.label("n")).where(
        IdeaCountDelta.key.startswith(STATE_KEY, autoescape=True)
    )
    both = union_all(kept, pending).subquery()
    rows = session.execute(
        select(both.c.key, func.sum(both.c.n)).group_by(both.c.key).having(func.sum(both.c.n) != 0)
    ).all()
    known = {f"{STATE_KEY}{state}": state for state in STATES}
    return {known[key]: int(n) for key, n in rows if key in known}
