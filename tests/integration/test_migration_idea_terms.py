"""Revision 0011 indexes the ideas stored before it, in batches, leaving merged ideas out."""

from __future__ import annotations

from sqlalchemy import func, select, text

from workflow import migrate
from workflow.db import Database
from workflow.models import idea_terms
from workflow.models.idea_terms import similarity_text, terms_of

IDEAS = 5_003  # more than one batch of the backfill


def test_stored_ideas_are_indexed_and_merged_ones_left_out(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url, "0009")
    rows = [
        {
            "title": f"Cykelsti nummer {number} langs åen",
            "description": "Fra Langå til Randers",
            "state": "merged" if number == 7 else "proposed",
        }
        for number in range(1, IDEAS + 1)
    ]
    database = Database(empty_database_url)
    try:
        with database.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO ideas (title, description, state, search_text, version,"
                    " state_changed_at, created_at, updated_at) VALUES (:title, :description,"
                    " :state, '', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                rows,
            )
        migrate.upgrade(empty_database_url)
        with database.engine.connect() as connection:
            indexed = connection.scalar(select(func.count(func.distinct(idea_terms.c.idea_id))))
            last = connection.scalars(
                select(idea_terms.c.term).where(idea_terms.c.idea_id == IDEAS)
            ).all()
            merged = connection.scalar(
                select(func.count()).select_from(idea_terms).where(idea_terms.c.idea_id == 7)
            )
        assert indexed == IDEAS - 1
        assert merged == 0
        assert sorted(last) == terms_of(similarity_text(rows[-1]["title"], rows[-1]["description"]))
    finally:
        database.dispose()
