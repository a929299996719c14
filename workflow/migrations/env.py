"""Alembic environment: migrations run with the URL from the config, batch mode on SQLite."""

from __future__ import annotations

from typing import Any

from alembic import context

from workflow.db import make_engine
from workflow.models import Base
from workflow.models.ideas import kept_by_database

config = context.config
target_metadata = Base.metadata


def include_object(item: Any, name: str | None, kind: str, reflected: bool, _other: Any) -> bool:
    """Leave the tables a database keeps for its own indexes out of autogenerate."""
    return not (kind == "table" and reflected and name and kept_by_database(name))


def run_migrations_offline() -> None:
    """Emit SQL without a database connection."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations inside one transaction per run."""
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
                include_object=include_object,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
