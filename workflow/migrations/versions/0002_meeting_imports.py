"""Meeting imports: the stored document, content hash, themes and participants of a meeting.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add what importing minutes needs."""
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("organisation", sa.String(length=300), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint("email", name=op.f("uq_contacts_email")),
    )
    op.create_table(
        "meeting_documents",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=120), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_documents_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", name=op.f("pk_meeting_documents")),
    )
    op.create_table(
        "meeting_participants",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_meeting_participants_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_participants_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", "contact_id", name=op.f("pk_meeting_participants")),
    )
    with op.batch_alter_table("meeting_participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_participants_contact_id"), ["contact_id"], unique=False
        )

    op.create_table(
        "meeting_themes",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_themes_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["themes.id"],
            name=op.f("fk_meeting_themes_theme_id_themes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", "theme_id", name=op.f("pk_meeting_themes")),
    )
    with op.batch_alter_table("meeting_themes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_themes_theme_id"), ["theme_id"], unique=False)

    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_exercise", sa.String(length=500), nullable=True))

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("imported_by_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_meetings_content_hash"), ["content_hash"])
        batch_op.create_foreign_key(
            batch_op.f("fk_meetings_imported_by_id_users"), "users", ["imported_by_id"], ["id"]
        )

    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.alter_column(
            "name",
            existing_type=sa.VARCHAR(length=200),
            type_=sa.String(length=500),
            existing_nullable=False,
        )
        batch_op.alter_column(
            "key",
            existing_type=sa.VARCHAR(length=200),
            type_=sa.String(length=500),
            existing_nullable=False,
        )


def downgrade() -> None:
    """Remove it again."""
    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.alter_column(
            "key",
            existing_type=sa.String(length=500),
            type_=sa.VARCHAR(length=200),
            existing_nullable=False,
        )
        batch_op.alter_column(
            "name",
            existing_type=sa.String(length=500),
            type_=sa.VARCHAR(length=200),
            existing_nullable=False,
        )

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_meetings_imported_by_id_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_meetings_content_hash"), type_="unique")
        batch_op.drop_column("imported_by_id")
        batch_op.drop_column("content_hash")

    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_column("source_exercise")

    with op.batch_alter_table("meeting_themes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_themes_theme_id"))

    op.drop_table("meeting_themes")
    with op.batch_alter_table("meeting_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_participants_contact_id"))

    op.drop_table("meeting_participants")
    op.drop_table("meeting_documents")
    op.drop_table("contacts")
