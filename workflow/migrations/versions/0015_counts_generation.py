"""The kept counts' generation: a number the totals carry, new with every write to them.

``idea_counts`` gets the key ``fold:generation`` (``workflow.repositories.idea_counts``): the
sweep's fold and a recount set a new random number there in the transaction that changes the
totals, so a process may keep a copy of the totals and trust it while the number is unchanged.
A later migration that writes totals must set a new number too.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENERATION_KEY = "fold:generation"  # as workflow.repositories.idea_counts has it here


def upgrade() -> None:
    """Give the totals their first generation."""
    op.execute(
        sa.text("INSERT INTO idea_counts (key, total) VALUES (:key, :number)").bindparams(
            key=GENERATION_KEY, number=secrets.randbelow(2**31 - 1) + 1
        )
    )


def downgrade() -> None:
    """Remove the generation."""
    op.execute(sa.text("DELETE FROM idea_counts WHERE key = :key").bindparams(key=GENERATION_KEY))
