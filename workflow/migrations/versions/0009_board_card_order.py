"""Board card order: an index that serves each board column's first cards in order.

The board asks, per state, for the ideas with a follow-up date by that date and for those
without by when they arrived; ``(state, follow_up_on, state_changed_at)`` answers both halves
from the index on SQLite and PostgreSQL, whatever the number of ideas.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the board's index."""
    op.create_index(
        "ix_ideas_state_follow_up_changed", "ideas", ["state", "follow_up_on", "state_changed_at"]
    )


def downgrade() -> None:
    """Drop the board's index."""
    op.drop_index("ix_ideas_state_follow_up_changed", table_name="ideas")
