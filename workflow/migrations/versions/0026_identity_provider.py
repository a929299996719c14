"""Staff may sign in through the organisation's identity provider, with roles from its groups.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the provider columns to ``users`` and the ``site_settings`` table."""
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("provider_subject", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("role_source", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("provider_seen_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "provider_deactivated", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.create_unique_constraint("uq_users_provider_subject", ["provider_subject"])
    op.create_table(
        "site_settings",
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name="fk_site_settings_updated_by_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("key", name="pk_site_settings"),
    )


def downgrade() -> None:
    """Drop ``site_settings`` and the provider columns."""
    op.drop_table("site_settings")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_constraint("uq_users_provider_subject", type_="unique")
        batch_op.drop_column("provider_deactivated")
        batch_op.drop_column("provider_seen_at")
        batch_op.drop_column("role_source")
        batch_op.drop_column("provider_subject")
