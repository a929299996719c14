"""Counts kept as ideas change, read without counting ideas: totals plus pending changes.

The changes are appended by triggers on ``ideas`` (migration 0013, ``workflow.models.counts``)
and added to the totals by ``workflow.services.idea_counts.fold_counts``.
"""

from __future__ import annotations

from sqlalchemy import Table, func, select, union_all
from sqlalchemy.orm import Session

from workflow.models import STATE_KEY, IdeaCount, IdeaCountDelta
from workflow.states import STATES, State

_TOTALS: Table = IdeaCount.__table__  # type: ignore[assignment]
_DELTAS: Table = IdeaCountDelta.__table__  # type: ignore[assignment]

STAY_KEY = "stay:"
"""The key prefix of the finished stays by state and whole days: ``stay:proposed:12``."""
REACHED_KEY = "reached:"
"""The key prefix of the ideas that ever reached a state: ``reached:assessed``."""
THEME_KEY = "theme:"
"""The key prefix of the ideas a theme tags: ``theme:12``."""
SINCE_KEY = "since:"
"""The key prefix of the ideas in a state by the UTC day they entered it:
``since:proposed:2026-12-02``."""


def kept_counts(session: Session, prefix: str) -> dict[str, int]:
    """Every key starting with ``prefix`` and its count (keys counting nothing left out)."""
    both = union_all(
        select(_TOTALS.c.key, _TOTALS.c.total.label("n")).where(_TOTALS.c.key.startswith(prefix)),
        select(_DELTAS.c.key, _DELTAS.c.delta.label("n")).where(_DELTAS.c.key.startswith(prefix)),
    ).subquery()
    total = func.sum(both.c.n)
    # Core rows through the connection: thousands of day keys cost a third of the ORM's time.
    rows = session.connection().execute(
        select(both.c.key, total).group_by(both.c.key).having(total != 0)
    )
    return {key: int(n) for key, n in rows}


def state_counts(session: Session) -> dict[State, int]:
    """How many ideas are in each state (states without ideas are left out)."""
    known = {f"{STATE_KEY}{state}": state for state in STATES}
    found = kept_counts(session, STATE_KEY)
    return {known[key]: n for key, n in found.items() if key in known}
