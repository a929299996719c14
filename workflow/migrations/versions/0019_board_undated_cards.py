"""The board's undated cards from an index of their own on PostgreSQL; one redundant index less.

Each board column asks for its ideas without a follow-up date, newest first. PostgreSQL
estimates how many a state holds from the share of undated ideas overall, as if the two were
unrelated; in a state where every idea is dated (parked ideas wait for a date) it then walks
the state's whole index looking for undated ones: 12 ms for the 11,787 parked ideas of a
100,000-idea database, and the board's one slow statement. A partial index of the undated
ideas by state and arrival answers the question from its own entries whatever the estimate
(0.01 ms). SQLite reads ``(state, follow_up_on, state_changed_at)`` for it already.

``ideas (state, follow_up_on)`` is the beginning of ``ideas (state, follow_up_on,
state_changed_at)``, which serves every query it served: it is dropped, one index less to
write on each transition.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the undated cards' index (PostgreSQL), drop the redundant one."""
    op.drop_index("ix_ideas_state_follow_up", table_name="ideas")
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_ideas_undated_state_changed",
            "ideas",
            ["state", "state_changed_at"],
            postgresql_where=sa.text("follow_up_on IS NULL"),
        )


def downgrade() -> None:
    """Put the indexes back as they were."""
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_ideas_undated_state_changed", table_name="ideas")
    op.create_index("ix_ideas_state_follow_up", "ideas", ["state", "follow_up_on"])
