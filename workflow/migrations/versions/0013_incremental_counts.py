"""The notification log's order from an index.

- ``notifications (created_at, id)``: the log, newest first, read in index order; with the
  total counted up to 10,000 (``workflow.paging.bounded_count``) a page no longer reads every
  notification;
- ``notifications (kind, created_at, id)``: the same with the kind filter (the status filter has
  ``ix_notifications_status_created``, the idea filter the idea's index).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the notification log's indexes."""
    op.create_index("ix_notifications_created", "notifications", ["created_at", "id"])
    op.create_index("ix_notifications_kind_created", "notifications", ["kind", "created_at", "id"])


def downgrade() -> None:
    """Drop the notification log's indexes."""
    op.drop_index("ix_notifications_kind_created", table_name="notifications")
    op.drop_index("ix_notifications_created", table_name="notifications")
