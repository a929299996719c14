"""PostgreSQL connections are pinged when they come out of the pool after standing idle, not on
every checkout: a connection the server dropped meanwhile is replaced before anyone uses it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError

from workflow import db as workflow_db
from workflow.db import make_engine


@pytest.fixture
def engines(migrated_postgres_url: str) -> Iterator[tuple[Engine, Engine]]:
    """The app's engine and an administrator's beside it."""
    app = make_engine(migrated_postgres_url)
    admin = create_engine(migrated_postgres_url, isolation_level="AUTOCOMMIT")
    yield app, admin
    app.dispose()
    admin.dispose()


def _backend(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _drop(admin: Engine, pid: int) -> None:
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


def test_an_idle_connection_the_server_dropped_is_replaced_unseen(
    engines: tuple[Engine, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, admin = engines
    dropped = _backend(app)
    _drop(admin, dropped)
    monkeypatch.setattr(workflow_db, "IDLE_PING_S", 0.0)  # every connection has stood idle

    assert _backend(app) != dropped  # the ping found it dead; the pool made a new one


def test_a_connection_used_moments_ago_is_handed_out_without_a_ping(
    engines: tuple[Engine, Engine],
) -> None:
    app, admin = engines
    dropped = _backend(app)
    _drop(admin, dropped)

    with pytest.raises(DBAPIError) as raised:  # no ping: the statement meets the dead connection
        _backend(app)
    assert raised.value.connection_invalidated
    assert _backend(app) != dropped  # and the error emptied the pool: the next one is new
