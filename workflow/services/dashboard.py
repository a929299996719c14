"""The manager dashboard: funnel, time in stage, stuck and overdue ideas, load, meetings, themes.

Every count is made by the database (``GROUP BY`` or conditional ``COUNT``), and so are the
medians and percentiles of the time in each stage (``dashboard_stays``), so the dashboard costs
the same few queries on a hundred ideas as on a hundred thousand and no row per idea or stay
comes into Python. The lists of stuck and overdue ideas are capped, and so are the owners,
meetings and themes shown (``SHOWN``); their totals are counted in full.

Days are measured on the UTC timeline (a stay of 24 hours is one day, whatever the clock change
does); "today", for follow-up dates, is the Danish date (``workflow.clock.local_today``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from itertools import pairwise
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    func,
    or_,
    select,
)

from workflow.clock import local_today, utcnow
from workflow.errors import Forbidden
from workflow.models import Idea, Meeting, Theme, User
from workflow.permissions import Actor
from workflow.repositories.idea_counts import (
    REACHED_KEY,
    SINCE_KEY,
    THEME_KEY,
    THEMED_KEY,
    KeptCounts,
    kept,
    kept_counts,
    kept_counts_of,
    state_counts,
)
from workflow.services import dashboard_stays as stays
from workflow.services.dashboard_figures import (
    FUNNEL_STAGES,
    LIMITED_STATES,
    LIST_CAP,
    OPEN_STATES,
    SECONDS_PER_DAY,
    SHOWN,
    Conversion,
    Dashboard,
    Funnel,
    MeetingIdeas,
    OverdueIdea,
    OwnerLoad,
    StageLimits,
    StageTime,
    StuckIdea,
    ThemeIdeas,
)
from workflow.services.dashboard_owners import OwnersLate, owner_load
from workflow.states import STATES, State
from workflow.uow import UnitOfWork

__all__ = [
    "FUNNEL_STAGES",
    "OPEN_STATES",
    "Dashboard",
    "StageLimits",
    "dashboard",
    "percentile",
]


def percentile(values: Iterable[float], fraction: float) -> float | None:
    """The ``fraction`` (0..1) percentile by linear interpolation between closest ranks.

    This is the "inclusive" definition (Hyndman & Fan type 7; numpy's default, Excel's
    PERCENTILE.INC, PostgreSQL's ``percentile_cont``): sort the n values, take the position
    p = (n - 1) * fraction counted from 0, and interpolate between the values at floor(p) and
    ceil(p). ``fraction`` 0.5 is the ordinary median. None when there are no values.
    """
    if not 0 <= fraction <= 1:
        raise ValueError("fraction must lie between 0 and 1")
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * fraction
    if math.isclose(position, round(position), abs_tol=1e-9):
        position = round(position)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def dashboard(
    uow: UnitOfWork,
    actor: Actor,
    now: datetime | None = None,
    limits: StageLimits | None = None,
    *,
    list_cap: int = LIST_CAP,
) -> Dashboard:
    """The manager dashboard as of ``now``; managers and admins only."""
    if not actor.manages:
        raise Forbidden("Only managers and admins see the dashboard.")
    now = now or utcnow()
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if list_cap < 0:
        raise ValueError("list_cap must not be negative")
    limits = limits or StageLimits()
    today = local_today(now)
    query = _Queries(uow, now, today, limits)
    stuck, stuck_total = query.stuck(list_cap)
    overdue, overdue_total = query.overdue(list_cap)
    owners, owner_total, unowned_open, inactive_owner_open = query.owner_load(SHOWN)
    meetings, meeting_total = query.meetings(SHOWN)
    themes, theme_total = query.themes(SHOWN)
    return Dashboard(
        generated_at=now,
        today=today,
        limits=limits,
        list_cap=list_cap,
        funnel=query.funnel(),
        time_in_stage=query.time_in_stage(),
        stuck=stuck,
        stuck_total=stuck_total,
        overdue=overdue,
        overdue_total=overdue_total,
        owners=owners,
        owner_total=owner_total,
        unowned_open=unowned_open,
        inactive_owner_open=inactive_owner_open,
        meetings=meetings,
        meeting_total=meeting_total,
        themes=themes,
        theme_total=theme_total,
    )


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """``COUNT(CASE WHEN condition THEN 1 END)``: how many rows of the group match."""
    return func.count(case((condition, 1)))


def _by_state_columns(states: tuple[State, ...]) -> list[ColumnElement[int]]:
    return [_count_if(Idea.state == state).label(f"n_{state}") for state in states]


class _Queries:
    """The dashboard's queries, sharing one session, one ``now`` and one set of limits."""

    def __init__(self, uow: UnitOfWork, now: datetime, today: date, limits: StageLimits) -> None:
        self.session = uow.session
        self.now = now
        self.today = today
        self.limits = limits
        self.dialect = self.session.get_bind().dialect.name
        self.is_open = Idea.state.in_(OPEN_STATES)
        self.is_overdue = and_(self.is_open, Idea.follow_up_on < today)
        self.is_stuck = or_(*(self._stuck_in(state) for state in LIMITED_STATES)).self_group()

    @cached_property
    def since(self) -> KeptCounts:
        """The kept counts of the ongoing stays by state and the UTC day they began."""
        return kept(self.session, SINCE_KEY)

    def _cutoff(self, state: State) -> datetime:
        return self.now - timedelta(days=self.limits.days_for(state))

    def _stuck_in(self, state: State) -> ColumnElement[bool]:
        # Strictly more than the limit: an idea exactly at its limit is not stuck yet.
        return and_(Idea.state == state, Idea.state_changed_at < self._cutoff(state))

    # -- 1. funnel -----------------------------------------------------------------------------

    def funnel(self) -> Funnel:
        found = state_counts(self.session)
        counts = {state: found.get(state, 0) for state in STATES}
        total = sum(counts.values())
        later = FUNNEL_STAGES[1:]
        arrived = kept_counts(self.session, REACHED_KEY)
        reached_later = [arrived.get(f"{REACHED_KEY}{state}", 0) for state in later]
        # Every idea starts in proposed, so every idea has reached it.
        reached = {FUNNEL_STAGES[0]: total, **dict(zip(later, reached_later, strict=True))}
        conversions = tuple(
            Conversion(
                from_state=source,
                to_state=dest,
                entered=reached[source],
                reached=reached[dest],
                rate=reached[dest] / reached[source] if reached[source] else None,
            )
            for source, dest in pairwise(FUNNEL_STAGES)
        )
        return Funnel(counts=counts, total=total, reached=reached, conversions=conversions)

    # -- 2. time in stage ----------------------------------------------------------------------

    def time_in_stage(self) -> tuple[StageTime, ...]:
        """Every stay, as ``pipeline`` measures it; the database computes the percentiles."""
        return stays.time_in_stage(self.session, self.now, self.since)

    # -- 3. stuck ideas ------------------------------------------------------------------------

    def stuck(self, cap: int) -> tuple[tuple[StuckIdea, ...], int]:
        total = self._stuck_total()
        candidates: list[tuple[float, StuckIdea]] = []
        for state in LIMITED_STATES:
            # Within one stage the longest stays are the furthest over: its first ``cap`` rows
            # by entry time hold every idea of that stage that can make the overall top ``cap``.
            query = (
                select(Idea.id, Idea.title, Idea.state, User.email, Idea.state_changed_at)
                .outerjoin(User, User.id == Idea.owner_id)
                .where(self._stuck_in(state))
                .order_by(Idea.state_changed_at, Idea.id)
                .limit(cap)
            )
            limit = self.limits.days_for(state)
            for idea_id, title, idea_state, owner, since in self.session.execute(query):
                days = (self.now - since).total_seconds() / SECONDS_PER_DAY
                over = days - limit
                idea = StuckIdea(
                    id=idea_id,
                    title=title,
                    state=idea_state,
                    owner=owner,
                    days_in_state=round(days, 1),
                    limit_days=limit,
                    days_over=round(over, 1),
                )
                candidates.append((over, idea))
        candidates.sort(key=lambda pair: (-pair[0], pair[1].id))
        return tuple(idea for _, idea in candidates[:cap]), total

    def _stuck_total(self) -> int:
        """The stuck ideas: the ongoing stays kept per day that began on a day before each
        stage's cutoff, and an index range of the ideas that began on the cutoff's own day."""
        cutoffs = {state: self._cutoff(state) for state in LIMITED_STATES}
        days = {state: cutoff.astimezone(UTC).date() for state, cutoff in cutoffs.items()}
        total = stays.began_before(self.since, {s: day.toordinal() for s, day in days.items()})
        that_day = [
            select(func.count())
            .where(
                Idea.state == state,
                Idea.state_changed_at >= datetime.combine(days[state], time(), tzinfo=UTC),
                Idea.state_changed_at < cutoff,
            )
            .scalar_subquery()
            for state, cutoff in cutoffs.items()
        ]
        return total + (self.session.scalar(select(sum(that_day[1:], that_day[0]))) or 0)

    # -- 4. overdue follow-ups -----------------------------------------------------------------

    def overdue(self, cap: int) -> tuple[tuple[OverdueIdea, ...], int]:
        total = self.session.scalar(select(func.count()).where(self.is_overdue)) or 0
        query = (
            select(Idea.id, Idea.title, Idea.state, User.email, Idea.follow_up_on)
            .outerjoin(User, User.id == Idea.owner_id)
            .where(self.is_overdue)
            .order_by(Idea.follow_up_on, Idea.id)
            .limit(cap)
        )
        items = tuple(
            OverdueIdea(
                id=idea_id,
                title=title,
                state=state,
                owner=owner,
                follow_up_on=follow_up_on,
                days_overdue=(self.today - follow_up_on).days,
            )
            for idea_id, title, state, owner, follow_up_on in self.session.execute(query)
            if follow_up_on is not None  # always: the query asks for a date before today
        )
        return items, total

    # -- 5. load per owner ---------------------------------------------------------------------

    def owner_load(self, shown: int) -> tuple[tuple[OwnerLoad, ...], int, int, int]:
        """The ``shown`` active owners with most open ideas, how many active users own ideas,
        and the open ideas without an owner or with a deactivated one."""
        late = OwnersLate(
            is_open=self.is_open,
            is_overdue=_count_if(self.is_overdue),
            is_stuck=_count_if(self.is_stuck),
        )
        return owner_load(self.session, shown, late)

    # -- 6. ideas per meeting ------------------------------------------------------------------

    def meetings(self, shown: int) -> tuple[tuple[MeetingIdeas, ...], int]:
        """The ``shown`` newest meetings (undated last) with their ideas by state, and how many
        meetings there are: only the shown meetings' ideas are counted."""
        newest = (
            select(Meeting.id, Meeting.title, Meeting.held_on)
            .order_by(Meeting.held_on.is_(None), Meeting.held_on.desc(), Meeting.id.desc())
            .limit(shown)
        )
        listed = self.session.execute(newest).all()
        total = self.session.scalar(select(func.count(Meeting.id))) or 0
        by_meeting = self._by_state(Idea.meeting_id, [row.id for row in listed])
        return tuple(
            MeetingIdeas(
                id=meeting_id,
                title=title,
                held_on=held_on,
                by_state=(counts := by_meeting.get(meeting_id, _no_ideas())),
                total=sum(counts.values()),
            )
            for meeting_id, title, held_on in listed
        ), total

    # -- 7. ideas per theme --------------------------------------------------------------------

    def themes(self, shown: int) -> tuple[tuple[ThemeIdeas, ...], int]:
        """The ``shown`` themes tagging most ideas (ties: by name) with those ideas by state,
        and how many themes tag an idea; from the kept counts per theme, not every link."""
        tagged = {
            int(key.removeprefix(THEME_KEY)): count
            for key, count in kept_counts(self.session, THEME_KEY).items()
            if count > 0
        }
        if not tagged or not shown:
            return (), len(tagged)
        # Names only for the themes that can be shown: those counting as many as the last one.
        least = sorted(tagged.values(), reverse=True)[:shown][-1]
        candidates = [theme_id for theme_id, count in tagged.items() if count >= least]
        names = self.session.execute(
            select(Theme.id, Theme.name).where(Theme.id.in_(candidates))
        ).all()
        listed = sorted(names, key=lambda row: (-tagged[row.id], row.name, row.id))[:shown]
        wanted = [f"{THEMED_KEY}{row.id}:{state}" for row in listed for state in STATES]
        by_theme: dict[int, dict[State, int]] = {}
        for key, count in kept_counts_of(self.session, wanted).items():
            theme_id, _, state = key.removeprefix(THEMED_KEY).rpartition(":")
            by_theme.setdefault(int(theme_id), _no_ideas())[State(state)] = count
        return tuple(
            ThemeIdeas(
                id=theme_id,
                name=name,
                by_state=by_theme.get(theme_id, _no_ideas()),
                total=tagged[theme_id],
            )
            for theme_id, name in listed
        ), len(tagged)

    def _by_state(self, key: Any, ids: list[int]) -> dict[int, dict[State, int]]:
        """Ideas by state for each of ``ids`` (meetings'), in one query."""
        if not ids:
            return {}
        query = select(key, Idea.state, func.count()).where(key.in_(ids)).group_by(key, Idea.state)
        found: dict[int, dict[State, int]] = {}
        for owner, state, count in self.session.execute(query):
            found.setdefault(owner, _no_ideas())[State(state)] = count
        return found


def _no_ideas() -> dict[State, int]:
    return dict.fromkeys(STATES, 0)
