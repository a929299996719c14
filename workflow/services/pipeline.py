"""The pipeline at a glance: how many ideas sit in each state and how long they stay there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from workflow.clock import utcnow
from workflow.permissions import Actor
from workflow.repositories.idea_counts import state_counts
from workflow.services.dashboard_stays import time_in_stage
from workflow.states import STATES
from workflow.uow import UnitOfWork


@dataclass(frozen=True)
class StageFigures:
    """One state's count and the median days an idea spends in it."""

    state: str
    count: int
    median_days: float | None


def pipeline(uow: UnitOfWork, actor: Actor, now: datetime | None = None) -> list[StageFigures]:
    """Counts per state and, per state, the median days of every stay (finished or ongoing);
    the database computes the medians (``dashboard_stays``), no stay comes into Python."""
    now = now or utcnow()
    counts = state_counts(uow.session)
    medians = {stage.state: stage.median_days for stage in time_in_stage(uow.session, now)}
    return [
        StageFigures(state=state, count=counts.get(state, 0), median_days=medians[state])
        for state in STATES
    ]
