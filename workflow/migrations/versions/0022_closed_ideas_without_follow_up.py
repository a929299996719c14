"""Closed ideas have nothing left to follow up: clear the follow-up dates they kept.

From this revision a step that closes an idea (scaled, rejected, merged) clears its follow-up
date. Ideas closed before it kept theirs, so a scaled idea could sit at the top of its owner's
list as overdue; this clears them once.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Clear the follow-up date of every closed idea."""
    op.execute(
        sa.text(
            "UPDATE ideas SET follow_up_on = NULL "
            "WHERE state IN ('scaled', 'rejected', 'merged') AND follow_up_on IS NOT NULL"
        )
    )


def downgrade() -> None:
    """Nothing to undo: the cleared dates had no meaning left."""
