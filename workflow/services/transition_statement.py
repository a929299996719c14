"""On PostgreSQL, a transition's writes in one statement: data-modifying CTEs.

``WITH u AS (UPDATE ideas ... WHERE id AND version RETURNING id), r AS (INSERT record ...
SELECT ... FROM u), h AS (INSERT history ... FROM u RETURNING id), o AS (INSERT outbox ...
FROM h) SELECT ...``: one round trip instead of four. Each INSERT selects from the UPDATE, so a
lost compare-and-set writes nothing, and the count of updated rows tells it (VersionConflict).
The outbox payload takes the history row's id in SQL. SQLite has no data-modifying CTEs; its
statements are calls within the process, and it keeps them one by one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from sqlalchemy import CTE, ColumnElement, Select, Table, bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import JSONB

from workflow.clock import utcnow
from workflow.driver_statements import compiled_for
from workflow.errors import VersionConflict
from workflow.events import Event
from workflow.models import HistoryEntry, Idea, OutboxMessage
from workflow.services.transition_writes import (
    IDEAS,
    Record,
    changes,
    compare_and_set,
    insert_history,
    insert_record,
    update_statement,
    values,
    written,
)
from workflow.uow import UnitOfWork

_HISTORY: Table = HistoryEntry.__table__  # type: ignore[assignment]
_OUTBOX: Table = OutboxMessage.__table__  # type: ignore[assignment]
_NO_KEYS: frozenset[str] = frozenset()  # the statement names its parameters itself
_OUTBOX_KEYS = ("event_type", "aggregate_type", "aggregate_id", "created_at", "attempts")


def one_statement(
    idea_changes: dict[str, Any], record: Record | None, entry: HistoryEntry, event: Event
) -> tuple[Select[Any], dict[str, Any]]:
    """The statement writing the idea's changes (see ``changes``), the record, the history row
    and the event's outbox row, and its parameters. It answers (rows updated, history id)."""
    record_values = values(record) if record is not None else {}
    history_values = values(entry)
    params = dict(idea_changes)
    params.update({f"r_{key}": value for key, value in record_values.items()})
    params.update({f"h_{key}": value for key, value in history_values.items()})
    params.update(
        o_event_type=event.event_type,
        o_aggregate_type=event.aggregate_type,
        o_aggregate_id=event.aggregate_id,
        o_payload=event.payload(),
        o_created_at=utcnow(),
        o_attempts=0,
    )
    statement = _statement(
        frozenset(idea_changes),
        None if record is None else record.__table__,
        tuple(record_values),
        tuple(history_values),
    )
    return statement, params


@functools.cache
def _statement(
    keys: frozenset[str],
    record: Table | None,
    record_keys: tuple[str, ...],
    history_keys: tuple[str, ...],
) -> Select[Any]:
    """Built once per shape (composing it costs more than running it)."""
    updated = update_statement(keys).returning(IDEAS.c.id).cte("u")
    columns: list[ColumnElement[Any]] = [_count(updated)]
    if record is not None:
        columns.append(_count(_insert_from(record, record_keys, "r_", updated, "r")))
    history = _insert_from(_HISTORY, history_keys, "h_", updated, "h")
    payload = bindparam("o_payload", type_=JSONB()).op("||", return_type=JSONB())(
        func.jsonb_build_object("history_id", history.c.id)
    )
    outbox = (
        insert(_OUTBOX)
        .from_select(
            [*_OUTBOX_KEYS, "payload"],
            select(*(_param(_OUTBOX, key, "o_") for key in _OUTBOX_KEYS), payload).select_from(
                history
            ),
            include_defaults=False,
        )
        .returning(_OUTBOX.c.id)
        .cte("o")
    )
    columns.append(_count(outbox))
    columns.append(select(history.c.id).scalar_subquery())
    return select(*columns)


def _insert_from(table: Table, keys: tuple[str, ...], prefix: str, source: CTE, name: str) -> CTE:
    """``INSERT INTO table (keys) SELECT :prefix_key ... FROM source RETURNING id`` as a CTE."""
    rows = select(*(_param(table, key, prefix) for key in keys)).select_from(source)
    statement = insert(table).from_select(list(keys), rows, include_defaults=False)
    return statement.returning(table.c.id).cte(name)


def _param(table: Table, key: str, prefix: str) -> ColumnElement[Any]:
    # Typed as the column: psycopg's dialect casts each parameter (a parameter in a select
    # list has no column for PostgreSQL to infer its type from).
    return bindparam(prefix + key, type_=table.c[key].type)


def _count(cte: CTE) -> ColumnElement[Any]:
    return select(func.count()).select_from(cte).scalar_subquery()


def write_step(
    uow: UnitOfWork,
    ideas: list[Idea],
    record: Record | None,
    entry: HistoryEntry,
    event: Callable[[int], Event],
) -> int:
    """Write a step: the ideas' compare-and-set UPDATEs (in this order), its record, history row
    and the outbox row of ``event(history id)``; return the history row's id. VersionConflict
    when an idea changed meanwhile. One statement on PostgreSQL when one idea changes."""
    connection = uow.connection()
    if connection.dialect.name != "postgresql" or len(ideas) != 1:
        compare_and_set(uow, ideas)
        if record is not None:
            insert_record(uow, record)
        history_id = insert_history(uow, entry)
        uow.publish(event(history_id))
        return history_id
    idea_changes = changes(ideas[0])
    statement, params = one_statement(idea_changes, record, entry, event(0))
    # On the driver's cursor: SQLAlchemy would walk this statement's tree for its cache key on
    # every execution, a tenth of the transition's own Python.
    cursor = compiled_for(statement, connection.dialect, _NO_KEYS).run(connection, params)
    try:
        row = cursor.fetchone()
    finally:
        cursor.close()
    if row[0] != 1:
        raise VersionConflict()
    written(uow, ideas[0], idea_changes)
    uow.note_published()
    entry.id = row[-1]
    return entry.id
