"""Similar ideas: the word stems of every idea that is not merged, so an import looks up candidates.

The index is filled from the ideas already stored, in batches by id (keyset, so each batch is an
index range whatever the number of ideas), before the term index is built over it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from workflow.models.idea_terms import TERM_MAX, term_rows

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5_000


def upgrade() -> None:
    """Add ``idea_terms`` and fill it from the stored ideas."""
    terms = op.create_table(
        "idea_terms",
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=TERM_MAX), nullable=False),
        sa.ForeignKeyConstraint(
            ["idea_id"],
            ["ideas.id"],
            name=op.f("fk_idea_terms_idea_id_ideas"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("idea_id", "term", name=op.f("pk_idea_terms")),
    )
    assert terms is not None
    ideas = sa.table(
        "ideas",
        sa.column("id", sa.Integer()),
        sa.column("title", sa.String()),
        sa.column("description", sa.Text()),
        sa.column("state", sa.String()),
    )
    connection = op.get_bind()
    after = 0
    while True:
        batch = connection.execute(
            sa.select(ideas.c.id, ideas.c.title, ideas.c.description)
            .where(ideas.c.id > after, ideas.c.state != "merged")
            .order_by(ideas.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            break
        rows = [row for idea in batch for row in term_rows(*idea)]
        if rows:
            connection.execute(sa.insert(terms), rows)
        after = batch[-1].id
    op.create_index("ix_idea_terms_term_idea", "idea_terms", ["term", "idea_id"])


def downgrade() -> None:
    """Drop ``idea_terms``."""
    op.drop_index("ix_idea_terms_term_idea", table_name="idea_terms")
    op.drop_table("idea_terms")
