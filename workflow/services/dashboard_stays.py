"""Time in each stage from a histogram of stays in whole days: work bounded by the days, not the
number of ideas or steps.

A stay is finished (from the idea's previous change of state, or its creation, to a step) or
ongoing (from ``state_changed_at`` to now). Both are counted by the triggers on ``ideas`` as
they happen (``idea_counts``, migration 0013): finished stays by state and length rounded to
whole days (``stay:<state>:<days>``), ongoing ones by state and the UTC day they began
(``since:<state>:<day>``), whose length is the number of days from that day to today (UTC). The
median and 90th percentile are interpolated over the histogram as ``percentile_cont`` does over
the stays, so they are exact to the day; the dashboard shows days to one decimal, which only
the interpolation between two whole days fills.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, cast, extract, func
from sqlalchemy.orm import QueryableAttribute, Session

from workflow.repositories.idea_counts import SINCE_KEY, STAY_KEY, kept_counts
from workflow.services.dashboard_figures import SECONDS_PER_DAY, StageTime
from workflow.states import STATES, State

Ongoing = dict[str, dict[int, int]]
"""Per state: the day each ongoing stay began (a date's ordinal) and how many began then."""
_Timestamp = ColumnElement[Any] | QueryableAttribute[Any]
# (numerator, denominator) of each percentile: exact positions, no float rounding.
_MEDIAN, _P90 = (1, 2), (9, 10)


def day_number(dialect: str, moment: _Timestamp) -> ColumnElement[Any]:
    """A timestamp as a number of days on a continuous scale; differences are durations."""
    if dialect == "sqlite":
        return func.julianday(moment)  # stored as naive UTC text
    return cast(extract("epoch", moment), Float) / SECONDS_PER_DAY  # PostgreSQL


def time_in_stage(
    session: Session, now: datetime, ongoing: Ongoing | None = None
) -> tuple[StageTime, ...]:
    """Per state: how many stays, their median and 90th percentile in days (rounded to 0.1);
    ``ongoing``: the ongoing stays (``ongoing_stays``), when the caller has read them."""
    histograms = stay_histograms(session, now, ongoing)
    return tuple(_stage(state, histograms.get(state, Counter())) for state in STATES)


def ongoing_stays(session: Session) -> Ongoing:
    """Per state: how many of its ideas entered it on each day (a date's ordinal, UTC)."""
    ongoing: defaultdict[str, dict[int, int]] = defaultdict(dict)
    began: dict[str, int] = {}  # a day's ordinal, parsed once for all states
    for key, count in kept_counts(session, SINCE_KEY).items():
        state, _, day = key.removeprefix(SINCE_KEY).rpartition(":")
        if (ordinal := began.get(day)) is None:
            ordinal = began[day] = date.fromisoformat(day).toordinal()
        ongoing[state][ordinal] = count
    return dict(ongoing)


def stay_histograms(
    session: Session, now: datetime, ongoing: Ongoing | None = None
) -> dict[str, Counter[int]]:
    """Per state: how many stays, finished and ongoing, lasted each whole number of days."""
    histograms: defaultdict[str, Counter[int]] = defaultdict(Counter)
    for key, count in kept_counts(session, STAY_KEY).items():
        state, _, length = key.removeprefix(STAY_KEY).rpartition(":")
        histograms[state][int(length)] += count
    today = now.astimezone(UTC).date().toordinal()
    for state, days in (ongoing_stays(session) if ongoing is None else ongoing).items():
        histogram = histograms[state]
        for ordinal, count in days.items():
            histogram[max(today - ordinal, 0)] += count
    return dict(histograms)


def _stage(state: State, histogram: Counter[int]) -> StageTime:
    ranked = sorted((days, count) for days, count in histogram.items() if count > 0)
    n = sum(count for _, count in ranked)
    if not n:
        return StageTime(state, 0, None, None)
    median, p90 = (_percentile(ranked, n, fraction) for fraction in (_MEDIAN, _P90))
    return StageTime(state=state, stays=n, median_days=round(median, 1), p90_days=round(p90, 1))


def _percentile(ranked: list[tuple[int, int]], n: int, fraction: tuple[int, int]) -> float:
    """The percentile at ``fraction`` of the stays (linear between neighbours, type 7)."""
    numerator, denominator = fraction
    below, rest = divmod((n - 1) * numerator, denominator)
    low, high = _value_at(ranked, below), _value_at(ranked, min(below + 1, n - 1))
    return low + (high - low) * rest / denominator


def _value_at(ranked: list[tuple[int, int]], rank: int) -> float:
    """The stay at 0-based ``rank`` in length order."""
    seen = 0
    for days, count in ranked:
        seen += count
        if rank < seen:
            return float(days)
    raise IndexError(rank)
