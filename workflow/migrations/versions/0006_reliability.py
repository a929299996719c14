"""Reliability: outbox events retried with backoff after a failure, and sign-in windows.

Outbox rows gain ``attempts``, ``next_attempt_at``, ``failed_at`` and ``alerted_at``; a row that
failed before this revision (``dispatched_at`` and ``error`` both set, never retried) is made
pending again, so what it should have sent goes out now. ``login_attempts`` (one row per failed
sign-in) gives way to ``sign_in_windows`` (a counter per key and minute, taken by
compare-and-set, so a burst of parallel attempts can never make more checks than the limit).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the retry columns to the outbox and replace login_attempts by sign_in_windows."""
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("failed_at", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("alerted_at", sa.DateTime(timezone=True)))
        batch_op.create_index("ix_outbox_waiting", ["dispatched_at", "next_attempt_at"])
    # Events an earlier relay gave up on (marked dispatched with an error): try them again.
    op.execute(
        "UPDATE outbox SET dispatched_at = NULL, attempts = 1, failed_at = created_at "
        "WHERE dispatched_at IS NOT NULL AND error IS NOT NULL"
    )

    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempts_key_at")
    op.drop_table("login_attempts")
    op.create_table(
        "sign_in_windows",
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checks", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name=op.f("pk_sign_in_windows")),
    )
    with op.batch_alter_table("sign_in_windows", schema=None) as batch_op:
        batch_op.create_index("ix_sign_in_windows_window_start", ["window_start"])


def downgrade() -> None:
    """Back to failed sign-ins as rows and outbox rows without retries."""
    with op.batch_alter_table("sign_in_windows", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_in_windows_window_start")
    op.drop_table("sign_in_windows")
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_login_attempts_key_at", ["key", "at"], unique=False)

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_waiting")
        batch_op.drop_column("alerted_at")
        batch_op.drop_column("failed_at")
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("attempts")
