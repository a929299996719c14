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
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, cast, extract, func
from sqlalchemy.orm import QueryableAttribute, Session

from workflow.repositories.idea_counts import SINCE_KEY, STAY_KEY, KeptCounts, kept, worked_out
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
    session: Session, now: datetime, since: KeptCounts | None = None
) -> tuple[StageTime, ...]:
    """Per state: how many stays, their median and 90th percentile in days (rounded to 0.1);
    ``since``: the ongoing stays' kept counts, when the caller has read them.

    The figures of the totals are worked out once per generation and day (``_figures``); the
    few pending changes are added to the histograms of the states they touch, which alone are
    worked out again."""
    finished = kept(session, STAY_KEY)
    since = since or kept(session, SINCE_KEY)
    today = now.astimezone(UTC).date().toordinal()
    figures = _figures(finished.totals, since.totals, today)
    changed: defaultdict[str, Counter[int]] = defaultdict(Counter)
    _add_stays(changed, finished.changes)
    _add_ongoing(changed, ongoing_by_day(since.changes), today)
    stages = []
    for state in STATES:
        if state in changed:
            histogram = Counter(figures.histograms.get(state, {}))
            histogram.update(changed[state])
            stages.append(_stage(state, histogram))
        else:
            stages.append(figures.stages[state])
    return tuple(stages)


def began_before(since: KeptCounts, days: Mapping[str, int]) -> int:
    """How many ongoing stays began before their state's day (a date's ordinal; states not
    named are not counted): from the totals once per generation and days, plus the pending
    changes (summing every day of three years on each view cost 3 ms)."""
    key = tuple(sorted(days.items()))

    def from_totals() -> int:
        ongoing = worked_out(("ongoing", since.totals), lambda: ongoing_by_day(since.totals))
        return _count_before(ongoing, days)

    counted = worked_out(("began before", since.totals, key), from_totals)
    if since.changes:
        counted += _count_before(ongoing_by_day(since.changes), days)
    return counted


def _count_before(ongoing: Ongoing, days: Mapping[str, int]) -> int:
    return sum(
        count
        for state, day in days.items()
        for began, count in ongoing.get(state, {}).items()
        if began < day
    )


def ongoing_by_day(counts: Mapping[str, int]) -> Ongoing:
    """``since:<state>:<day>`` keys as state → day's ordinal → count."""
    ongoing: defaultdict[str, dict[int, int]] = defaultdict(dict)
    began: dict[str, int] = {}  # a day's ordinal, parsed once for all states
    for key, count in counts.items():
        state, _, day = key.removeprefix(SINCE_KEY).rpartition(":")
        if (ordinal := began.get(day)) is None:
            ordinal = began[day] = date.fromisoformat(day).toordinal()
        ongoing[state][ordinal] = ongoing[state].get(ordinal, 0) + count
    return dict(ongoing)


@dataclass(frozen=True)
class _Figures:
    """The totals' histograms per state and the time in stage they give."""

    histograms: dict[str, Counter[int]]
    stages: dict[State, StageTime]


def _figures(finished: Mapping[str, int], since: Mapping[str, int], today: int) -> _Figures:
    """The figures of these totals on ``today``, worked out once (the totals are the same
    objects while their generation holds, see ``kept``)."""

    def work_out() -> _Figures:
        histograms: defaultdict[str, Counter[int]] = defaultdict(Counter)
        _add_stays(histograms, finished)
        _add_ongoing(
            histograms, worked_out(("ongoing", since), lambda: ongoing_by_day(since)), today
        )
        stages = {state: _stage(state, histograms.get(state, Counter())) for state in STATES}
        return _Figures(dict(histograms), stages)

    return worked_out(("figures", finished, since, today), work_out)


def _add_stays(histograms: defaultdict[str, Counter[int]], counts: Mapping[str, int]) -> None:
    """Add ``stay:<state>:<days>`` counts to the histograms."""
    for key, count in counts.items():
        state, _, length = key.removeprefix(STAY_KEY).rpartition(":")
        histograms[state][int(length)] += count


def _add_ongoing(histograms: defaultdict[str, Counter[int]], ongoing: Ongoing, today: int) -> None:
    """Add the ongoing stays, by the day they began, as their length in days on ``today``."""
    for state, days in ongoing.items():
        histogram = histograms[state]
        for ordinal, count in days.items():
            histogram[max(today - ordinal, 0)] += count


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
