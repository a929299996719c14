"""Counts kept as ideas change, read without counting ideas: totals plus pending changes.

The changes are appended by triggers on ``ideas`` (migration 0013, ``workflow.models.counts``)
and added to the totals by ``workflow.services.idea_counts.fold_counts``.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Connection,
    String,
    Table,
    and_,
    bindparam,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from workflow.driver_statements import compiled_for
from workflow.models import STATE_KEY, IdeaCount, IdeaCountDelta
from workflow.repositories.id_lists import among
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


GENERATION_KEY = "fold:generation"
"""The totals' generation: every write to the totals (the sweep's fold, a recount) sets a new
random number here in the same transaction, so totals read under one number are still the
totals while the number is unchanged."""


@dataclass(frozen=True)
class KeptCounts:
    """A key range's counts: the totals (shared between reads: never changed) and the changes
    not yet added to them."""

    totals: Mapping[str, int]
    changes: dict[str, int]

    def merged(self) -> dict[str, int]:
        """Every key and its count (keys counting nothing left out)."""
        counts = dict(self.totals)
        for key, change in self.changes.items():
            counts[key] = counts.get(key, 0) + change
        return {key: n for key, n in counts.items() if n}


# Per database and key prefix: the totals last read, under their generation.
_copies: dict[tuple[str, str], tuple[int, Mapping[str, int]]] = {}


def kept(session: Session, prefix: str) -> KeptCounts:
    """The counts of every key starting with ``prefix``. The totals change only when the sweep
    folds the changes in (every half minute at most), so this process keeps a copy of them and
    reads only the generation and the few pending changes while the generation is unchanged
    (thousands of day keys cost the dashboard more than all its other figures)."""
    connection = session.connection()
    bounds = {"low": prefix, "high": prefix[:-1] + chr(ord(prefix[-1]) + 1)}
    place = (connection.engine.url.render_as_string(), prefix)
    copy = _copies.get(place)
    if copy is not None:
        generation, changes, _ = _read(connection, _CHANGES, bounds)
        if generation == copy[0]:
            return KeptCounts(copy[1], changes)
    # One statement: the generation, totals and changes of one snapshot.
    generation, changes, totals = _read(connection, _EVERYTHING, bounds)
    if generation is not None:
        _copies[place] = (generation, totals)
    return KeptCounts(totals, changes)


_T = TypeVar("_T")
# Worked out from totals, by the identity of the totals (held, so that no other object takes
# their id) and the rest of the key; a few generations and days at most.
_memos: dict[tuple[Any, ...], tuple[tuple[Any, ...], Any]] = {}
_MEMOS_KEPT = 16


def worked_out(key: tuple[Any, ...], work_out: Callable[[], _T]) -> _T:
    """``work_out()``, once for ``key``: figures worked out from kept totals, whose mappings
    are the same objects while their generation holds (compared by identity; the rest of the
    key by value)."""
    identity = tuple(id(part) if isinstance(part, Mapping) else part for part in key)
    held = _memos.get(identity)
    if held is not None and all(
        a is b if isinstance(b, Mapping) else a == b for a, b in zip(held[0], key, strict=True)
    ):
        return typing.cast(_T, held[1])
    if len(_memos) >= _MEMOS_KEPT:
        _memos.clear()
    value = work_out()
    _memos[identity] = (key, value)
    return value


def kept_counts(session: Session, prefix: str) -> dict[str, int]:
    """Every key starting with ``prefix`` and its count (keys counting nothing left out)."""
    return kept(session, prefix).merged()


def _read(
    connection: Connection, statement: CompoundSelect[Any], bounds: dict[str, str]
) -> tuple[int | None, dict[str, int], dict[str, int]]:
    """Run one of the range statements: the generation, the changes summed, the totals."""
    # The rows come from the driver's cursor: the time in stage reads thousands of day keys,
    # for which SQLAlchemy's rows cost twice the query.
    cursor = compiled_for(statement, connection.dialect, frozenset(bounds)).run(connection, bounds)
    try:
        rows = cursor.fetchall()
    finally:
        cursor.close()
    generation: int | None = None
    changes: dict[str, int] = {}
    totals: dict[str, int] = {}
    for kind, key, n in rows:
        if kind == _TOTAL:
            if n:
                totals[key] = n
        elif kind == _CHANGE:
            changes[key] = changes.get(key, 0) + n
        else:
            generation = n
    return generation, changes, totals


def kept_counts_of(session: Session, keys: Collection[str]) -> dict[str, int]:
    """The counts of ``keys`` (keys counting nothing left out)."""
    if not keys:
        return {}
    wanted = sorted(keys)
    return _counts(session, lambda key: among(session, key, wanted, String))


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


_GENERATION, _TOTAL, _CHANGE = 0, 1, 2
_IN_RANGE = {
    table: and_(table.c.key >= bindparam("low"), table.c.key < bindparam("high"))
    for table in (_TOTALS, _DELTAS)
}
# A range of the primary key (the keys compare bytewise: collation "C" on PostgreSQL), not
# LIKE, which reads every key on SQLite.
_CHANGES: CompoundSelect[Any] = union_all(
    select(literal_column(str(_GENERATION)), _TOTALS.c.key, _TOTALS.c.total).where(
        _TOTALS.c.key == GENERATION_KEY
    ),
    select(literal_column(str(_CHANGE)), _DELTAS.c.key, _DELTAS.c.delta).where(_IN_RANGE[_DELTAS]),
)
_EVERYTHING: CompoundSelect[Any] = union_all(
    *_CHANGES.selects,
    select(literal_column(str(_TOTAL)), _TOTALS.c.key, _TOTALS.c.total).where(_IN_RANGE[_TOTALS]),
)


def state_counts(session: Session) -> dict[State, int]:
    """How many ideas are in each state (states without ideas are left out)."""
    known = {f"{STATE_KEY}{state}": state for state in STATES}
    found = kept_counts(session, STATE_KEY)
    return {known[key]: n for key, n in found.items() if key in known}
