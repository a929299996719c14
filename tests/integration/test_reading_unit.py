"""A reading unit of work: its statements run without a transaction around them on PostgreSQL,
and it writes one row at most (a last-seen stamp), never several and never an event."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select, text

from workflow.db import Database
from workflow.events import IdeaCreated
from workflow.models.people import User
from workflow.permissions import Actor
from workflow.uow import MoreThanOneWrite

ONE_TRANSACTION = text("SELECT transaction_timestamp() = statement_timestamp()")


def _names(database: Database) -> dict[int, str]:
    with database.unit_of_work() as uow:
        return {row.id: row.name for row in uow.session.execute(select(User.id, User.name))}


@pytest.mark.postgres
def test_each_statement_stands_alone_and_the_pool_keeps_its_transactions(
    migrated_postgres_url: str,
) -> None:
    database = Database(migrated_postgres_url)
    try:
        with database.reading() as uow:
            uow.session.execute(text("SELECT pg_sleep(0.01)"))
            assert uow.session.scalar(ONE_TRANSACTION) is True  # a transaction of its own
        with database.unit_of_work() as uow:
            uow.session.execute(text("SELECT pg_sleep(0.01)"))
            assert uow.session.scalar(ONE_TRANSACTION) is False  # began with the first
    finally:
        database.dispose()


def test_one_row_written_by_a_reader_is_kept(
    database: Database, make_user: Callable[..., Actor]
) -> None:
    owner = make_user("owner")
    with database.reading() as uow:
        user = uow.session.get(User, owner.id)
        assert user is not None
        user.name = "Mette Skov"
        uow.commit()
    assert _names(database)[owner.id] == "Mette Skov"


def test_two_rows_are_refused_before_anything_is_sent(
    database: Database, make_user: Callable[..., Actor]
) -> None:
    first, second = make_user("owner"), make_user("manager")
    before = _names(database)
    with database.reading() as uow:
        for actor in (first, second):
            user = uow.session.get(User, actor.id)
            assert user is not None
            user.name = "Changed"
        uow.session.execute(select(User.id))  # no autoflush sends them on the way
        with pytest.raises(MoreThanOneWrite):
            uow.commit()
    assert _names(database) == before


def test_a_reader_publishes_no_event(database: Database) -> None:
    with database.reading() as uow, pytest.raises(MoreThanOneWrite):
        uow.publish(IdeaCreated(aggregate_id=1, title="Sociale partnerskaber", actor_id=None))
