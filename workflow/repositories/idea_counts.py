"""Counts kept as ideas change, read without counting ideas: totals plus pending changes.

The changes are appended by triggers on ``ideas`` (migration 0013, ``workflow.models.counts``)
and added to the totals by ``workflow.services.idea_counts.fold_counts``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, Table, and_, bindparam, select, union_all
from sqlalchemy.orm import Session

from workflow.driver_statements import compiled_for
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
OWNER_KEY = "owner:"
"""The key prefix of each owner's ideas by state: ``owner:7:assessed``, ``owner:none:proposed``."""
THEMED_KEY = "themed:"
"""The key prefix of the ideas a theme tags by their state: ``themed:12:piloted``."""
SINCE_KEY = "since:"
"""The key prefix of the ideas in a state by the UTC day they entered it:
``since:proposed:2026-12-02``."""


def kept_counts(session: Session, prefix: str) -> dict[str, int]:
    """Every key starting with ``prefix`` and its count (keys counting nothing left out)."""
    # A range of the primary key (the keys compare bytewise: collation "C" on PostgreSQL), not
    # LIKE, which reads every key on SQLite. The rows come from the driver's cursor: the time
    # in stage reads thousands of day keys, for which SQLAlchemy's rows cost twice the query.
    connection = session.connection()
    statement = compiled_for(_PREFIXED, connection.dialect, frozenset(("low", "high")))
    cursor = statement.run(
        connection, {"low": prefix, "high": prefix[:-1] + chr(ord(prefix[-1]) + 1)}
    )
    try:
        return _summed(cursor.fetchall())
    finally:
        cursor.close()


def kept_counts_of(session: Session, keys: Collection[str]) -> dict[str, int]:
    """The counts of ``keys`` (keys counting nothing left out)."""
    if not keys:
        return {}
    return _counts(session, lambda key: key.in_(sorted(keys)))


def _counts(session: Session, keys: Callable[[Any], ColumnElement[bool]]) -> dict[str, int]:
    """The totals of the keys ``keys`` selects plus their pending changes, in one statement."""
    return _summed(session.connection().execute(_both(keys)).all())


def _both(keys: Callable[[Any], ColumnElement[bool]]) -> CompoundSelect[tuple[str, int]]:
    """The totals of the keys ``keys`` selects and their pending changes, as rows of both."""
    return union_all(
        select(_TOTALS.c.key, _TOTALS.c.total).where(keys(_TOTALS.c.key)),
        select(_DELTAS.c.key, _DELTAS.c.delta).where(keys(_DELTAS.c.key)),
    )


def _summed(rows: Iterable[Any]) -> dict[str, int]:
    """Each key's rows added up (a GROUP BY would sort thousands of keys for a few changes)."""
    found: dict[str, int] = {}
    for key, n in rows:
        found[key] = found.get(key, 0) + n
    return {key: n for key, n in found.items() if n}


_PREFIXED = _both(lambda key: and_(key >= bindparam("low"), key < bindparam("high")))


def state_counts(session: Session) -> dict[State, int]:
    """How many ideas are in each state (states without ideas are left out)."""
    known = {f"{STATE_KEY}{state}": state for state in STATES}
    found = kept_counts(session, STATE_KEY)
    return {known[key]: n for key, n in found.items() if key in known}
