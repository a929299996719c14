"""The pipeline at a glance: how many ideas sit in each state and how long they stay there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from statistics import median

from sqlalchemy import func, select, type_coerce

from workflow.clock import utcnow
from workflow.models import HistoryEntry, Idea, UTCDateTime
from workflow.permissions import Actor
from workflow.states import STATES
from workflow.uow import UnitOfWork

SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class StageFigures:
    """One state's count and the median days an idea spends in it."""

    state: str
    count: int
    median_days: float | None


def pipeline(uow: UnitOfWork, actor: Actor, now: datetime | None = None) -> list[StageFigures]:
    """Counts per state and, per state, the median days of every stay (finished or ongoing)."""
    now = now or utcnow()
    session = uow.session
    counts = dict(
        session.execute(select(Idea.state, func.count(Idea.id)).group_by(Idea.state)).all()
    )
    stays: dict[str, list[float]] = {state: [] for state in STATES}
    previous_step = func.lag(HistoryEntry.at).over(
        partition_by=HistoryEntry.idea_id, order_by=(HistoryEntry.at, HistoryEntry.id)
    )
    # type_coerce keeps the UTC handling that a window function's result would otherwise lose.
    entered = type_coerce(func.coalesce(previous_step, Idea.created_at), UTCDateTime())
    finished = select(HistoryEntry.from_state, entered.label("entered"), HistoryEntry.at).join(
        Idea, Idea.id == HistoryEntry.idea_id
    )
    for state, started, ended in session.execute(finished):
        stays[state].append(_days(ended, started))
    ongoing = select(Idea.state, Idea.state_changed_at)
    for state, started in session.execute(ongoing):
        stays[state].append(_days(now, started))
    return [
        StageFigures(
            state=state,
            count=counts.get(state, 0),
            median_days=round(median(stays[state]), 1) if stays[state] else None,
        )
        for state in STATES
    ]


def _days(end: datetime, start: datetime) -> float:
    return max((end - start).total_seconds(), 0.0) / SECONDS_PER_DAY
