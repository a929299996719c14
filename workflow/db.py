"""Engines and session factories for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc, make_url, text
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
    engine = create_engine(url, **options)
    _ping_when_idle(engine)
    return engine


IDLE_PING_S = 10.0
"""A pooled connection unused for longer is checked with a ping before it is handed out."""
_LAST_USED = "ideaflow_last_used"


def _ping_when_idle(engine: Engine) -> None:
    # pool_pre_ping costs a round trip on every checkout, one in six or seven of a busy page's;
    # a connection handed back moments ago was alive then. One idle for a while (a database
    # restarted meanwhile, a firewall's timeout) is pinged, and a dead one is replaced before
    # anyone uses it (DisconnectionError: the pool retries with a new connection). A restart
    # within the window fails the one statement that meets it, and that error empties the pool.
    dialect = engine.dialect

    def used_now(_dbapi_connection: Any, record: Any, *_: Any) -> None:
        record.info[_LAST_USED] = time.monotonic()

    def ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        last_used = record.info.get(_LAST_USED)
        if last_used is not None and time.monotonic() - last_used <= IDLE_PING_S:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception as error:  # the driver's own error for a closed or broken connection
            raise exc.DisconnectionError(str(error)) from error
        if not alive:
            raise exc.DisconnectionError("the connection did not answer a ping")
        record.info[_LAST_USED] = time.monotonic()

    event.listen(engine, "connect", used_now)
    event.listen(engine, "checkin", used_now)
    event.listen(engine, "checkout", ping_if_idle)


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


def make_reader_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for reading: on PostgreSQL each statement runs on its own, in autocommit.

    A page's reads need no transaction around them (under READ COMMITTED each statement takes
    its own snapshot anyway), and BEGIN and ROLLBACK are two round trips of a page's seven or
    eight. SQLite sends neither for reads. No autoflush: a write goes out only on ``commit``,
    which checks that it is one row (``UnitOfWork``).
    """
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="AUTOCOMMIT")
    return sessionmaker(engine, expire_on_commit=False, autoflush=False)


class Database:
    """An engine and its session factory; web and worker each hold one per process."""

    def __init__(self, url: str, **options: Any) -> None:
        self.engine = make_engine(url, **options)
        self.session_factory = make_session_factory(self.engine)
        self.reader_factory = make_reader_factory(self.engine)
        # Called after each commit that published events (the web app wakes the relay with it).
        self.after_commit: Callable[[], None] | None = None

    def unit_of_work(self) -> UnitOfWork:
        """A new unit of work on this database."""
        return UnitOfWork(self.session_factory, self.after_commit)

    def reading(self) -> UnitOfWork:
        """A unit of work for reads, which may write one row (a last-seen stamp) and no more."""
        return UnitOfWork(self.reader_factory, reading=True)

    def ping(self) -> None:
        """Run a trivial query; raises when the database cannot be reached."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self, *, close: bool = True) -> None:
        """Drop pooled connections: at shutdown, and in a forked child with ``close=False``
        (which leaves the parent's connections alone instead of closing them under it)."""
        self.engine.dispose(close=close)
