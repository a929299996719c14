"""A theme's ideas in id order from an index: ``idea_themes (theme_id, idea_id)``.

A meeting's page lists the first ideas of each of its themes: a range of this index, where the
index on ``theme_id`` alone had every idea the theme tags read and sorted. It leads with the
theme, so it replaces ``ix_idea_themes_theme_id`` (the foreign key's look-ups use it too).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Replace the theme's index with the theme's ideas in order."""
    op.create_index("ix_idea_themes_theme_idea", "idea_themes", ["theme_id", "idea_id"])
    op.drop_index("ix_idea_themes_theme_id", table_name="idea_themes")


def downgrade() -> None:
    """Back to the index on the theme alone."""
    op.create_index("ix_idea_themes_theme_id", "idea_themes", ["theme_id"])
    op.drop_index("ix_idea_themes_theme_idea", table_name="idea_themes")
