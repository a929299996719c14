"""A transition's writes as single statements: compare-and-set UPDATEs and plain INSERTs.

The unit of work's flush would find the same changes, but sorts, batches and book-keeps them at
a cost several times that of the statements themselves; a transition knows exactly what it
writes. The ideas written are then detached from the session, so nothing is written twice.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, Update, bindparam, insert, inspect, update

from workflow.driver_statements import compiled_for
from workflow.errors import VersionConflict
from workflow.followups.schedule import MARK
from workflow.models import Assessment, Evaluation, HistoryEntry, Idea, PilotPlan
from workflow.models.idea_terms import reindex_merge
from workflow.states import State
from workflow.uow import UnitOfWork

Record = Assessment | PilotPlan | Evaluation
IDEAS: Table = Idea.__table__  # type: ignore[assignment]
_COLUMNS = frozenset(column.key for column in inspect(Idea).column_attrs)
_KEYS = {
    model: tuple(c.key for c in model.__mapper__.column_attrs if c.key != "id")
    for model in (Assessment, PilotPlan, Evaluation, HistoryEntry)
}
_HISTORY_INSERT = insert(HistoryEntry.__table__)  # type: ignore[arg-type]
_NONE: frozenset[str] = frozenset()  # the UPDATE names its parameters itself
_RECORD_INSERTS = {
    model: insert(model.__table__)  # type: ignore[arg-type]
    for model in (Assessment, PilotPlan, Evaluation)
}


def compare_and_set(uow: UnitOfWork, ideas: Iterable[Idea]) -> None:
    """Write each idea's changed columns with ``UPDATE ... WHERE id AND version`` and the next
    version; VersionConflict when another transaction changed it first."""
    connection = uow.connection()
    for idea in ideas:
        was_merged = inspect(idea).committed_state.get("state", idea.state) == State.MERGED
        params = changes(idea)
        statement = compiled_for(update_statement(frozenset(params)), connection.dialect, _NONE)
        if statement.run(connection, params).rowcount != 1:
            raise VersionConflict()
        reindex_merge(connection, idea, was_merged=was_merged)
        written(uow, idea, params)


def changes(idea: Idea) -> dict[str, Any]:
    """The idea's changed columns, the next version, and the id and version to compare with."""
    state = inspect(idea)
    # committed_state holds the loaded value of each attribute set since: what changed.
    found = {key: state.dict[key] for key in state.committed_state if key in _COLUMNS}
    # A transition changes what the idea's reminders depend on (its state, its last change), so
    # the next reminder sweep looks at it: the mark the session's flush would have set
    # (workflow.models.followup_marks), which this write goes around.
    found["next_check_at"] = MARK
    version = state.committed_state.get("version", idea.version)
    found["_id"], found["_version"], found["version"] = idea.id, version, version + 1
    return found


def written(uow: UnitOfWork, idea: Idea, params: dict[str, Any]) -> None:
    """After the idea's UPDATE: its new version, and out of the session, so the flush does not
    write it again."""
    idea.version = params["version"]
    if idea in uow.session:  # read by the ORM (a merge's ideas, locked)
        uow.session.expunge(idea)


@functools.cache
def update_statement(keys: frozenset[str]) -> Update:
    """``UPDATE ideas SET <keys> WHERE id = :_id AND version = :_version``, built once per
    set of columns (composing a statement costs more than running it)."""
    columns: dict[str, Any] = {
        key: bindparam(key, type_=IDEAS.c[key].type)
        for key in sorted(keys)
        if not key.startswith("_")
    }
    return (
        update(IDEAS)
        .where(IDEAS.c.id == bindparam("_id"), IDEAS.c.version == bindparam("_version"))
        .values(columns)
    )


def insert_record(uow: UnitOfWork, record: Record) -> None:
    """Insert an assessment, pilot plan or evaluation (built, never added to the session)."""
    connection, row = uow.connection(), values(record)
    statement = compiled_for(_RECORD_INSERTS[type(record)], connection.dialect, frozenset(row))
    statement.run(connection, row)


def insert_history(uow: UnitOfWork, entry: HistoryEntry) -> int:
    """Insert a history row; return its id."""
    connection, row = uow.connection(), values(entry)
    cursor = compiled_for(_HISTORY_INSERT, connection.dialect, frozenset(row)).run(connection, row)
    # PostgreSQL answers the id (RETURNING); SQLite tells the row's id.
    entry.id = cursor.fetchone()[0] if cursor.description else cursor.lastrowid
    return entry.id


def values(row: Record | HistoryEntry) -> dict[str, Any]:
    """The columns set on a new row; those left out take their defaults, as in a flush."""
    keys = _KEYS[type(row)]
    return {key: value for key in keys if (value := getattr(row, key)) is not None}
