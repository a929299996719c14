"""Statements run on the driver's cursor write and read exactly what ``Connection.execute`` does."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, exc, insert, select

from workflow.db import Database
from workflow.driver_statements import compiled_for
from workflow.models import OutboxMessage

OUTBOX = OutboxMessage.__table__
KEYS = frozenset(("event_type", "aggregate_type", "aggregate_id", "payload"))
TEXT = st.text(max_size=20).filter(lambda s: "\x00" not in s)  # PostgreSQL's JSON refuses NUL
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**31), 2**31) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)


def _row(event_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "event_type": event_type,
        "aggregate_type": "idea",
        "aggregate_id": 7,
        "payload": payload,
    }


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    event_type=st.text(min_size=1, max_size=60).filter(lambda s: "\x00" not in s),
    payload=st.dictionaries(TEXT, json_values, max_size=4),
)
def test_a_row_written_on_the_cursor_reads_back_as_one_written_by_execute(
    database: Database, event_type: str, payload: dict[str, Any]
) -> None:
    with database.engine.begin() as connection:
        statement = compiled_for(insert(OUTBOX), connection.dialect, KEYS)
        statement.run(connection, _row(event_type, payload))
        connection.execute(insert(OUTBOX), _row(event_type, payload))
        rows = connection.execute(
            select(OUTBOX.c.event_type, OUTBOX.c.payload, OUTBOX.c.attempts, OUTBOX.c.created_at)
            .order_by(OUTBOX.c.id.desc())
            .limit(2)
        ).all()
        connection.execute(OUTBOX.delete())
    by_driver, by_execute = rows[1], rows[0]
    assert by_driver[:3] == by_execute[:3] == (event_type, payload, 0)  # the default applied
    assert by_driver.created_at.tzinfo is not None
    assert abs((by_execute.created_at - by_driver.created_at).total_seconds()) < 5


def test_a_select_converts_its_columns_as_sqlalchemy_does(database: Database) -> None:
    at = datetime(2026, 3, 4, 5, 6, 7, 890_000, tzinfo=UTC)
    with database.engine.begin() as connection:
        connection.execute(insert(OUTBOX), {**_row("e", {"æ": ["ø", 1]}), "created_at": at})
        query = select(OUTBOX.c.payload, OUTBOX.c.created_at.label("when")).where(
            OUTBOX.c.event_type == "e"
        )
        read = compiled_for(query, connection.dialect, frozenset()).first(connection, {})
        assert read == dict(connection.execute(query).one()._mapping)
        assert read == {"payload": {"æ": ["ø", 1]}, "when": at}
        missing = query.where(OUTBOX.c.id < 0)
        assert compiled_for(missing, connection.dialect, frozenset()).first(connection, {}) is None
        connection.execute(OUTBOX.delete())


def test_listeners_see_the_statement_and_errors_are_sqlalchemy_errors(database: Database) -> None:
    seen: list[str] = []

    def listen(*args: Any) -> None:
        seen.append(args[2])

    event.listen(database.engine, "before_cursor_execute", listen)
    try:
        with database.engine.connect() as connection:
            statement = compiled_for(insert(OUTBOX), connection.dialect, KEYS)
            with pytest.raises(exc.IntegrityError):  # event_type is NOT NULL
                statement.run(connection, _row(None, {}))  # type: ignore[arg-type]
            connection.rollback()
    finally:
        event.remove(database.engine, "before_cursor_execute", listen)
    assert seen == [statement.sql]
