"""Adding the ideas' pending count changes to their totals (the beat's sweep).

The changes are appended by triggers on ``ideas`` (migration 0013, ``workflow.models.counts``);
``workflow.repositories.idea_counts`` reads a total per key plus the changes since the last
fold, which the sweep keeps to the last half minute's transitions.
"""

from __future__ import annotations

import secrets

from sqlalchemy import (
    Integer,
    String,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    text,
    update,
)

from workflow.models import HistoryEntry, Idea, IdeaCount, IdeaCountDelta
from workflow.repositories.idea_counts import GENERATION_KEY, STAY_KEY
from workflow.services.dashboard_stays import day_number
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
    """Add the pending changes to the totals and remove them, in one transaction, with a new
    generation when there were any. On PostgreSQL the DELETE takes exactly the changes
    committed so far (writers are never waited on); SQLite has one writer at a time, so the
    changes up to the latest are taken."""
    session = uow.session
    if session.get_bind().dialect.name == "postgresql":
        moved = session.execute(_FOLD_POSTGRES).rowcount  # type: ignore[attr-defined]
    else:
        moved = 0
        last = session.scalar(select(func.max(IdeaCountDelta.id)))
        if last is not None:
            moved = session.execute(_FOLD_SQLITE, {"last": last}).rowcount  # type: ignore[attr-defined]
            session.execute(delete(IdeaCountDelta).where(IdeaCountDelta.id <= last))
    if moved:
        new_generation(uow)
    uow.commit()


def new_generation(uow: UnitOfWork) -> None:
    """Give the totals a new generation (``GENERATION_KEY``): copies of the old ones are stale.
    Every writer of ``idea_counts`` calls it in its transaction."""
    number = secrets.randbelow(2**31 - 1) + 1  # never 0: a number nobody holds a copy under
    session = uow.session
    found = session.execute(
        update(IdeaCount).where(IdeaCount.key == GENERATION_KEY).values(total=number)
    )
    if not found.rowcount:  # type: ignore[attr-defined]
        session.execute(insert(IdeaCount).values(key=GENERATION_KEY, total=number))


def recount_stays(uow: UnitOfWork) -> None:
    """Count the finished stays again from every idea's history (the migration's backfill):
    for ideas written in bulk, as the seed of the benchmarks does, with no transition to count
    them. Run on a quiet database: a transition committed meanwhile would be counted twice."""
    session = uow.session
    dialect = session.get_bind().dialect.name
    keys = (IdeaCount.key, IdeaCountDelta.key)
    session.execute(delete(IdeaCount).where(keys[0].startswith(STAY_KEY, autoescape=True)))
    session.execute(delete(IdeaCountDelta).where(keys[1].startswith(STAY_KEY, autoescape=True)))
    previous = func.lag(HistoryEntry.at).over(
        partition_by=HistoryEntry.idea_id, order_by=(HistoryEntry.at, HistoryEntry.id)
    )
    entered = func.coalesce(previous, Idea.created_at)
    length = day_number(dialect, HistoryEntry.at) - day_number(dialect, entered)
    stays = (
        select(HistoryEntry.from_state.label("state"), length.label("days"))
        .join(Idea, Idea.id == HistoryEntry.idea_id)
        .subquery()
    )
    whole = cast(func.round(case((stays.c.days < 0, 0.0), else_=stays.c.days)), Integer)
    key = (literal(STAY_KEY) + cast(stays.c.state, String) + ":" + cast(whole, String)).label("key")
    counted = select(key, func.count()).group_by(key)
    session.execute(insert(IdeaCount).from_select(["key", "total"], counted))
    new_generation(uow)
    uow.commit()
