"""Adding the ideas' pending count changes to their totals (the beat's sweep).

The changes are appended by triggers on ``ideas`` (migration 0013, ``workflow.models.counts``);
``workflow.repositories.idea_counts`` reads a total per key plus the changes since the last
fold, which the sweep keeps to the last half minute's transitions.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select, text

from workflow.models import IdeaCountDelta
from workflow.uow import UnitOfWork

_FOLD_POSTGRES = text(
    "WITH moved AS (DELETE FROM idea_count_deltas RETURNING key, delta) "
    "INSERT INTO idea_counts (key, total) SELECT key, sum(delta) FROM moved GROUP BY key "
    "ON CONFLICT (key) DO UPDATE SET total = idea_counts.total + excluded.total"
)
_FOLD_SQLITE = text(
    "INSERT INTO idea_counts (key, total) SELECT key, sum(delta) FROM idea_count_deltas "
    "WHERE id <= :last GROUP BY key "
    "ON CONFLICT (key) DO UPDATE SET total = idea_counts.total + excluded.total"
)


def fold_counts(uow: UnitOfWork) -> None:
    """Add the pending changes to the totals and remove them, in one transaction. On
    PostgreSQL the DELETE takes exactly the changes committed so far (writers are never
    waited on); SQLite has one writer at a time, so the changes up to the latest are taken."""
    session = uow.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_FOLD_POSTGRES)
    else:
        last = session.scalar(select(func.max(IdeaCountDelta.id)))
        if last is not None:
            session.execute(_FOLD_SQLITE, {"last": last})
            session.execute(delete(IdeaCountDelta).where(IdeaCountDelta.id <= last))
    uow.commit()
