"""The pending count changes by key: a reader sums its key range, not every change.

Every write to ``ideas`` appends its changes to ``idea_count_deltas`` and the sweep adds them to
the totals every half minute. A reader (the board's counts, the list's totals, the dashboard)
sums the changes of one key range, which without an index meant reading every pending change:
at 15 writes a second, about 6,000 rows on each of several reads per page, and more the longer
the sweep waits. With the index a range reads its own rows.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Index the pending changes by key."""
    op.create_index("ix_idea_count_deltas_key", "idea_count_deltas", ["key"])


def downgrade() -> None:
    """Drop the index."""
    op.drop_index("ix_idea_count_deltas_key", table_name="idea_count_deltas")
