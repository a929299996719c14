"""Importer structure: table columns kept with ideas, unplaced text kept with meetings, uploads
read in the background.

``ideas.source_notes`` holds the other columns of the table row an idea came from;
``meetings.unrecognised`` the text of the minutes the importer could not place. Pending
uploads gain a status (``reading`` while the worker recognises a scan, ``ready`` with the
parsed document kept for the preview, ``failed`` with the error) and progress counters.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    """Add the provenance, unplaced-text and background-reading columns."""
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_notes", JSON, nullable=True))
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unrecognised", JSON, nullable=True))
    with op.batch_alter_table("pending_imports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=20), server_default="ready", nullable=False)
        )
        batch_op.add_column(
            sa.Column("progress_done", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("progress_total", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("parsed", JSON, nullable=True))
        batch_op.add_column(sa.Column("error", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Drop the columns again."""
    with op.batch_alter_table("pending_imports", schema=None) as batch_op:
        for column in ("updated_at", "error", "parsed", "progress_total", "progress_done"):
            batch_op.drop_column(column)
        batch_op.drop_column("status")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("unrecognised")
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_column("source_notes")
