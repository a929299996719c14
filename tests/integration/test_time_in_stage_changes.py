"""Time in stage and the stays that began before a day, worked out once per generation with the
pending changes applied, equal working them out from the merged counts, through any writes and
folds."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select, update

from tests.conftest import Database, empty
from workflow.models import Idea
from workflow.repositories.idea_counts import SINCE_KEY, STAY_KEY, kept, kept_counts
from workflow.services import dashboard_stays, idea_counts
from workflow.states import STATES
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
START = datetime(2026, 1, 1, 9, tzinfo=UTC)

step = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(STATES), st.integers(0, 300)),
    st.tuples(st.just("move"), st.sampled_from(STATES), st.integers(0, 300)),
    st.tuples(st.just("fold"), st.just(STATES[0]), st.just(0)),
    st.tuples(st.just("read"), st.just(STATES[0]), st.integers(300, 400)),
)


def _from_merged(unit: UnitOfWork, now: datetime) -> tuple[object, ...]:
    """The figures worked out from scratch from the merged counts."""
    histograms: defaultdict[str, Counter[int]] = defaultdict(Counter)
    for key, count in kept_counts(unit.session, STAY_KEY).items():
        state, _, length = key.removeprefix(STAY_KEY).rpartition(":")
        histograms[state][int(length)] += count
    today = now.date()
    for key, count in kept_counts(unit.session, SINCE_KEY).items():
        state, _, day = key.removeprefix(SINCE_KEY).rpartition(":")
        histograms[state][max((today - date.fromisoformat(day)).days, 0)] += count
    return tuple(dashboard_stays._stage(s, histograms.get(s, Counter())) for s in STATES)


def _began_before_merged(unit: UnitOfWork, days: dict[str, int]) -> int:
    """The stays that began before their state's day, counted from the merged counts."""
    counted = 0
    for key, count in kept_counts(unit.session, SINCE_KEY).items():
        state, _, day = key.removeprefix(SINCE_KEY).rpartition(":")
        if state in days and date.fromisoformat(day).toordinal() < days[state]:
            counted += count
    return counted


def _cutoffs(at: datetime) -> dict[str, int]:
    """A day per state (not every state), differing from state to state."""
    return {
        state: (at - timedelta(days=30 * n)).date().toordinal()
        for n, state in enumerate(STATES[:4])
    }


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(step, min_size=1, max_size=20))
def test_figures_with_pending_changes_equal_the_merged_counts(
    uow: UowFactory, database: Database, steps: list[tuple[str, str, int]]
) -> None:
    empty(database)
    with uow() as unit:  # a generation, so that the totals are copied and the figures kept
        idea_counts.new_generation(unit)
        unit.commit()
    for kind, state, day in steps:
        at = START + timedelta(days=day, hours=day % 7)
        with uow() as unit:
            session = unit.session
            if kind == "add":
                row = {"title": "Idé", "state": state, "version": 1, "state_changed_at": at}
                session.execute(insert(Idea).values(created_at=START, **row))
            elif kind == "move":
                ids = list(session.scalars(select(Idea.id).order_by(Idea.id)))
                if ids:
                    moved = update(Idea).where(Idea.id == ids[day % len(ids)])
                    session.execute(moved.values(state=state, state_changed_at=at))
            elif kind == "fold":
                idea_counts.fold_counts(unit)
            unit.commit()
            if kind == "read":
                assert dashboard_stays.time_in_stage(session, at) == _from_merged(unit, at)
                since = kept(session, SINCE_KEY)
                began = dashboard_stays.began_before(since, _cutoffs(at))
                assert began == _began_before_merged(unit, _cutoffs(at))
    now = START + timedelta(days=365)
    with uow() as unit:
        assert dashboard_stays.time_in_stage(unit.session, now) == _from_merged(unit, now)
        since = kept(unit.session, SINCE_KEY)
        began = dashboard_stays.began_before(since, _cutoffs(now))
        assert began == _began_before_merged(unit, _cutoffs(now))
