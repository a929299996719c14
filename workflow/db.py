"""Engines and session factories for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from workflow.uow import UnitOfWork

SQLITE_BUSY_TIMEOUT_S = 30


def make_engine(url: str, **options: Any) -> Engine:
    """Create an engine tuned for ideaflow's use of the database."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        options.setdefault(
            "connect_args", {"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False}
        )
        engine = create_engine(url, **options)
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    options.setdefault("pool_pre_ping", True)
    return create_engine(url, **options)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the one writer; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit (views are built after the commit)."""
    return sessionmaker(engine, expire_on_commit=False)


class Database:
    """An engine and its session factory; web and worker each hold one per process."""

    def __init__(self, url: str, **options: Any) -> None:
        self.engine = make_engine(url, **options)
        self.session_factory = make_session_factory(self.engine)
        # Called after each commit that published events (the web app wakes the relay with it).
        self.after_commit: Callable[[], None] | None = None

    def unit_of_work(self) -> UnitOfWork:
        """A new unit of work on this database."""
        return UnitOfWork(self.session_factory, self.after_commit)

    def ping(self) -> None:
        """Run a trivial query; raises when the database cannot be reached."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self, *, close: bool = True) -> None:
        """Drop pooled connections: at shutdown, and in a forked child with ``close=False``
        (which leaves the parent's connections alone instead of closing them under it)."""
        self.engine.dispose(close=close)
