"""Time in each stage, computed by the database: only a few numbers per state come back.

A stay is finished (from history: entered at the previous step, or at creation, left at the
step) or ongoing (from ``state_changed_at`` to now). PostgreSQL takes the median and the 90th
percentile with ``percentile_cont``; SQLite ranks the stays per state with window functions and
returns only the (at most four) stays either side of the two positions, which are interpolated
here exactly as ``percentile_cont`` does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, case, cast, extract, func, literal, select, union_all
from sqlalchemy.orm import QueryableAttribute, Session

from workflow.models import HistoryEntry, Idea, UTCDateTime
from workflow.services.dashboard_figures import SECONDS_PER_DAY, StageTime
from workflow.states import STATES, State

_Timestamp = ColumnElement[Any] | QueryableAttribute[Any]
# (numerator, denominator) of each percentile: exact positions, no float rounding.
_MEDIAN, _P90 = (1, 2), (9, 10)


def day_number(dialect: str, moment: _Timestamp) -> ColumnElement[Any]:
    """A timestamp as a number of days on a continuous scale; differences are durations."""
    if dialect == "sqlite":
        return func.julianday(moment)  # stored as naive UTC text
    return cast(extract("epoch", moment), Float) / SECONDS_PER_DAY  # PostgreSQL


def time_in_stage(session: Session, now: datetime) -> tuple[StageTime, ...]:
    """Per state: how many stays, their median and 90th percentile in days (rounded to 0.1)."""
    dialect = session.get_bind().dialect.name
    stays = _stays(dialect, now)
    found = _postgres(session, stays) if dialect == "postgresql" else _ranked(session, stays)
    return tuple(found.get(state, StageTime(state, 0, None, None)) for state in STATES)


def _stays(dialect: str, now: datetime) -> Any:
    previous_step = func.lag(HistoryEntry.at).over(
        partition_by=HistoryEntry.idea_id, order_by=(HistoryEntry.at, HistoryEntry.id)
    )
    entered = func.coalesce(previous_step, Idea.created_at)
    finished = select(
        HistoryEntry.from_state.label("state"),
        (day_number(dialect, HistoryEntry.at) - day_number(dialect, entered)).label("days"),
    ).join(Idea, Idea.id == HistoryEntry.idea_id)
    moment = literal(now, UTCDateTime())
    ongoing = select(
        Idea.state.label("state"),
        (day_number(dialect, moment) - day_number(dialect, Idea.state_changed_at)).label("days"),
    )
    raw = union_all(finished, ongoing).subquery("raw")
    clamped = case((raw.c.days < 0, 0.0), else_=raw.c.days)
    return select(raw.c.state, clamped.label("days")).subquery("stays")


def _postgres(session: Session, stays: Any) -> dict[str, StageTime]:
    query = select(
        stays.c.state,
        func.count(),
        func.percentile_cont(0.5).within_group(stays.c.days),
        func.percentile_cont(0.9).within_group(stays.c.days),
    ).group_by(stays.c.state)
    return {
        state: _stage(state, count, median, p90)
        for state, count, median, p90 in session.execute(query)
    }


def _ranked(session: Session, stays: Any) -> dict[str, StageTime]:
    ranked = select(
        stays.c.state,
        stays.c.days,
        (func.row_number().over(partition_by=stays.c.state, order_by=stays.c.days) - 1).label(
            "rank"
        ),
        func.count().over(partition_by=stays.c.state).label("n"),
    ).subquery("ranked")
    positions = [
        (ranked.c.n - 1) * numerator // denominator + step
        for numerator, denominator in (_MEDIAN, _P90)
        for step in (0, 1)
    ]
    query = select(ranked.c.state, ranked.c.n, ranked.c.rank, ranked.c.days).where(
        ranked.c.rank.in_(positions)
    )
    values: dict[str, dict[int, float]] = {}
    sizes: dict[str, int] = {}
    for state, n, rank, days in session.execute(query):
        values.setdefault(state, {})[rank] = float(days)
        sizes[state] = n
    return {
        state: _stage(
            state, sizes[state], _at(ranks, sizes[state], _MEDIAN), _at(ranks, sizes[state], _P90)
        )
        for state, ranks in values.items()
    }


def _at(ranks: dict[int, float], n: int, fraction: tuple[int, int]) -> float:
    """The percentile at ``fraction`` from the values around its position (linear, type 7)."""
    numerator, denominator = fraction
    below, rest = divmod((n - 1) * numerator, denominator)
    low = ranks[below]
    high = ranks.get(below + 1, low)
    return low + (high - low) * rest / denominator


def _stage(state: str, count: int, median: float | None, p90: float | None) -> StageTime:
    return StageTime(
        state=State(state),
        stays=count,
        median_days=None if median is None else round(max(float(median), 0.0), 1),
        p90_days=None if p90 is None else round(max(float(p90), 0.0), 1),
    )
