"""Throw-away databases for the benchmarks: a SQLite file, or a database on the bench's server.

PostgreSQL comes from ``IDEAFLOW_BENCH_DATABASE_URL`` (``make bench`` sets it to the local
server); each database is created with a unique name, migrated, and dropped afterwards.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from workflow import migrate
from workflow.settings import normalise_database_url

SERVER_VARIABLE = "IDEAFLOW_BENCH_DATABASE_URL"


def postgres_server() -> str | None:
    """The PostgreSQL server the benchmarks may create databases on, if one is named."""
    return os.environ.get(SERVER_VARIABLE) or os.environ.get("IDEAFLOW_TEST_DATABASE_URL")


def backends() -> list[str]:
    """``sqlite``, and ``postgresql`` when a server is named."""
    return ["sqlite", "postgresql"] if postgres_server() else ["sqlite"]


@contextmanager
def fresh_database(
    backend: str | None = None, *, migrated: bool = True
) -> Iterator[tuple[str, str]]:
    """Yield ``(backend, url)`` of a new database; deleted or dropped afterwards.

    Without ``backend``: PostgreSQL when a server is named, SQLite otherwise.
    """
    server = postgres_server()
    backend = backend or ("postgresql" if server else "sqlite")
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="ideaflow-bench-") as folder:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            if migrated:
                migrate.upgrade(url)
            yield "sqlite", url
        return
    if not server:
        raise SystemExit(f"set {SERVER_VARIABLE} to a PostgreSQL server the bench may use")
    admin = create_engine(normalise_database_url(server), isolation_level="AUTOCOMMIT")
    name = f"ideaflow_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = admin.url.set(database=name).render_as_string(hide_password=False)
        if migrated:
            migrate.upgrade(url)
        yield "postgresql", url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
