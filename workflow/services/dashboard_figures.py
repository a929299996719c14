"""What the dashboard shows: the figures, as frozen dataclasses that also render as JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from workflow.states import OPEN_STATES, State

SECONDS_PER_DAY = 86_400
LIST_CAP = 50
"""How many stuck (and how many overdue) ideas the dashboard lists; the totals count them all."""
SHOWN = 12
"""How many owners, meetings and themes the dashboard shows; the totals count them all."""


__all__ = ["OPEN_STATES"]  # ideas still in play, as the state table says

LIMITED_STATES: tuple[State, ...] = (State.PROPOSED, State.ASSESSED, State.PILOTED)
"""The stages with a time limit (``StageLimits``); parked ideas have a revisit date instead."""
FUNNEL_STAGES: tuple[State, ...] = (State.PROPOSED, State.ASSESSED, State.PILOTED, State.SCALED)


@dataclass(frozen=True)
class StageLimits:
    """How many days an idea may stay in a stage before it counts as stuck."""

    proposed: int = 30
    assessed: int = 45
    piloted: int = 180

    def __post_init__(self) -> None:
        for state in LIMITED_STATES:
            days = getattr(self, state)
            if isinstance(days, bool) or not isinstance(days, int) or days < 0:
                raise ValueError(f"The limit for {state} must be a whole number of days (>= 0).")

    def days_for(self, state: State) -> int:
        """The limit of ``state`` (one of ``LIMITED_STATES``)."""
        if state not in LIMITED_STATES:
            raise ValueError(f"{state} has no time limit.")
        days: int = getattr(self, state)
        return days


@dataclass(frozen=True)
class Conversion:
    """Of the ideas that ever reached ``from_state``, how many went on to reach ``to_state``."""

    from_state: str
    to_state: str
    entered: int  # ideas that ever reached from_state
    reached: int  # of those, ideas that ever reached to_state
    rate: float | None  # reached / entered (0..1); None when entered is 0


@dataclass(frozen=True)
class Funnel:
    """Where the ideas are now and how far they ever got."""

    counts: dict[State, int]  # every state (all seven, in STATES order): ideas in it now
    total: int  # every idea
    reached: dict[State, int]  # per FUNNEL_STAGES: ideas that ever reached it (from history)
    conversions: tuple[Conversion, ...]  # proposed→assessed, assessed→piloted, piloted→scaled


@dataclass(frozen=True)
class StageTime:
    """How long stays in one state last, finished stays and ongoing ones alike, in days."""

    state: str
    stays: int  # how many stays were measured
    median_days: float | None  # rounded to 0.1 day; None without stays
    p90_days: float | None  # the 90th percentile (see ``percentile``); None without stays


@dataclass(frozen=True)
class StuckIdea:
    """An idea that has stayed in its stage longer than the stage's limit."""

    id: int
    title: str
    state: str
    owner: str | None  # the owner's email
    days_in_state: float  # rounded to 0.1 day
    limit_days: int
    days_over: float  # days_in_state - limit_days, rounded to 0.1 day


@dataclass(frozen=True)
class OverdueIdea:
    """An idea still in play whose follow-up date has passed."""

    id: int
    title: str
    state: str
    owner: str | None  # the owner's email
    follow_up_on: date
    days_overdue: int  # whole Danish calendar days since follow_up_on (1 = it was yesterday)


@dataclass(frozen=True)
class OwnerLoad:
    """What one active user owns and what of it needs attention."""

    email: str
    name: str
    open_by_state: dict[State, int]  # per OPEN_STATES
    open_total: int
    overdue: int  # open ideas with a follow-up date before today
    stuck: int  # ideas over their stage's limit


@dataclass(frozen=True)
class MeetingIdeas:
    """What became of one meeting's ideas."""

    id: int
    title: str
    held_on: date | None
    by_state: dict[State, int]  # every state (all seven)
    total: int


@dataclass(frozen=True)
class ThemeIdeas:
    """The ideas tagged with one theme, by state."""

    id: int
    name: str
    by_state: dict[State, int]  # every state (all seven)
    total: int


@dataclass(frozen=True)
class Dashboard:
    """Everything the manager dashboard shows, as of ``generated_at``."""

    generated_at: datetime
    today: date  # the Danish date at generated_at; follow-ups before it are overdue
    limits: StageLimits
    list_cap: int
    funnel: Funnel
    time_in_stage: tuple[StageTime, ...]  # one per state, in STATES order
    stuck: tuple[StuckIdea, ...]  # most days over the limit first (ties: lowest id), capped
    stuck_total: int
    overdue: tuple[OverdueIdea, ...]  # most days overdue first (ties: lowest id), capped
    overdue_total: int
    owners: tuple[OwnerLoad, ...]  # most open ideas first (ties: by email), at most SHOWN
    owner_total: int  # active users owning an idea
    unowned_open: int  # open ideas without an owner
    inactive_owner_open: int  # open ideas whose owner is deactivated (not in ``owners``)
    meetings: tuple[MeetingIdeas, ...]  # newest first, undated last, at most SHOWN
    meeting_total: int  # every meeting
    themes: tuple[ThemeIdeas, ...]  # most ideas first (ties: by name), at most SHOWN
    theme_total: int  # themes tagging an idea
