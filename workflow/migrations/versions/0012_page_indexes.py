"""Page indexes: the dashboard's counts and the idea list's sort orders read indexes, not rows.

- ``idea_history (to_state, idea_id)``: the funnel's "ever reached" counts, from the index only;
- ``ideas (owner_id, state, follow_up_on, state_changed_at)``: the load per owner (open, overdue
  and stuck ideas of each owner) from the index only;
- ``ideas (updated_at)``: the list sorted by the latest change without sorting every idea;
- ``ideas ((follow_up_on IS NULL), follow_up_on, id DESC)``, with and without ``state`` first:
  the list by follow-up date, undated last, in index order (SQLite cannot serve ``NULLS LAST``
  from an index, so the order is spelt with ``IS NULL``);
- ``ideas (meeting_id, state)``: a meeting's ideas by state (the dashboard, the meeting filter
  with a state), without intersecting the meeting's index with a whole state's.

The owner's and the meeting's new indexes lead with the id, so they replace ``ix_ideas_owner_id``
and ``ix_ideas_meeting_id``: every index on ``ideas`` is written on each transition (a change
of an indexed column updates them all on PostgreSQL), so none is kept twice.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

FOLLOW_UP_ORDER: list[str | sa.TextClause] = [
    sa.text("(follow_up_on IS NULL)"),
    "follow_up_on",
    sa.text("id DESC"),
]

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the pages' indexes."""
    op.create_index("ix_idea_history_to_state_idea", "idea_history", ["to_state", "idea_id"])
    op.create_index(
        "ix_ideas_owner_load", "ideas", ["owner_id", "state", "follow_up_on", "state_changed_at"]
    )
    op.create_index("ix_ideas_updated", "ideas", ["updated_at"])
    op.create_index("ix_ideas_meeting_state", "ideas", ["meeting_id", "state"])
    op.create_index("ix_ideas_follow_up_order", "ideas", FOLLOW_UP_ORDER)
    op.create_index("ix_ideas_state_follow_up_order", "ideas", ["state", *FOLLOW_UP_ORDER])
    op.drop_index("ix_ideas_owner_id", table_name="ideas")
    op.drop_index("ix_ideas_meeting_id", table_name="ideas")


def downgrade() -> None:
    """Drop the pages' indexes."""
    op.create_index("ix_ideas_meeting_id", "ideas", ["meeting_id"])
    op.create_index("ix_ideas_owner_id", "ideas", ["owner_id"])
    op.drop_index("ix_ideas_state_follow_up_order", table_name="ideas")
    op.drop_index("ix_ideas_follow_up_order", table_name="ideas")
    op.drop_index("ix_ideas_meeting_state", table_name="ideas")
    op.drop_index("ix_ideas_updated", table_name="ideas")
    op.drop_index("ix_ideas_owner_load", table_name="ideas")
    op.drop_index("ix_idea_history_to_state_idea", table_name="idea_history")
