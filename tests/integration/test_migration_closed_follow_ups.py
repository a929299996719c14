"""Revision 0022 clears the follow-up dates that ideas closed before it kept."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from workflow import migrate
from workflow.db import Database

STATES = ("proposed", "assessed", "piloted", "parked", "scaled", "rejected", "merged")


def test_closed_ideas_lose_their_follow_up_and_open_ones_keep_it(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url, "0021")
    database = Database(empty_database_url)
    try:
        with database.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO ideas (title, description, state, search_text, version,"
                    " follow_up_on, state_changed_at, created_at, updated_at) VALUES (:title,"
                    " '', :state, '', 1, :day, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP,"
                    " CURRENT_TIMESTAMP)"
                ),
                [{"title": state, "state": state, "day": date(2026, 1, 5)} for state in STATES],
            )
        migrate.upgrade(empty_database_url)
        with database.engine.connect() as connection:
            kept = dict(connection.execute(text("SELECT state, follow_up_on FROM ideas")).all())
        assert {state for state, day in kept.items() if day is not None} == {
            "proposed", "assessed", "piloted", "parked"
        }  # fmt: skip
    finally:
        database.dispose()
