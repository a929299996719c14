"""Meeting follow-up reports: each meeting's report plan and the reports sent.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    """Add the plan to meetings (1, 3 and 6 months for the existing ones) and the sent reports."""
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "report_months",
                JSON_DOCUMENT,
                server_default=sa.text("'[1, 3, 6]'"),
                nullable=False,
            )
        )

    op.create_table(
        "sent_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("covers", JSON_DOCUMENT, nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("snapshot", JSON_DOCUMENT, nullable=False),
        sa.CheckConstraint("recipients >= 0", name=op.f("ck_sent_reports_recipients")),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_sent_reports_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"],
            ["users.id"],
            name=op.f("fk_sent_reports_sent_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_reports")),
    )
    with op.batch_alter_table("sent_reports", schema=None) as batch_op:
        batch_op.create_index("uq_sent_reports_due", ["meeting_id", "due_on"], unique=True)
        batch_op.create_index(
            "ix_sent_reports_meeting_sent", ["meeting_id", "sent_at"], unique=False
        )


def downgrade() -> None:
    """Remove them again."""
    with op.batch_alter_table("sent_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_sent_reports_meeting_sent")
        batch_op.drop_index("uq_sent_reports_due")

    op.drop_table("sent_reports")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("report_months")
