"""Follow-up sweep: each idea keeps the moment the sweep must next look at it.

``ideas.next_check_at`` (indexed; NULL: not until a write changes the idea) lets the reminder
sweep read only the ideas whose moment has come instead of every idea an occasion holds for.
The backfill marks every open idea with an owner with the epoch, the value a write leaves
(``workflow.followups.schedule.MARK``): the first sweep reads them, as every sweep did before,
and stores for each the exact moment. Finished and unowned ideas stay NULL, as no reminder can
be due for them until a write (which marks them) changes that. One UPDATE on either database.
``followup_schedule`` keeps the reminder rules the moments were worked out with (empty until
the first sweep: a sweep with other rules marks every open idea again).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MARK = datetime(1970, 1, 1, tzinfo=UTC)
OPEN_STATES = ("proposed", "assessed", "piloted", "parked")  # as workflow.states had them here


def upgrade() -> None:
    """Add the column and its index, mark the open ideas with an owner for the next sweep, and
    add the table of the rules."""
    op.create_table(
        "followup_schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rules", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_followup_schedule")),
    )
    # Plain ALTER TABLE on both databases: a batch would copy the table on SQLite, losing the
    # expression indexes it cannot reflect (0012).
    op.add_column("ideas", sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_ideas_next_check_at", "ideas", ["next_check_at"])
    ideas = sa.table(
        "ideas",
        sa.column("state", sa.String()),
        sa.column("owner_id", sa.Integer()),
        sa.column("next_check_at", sa.DateTime(timezone=True)),
    )
    op.execute(
        ideas.update()
        .where(ideas.c.state.in_(OPEN_STATES), ideas.c.owner_id.is_not(None))
        .values(next_check_at=MARK)
    )


def downgrade() -> None:
    """Drop the index, the column and the table of the rules."""
    op.drop_table("followup_schedule")
    op.drop_index("ix_ideas_next_check_at", table_name="ideas")
    op.drop_column("ideas", "next_check_at")  # SQLite 3.35 and later drop a column in place
