"""The legal basis on which a meeting participant hears about the meeting's ideas.

Participants taken from minutes used to be recorded as having consented, which minutes do not
show. From this revision each opt-in keeps its legal basis: the municipality's public task or
the person's consent (``IDEAFLOW_PARTICIPANT_LEGAL_BASIS``). Rows from before keep no basis:
what was recorded then is not rewritten.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``meeting_participants.legal_basis``."""
    with op.batch_alter_table("meeting_participants") as batch_op:
        batch_op.add_column(sa.Column("legal_basis", sa.String(20), nullable=True))


def downgrade() -> None:
    """Drop ``meeting_participants.legal_basis``."""
    with op.batch_alter_table("meeting_participants") as batch_op:
        batch_op.drop_column("legal_basis")
