"""Notifications: emails with fixed Message-IDs, unsubscriptions, reminders, contact preferences.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    """Add the notification tables and the contacts' preferences."""
    op.create_table(
        "suppressions",
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_suppressions")),
    )
    op.create_table(
        "unsubscriptions",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("list_name", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "list_name IN ('idea_updates', 'meeting_reports')", name=op.f("ck_unsubscriptions_list")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_unsubscriptions_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contact_id", "list_name", name=op.f("pk_unsubscriptions")),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("dedupe_key", sa.String(length=250), nullable=False),
        sa.Column("recipient_email", sa.String(length=320), nullable=False),
        sa.Column("recipient_name", sa.String(length=200), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("idea_id", sa.Integer(), nullable=True),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("digest_id", sa.Integer(), nullable=True),
        sa.Column("list_name", sa.String(length=40), nullable=True),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(length=250), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("payload", JSON_DOCUMENT, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'failed', 'suppressed', 'waiting_digest', 'digested')",
            name=op.f("ck_notifications_status"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_notifications_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["digest_id"],
            ["notifications.id"],
            name=op.f("fk_notifications_digest_id_notifications"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["idea_id"],
            ["ideas.id"],
            name=op.f("fk_notifications_idea_id_ideas"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_notifications_meeting_id_meetings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbox.id"],
            name=op.f("fk_notifications_outbox_id_outbox"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notifications_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_notifications_dedupe_key")),
        sa.UniqueConstraint("message_id", name=op.f("uq_notifications_message_id")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notifications_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(
            "ix_notifications_contact_status", ["contact_id", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_notifications_idea_id"), ["idea_id"], unique=False)
        batch_op.create_index(
            "ix_notifications_status_created", ["status", "created_at"], unique=False
        )

    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("occasion", sa.String(length=100), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("notification_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_reminders_idea_id_ideas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_reminders_notification_id_notifications"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_reminders_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
    )
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.create_index(
            "uq_reminders_occasion", ["idea_id", "occasion", "number"], unique=True
        )

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("error", sa.Text(), nullable=True))

    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.create_index("ix_ideas_state_follow_up", ["state", "follow_up_on"], unique=False)
        batch_op.create_index("ix_ideas_state_updated", ["state", "updated_at"], unique=False)

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=5), server_default="da", nullable=False)
        )
        batch_op.add_column(
            sa.Column("delivery", sa.String(length=10), server_default="daily", nullable=False)
        )
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_contacts_delivery"), "delivery IN ('immediate', 'daily', 'weekly')"
        )

    with op.batch_alter_table("meeting_participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent_source", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True))

    # Participants listed in imported minutes heard about the meeting's ideas until now: record
    # that opt-in with its source, so nobody loses mail they were getting.
    op.execute(
        "UPDATE meeting_participants SET consent_source = 'participant list in the minutes', "
        "consent_at = CURRENT_TIMESTAMP WHERE consent_source IS NULL"
    )


def downgrade() -> None:
    """Remove them again."""
    with op.batch_alter_table("meeting_participants", schema=None) as batch_op:
        batch_op.drop_column("consent_at")
        batch_op.drop_column("consent_source")

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("error")

    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_index("ix_ideas_state_updated")
        batch_op.drop_index("ix_ideas_state_follow_up")

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_contacts_delivery"), type_="check")
        batch_op.drop_column("erased_at")
        batch_op.drop_column("delivery")
        batch_op.drop_column("language")

    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index("uq_reminders_occasion")

    op.drop_table("reminders")
    op.drop_table("suppressions")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_status_created")
        batch_op.drop_index(batch_op.f("ix_notifications_idea_id"))
        batch_op.drop_index("ix_notifications_contact_status")
        batch_op.drop_index(batch_op.f("ix_notifications_contact_id"))

    op.drop_table("notifications")
    op.drop_table("unsubscriptions")
