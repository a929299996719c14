"""Every Alembic revision, from an empty database to head and back, on SQLite and PostgreSQL."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text

from workflow import migrate
from workflow.db import make_engine
from workflow.models import Base
from workflow.models.ideas import kept_by_database


def _for_dialect(dialect: str) -> Callable[..., bool]:
    """Leave out the model's indexes made for another database only (``ddl_if``), and the
    tables SQLite keeps for its search index."""

    def include(item: Any, name: Any, kind: str, _reflected: bool, _compare_to: Any) -> bool:
        if kind == "table" and kept_by_database(name):
            return False
        only = getattr(item, "_ddl_if", None) if kind == "index" else None
        return only is None or only.dialect in (None, dialect)

    return include


def test_empty_to_head_matches_the_models_and_downgrades_cleanly(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)
    assert migrate.is_up_to_date(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        with engine.connect() as connection, warnings.catch_warnings():
            # SQLite's expression indexes (the idea list's follow-up order) cannot be reflected:
            # SQLAlchemy and Alembic skip them with a warning; PostgreSQL compares them.
            for skipped in (
                "Skipped unsupported reflection of expression-based index",
                "autogenerate skipping metadata-specified expression-based index",
            ):
                warnings.filterwarnings("ignore", skipped)
            context = MigrationContext.configure(
                connection, opts={"include_object": _for_dialect(connection.dialect.name)}
            )
            differences = compare_metadata(context, Base.metadata)
            assert differences == []
            assert {"ix_ideas_follow_up_order", "ix_ideas_state_follow_up_order"} <= index_names(
                connection
            )
        assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)
    finally:
        engine.dispose()

    migrate.downgrade(empty_database_url, "base")
    engine = make_engine(empty_database_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    migrate.upgrade(empty_database_url)
    assert migrate.is_up_to_date(empty_database_url)


def index_names(connection: Connection) -> set[str]:
    """Every index of the ideas table, expression indexes too (which reflection skips)."""
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ideas'"
    else:
        query = "SELECT indexname FROM pg_indexes WHERE tablename = 'ideas'"
    return set(connection.execute(text(query)).scalars())
