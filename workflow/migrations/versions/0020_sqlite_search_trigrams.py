"""The list's text search from a trigram index on SQLite too.

A search of the idea list (``LIKE '%word%'`` on the ideas' case-folded text) reads every idea's
text on SQLite until it has the page and the count it shows, so it grows with the data: for a
word in one idea in fifteen, 15,000 texts at 100,000 ideas. PostgreSQL answers it from the
text's trigrams (migration 0017). SQLite's FTS5 has the same index (the ``trigram`` tokenizer,
SQLite 3.34 and later): ``ideas_search`` indexes ``ideas.search_text`` without a copy of it
(an external-content table), and triggers keep it in step with every write to ``ideas``, as the
count triggers do (migration 0013), whoever writes. ``workflow.repositories.search`` asks the
index how many ideas hold a text and lists a rare one from it, each idea checked with the same
``LIKE``.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REMOVE_OLD = (
    "INSERT INTO ideas_search (ideas_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text);"
)
_ADD_NEW = "INSERT INTO ideas_search (rowid, search_text) VALUES (new.id, new.search_text);"
STATEMENTS = (
    "CREATE VIRTUAL TABLE ideas_search USING fts5("
    "search_text, content='ideas', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER ideas_search_insert AFTER INSERT ON ideas BEGIN {_ADD_NEW} END",
    f"CREATE TRIGGER ideas_search_delete AFTER DELETE ON ideas BEGIN {_REMOVE_OLD} END",
    "CREATE TRIGGER ideas_search_update AFTER UPDATE OF search_text ON ideas "
    f"BEGIN {_REMOVE_OLD} {_ADD_NEW} END",
    "INSERT INTO ideas_search (ideas_search) VALUES ('rebuild')",
)


def upgrade() -> None:
    """Create the index and its triggers, and index the ideas there are (SQLite)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    """Drop the triggers and the index (SQLite)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS ideas_search_{trigger}")
    op.execute("DROP TABLE IF EXISTS ideas_search")
