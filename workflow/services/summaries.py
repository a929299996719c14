"""The weekly summary to managers: new ideas nobody owns, overdue follow-ups and stuck ideas.

Each manager gets one per ISO week (Danish calendar): the dedupe key
``weekly_summary:<YYYY-Www>:<manager id>`` makes a second one impossible, so the sweep may try
as often as it runs. The figures use the dashboard's definitions (``OPEN_STATES``,
``StageLimits``; overdue means a follow-up date before today) and indexed, capped queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError

from workflow.clock import local_today, utcnow
from workflow.models import Idea, Notification, User
from workflow.notifications.compose import render
from workflow.notifications.links import Links
from workflow.services.dashboard_figures import (
    LIMITED_STATES,
    OPEN_STATES,
    SECONDS_PER_DAY,
    StageLimits,
)
from workflow.services.followups import active_managers
from workflow.services.notifications import add_notification
from workflow.uow import UnitOfWork

SUMMARY_CAP = 15  # ideas listed per section; the totals count them all
NEW_IDEAS_DAYS = 7


@dataclass(frozen=True)
class SummaryIdea:
    """One idea as the summary lists it."""

    id: int
    title: str
    state: str
    owner: str | None  # the owner's name
    on: date | None = None  # overdue: the follow-up date
    days: int | None = None  # overdue: days past the date; stuck: days in the stage
    limit_days: int | None = None  # stuck: the stage's limit


@dataclass(frozen=True)
class WeeklyFigures:
    """What the summary says, the same for every manager."""

    week: str  # e.g. 2026-W48
    since: datetime  # new ideas are those created after this
    new_unowned: tuple[SummaryIdea, ...]
    new_unowned_total: int
    unowned_open_total: int
    overdue: tuple[SummaryIdea, ...]  # longest overdue first
    overdue_total: int
    stuck: tuple[SummaryIdea, ...]  # longest over the limit first
    stuck_total: int


@dataclass(frozen=True)
class SummaryReport:
    """The summaries one run queued (none when every manager had this week's already)."""

    week: str
    queued: tuple[tuple[str, int], ...] = ()  # (manager's email, notification id)

    @property
    def notification_ids(self) -> tuple[int, ...]:
        """The ids of the queued emails."""
        return tuple(notification_id for _, notification_id in self.queued)

    def __str__(self) -> str:
        return f"{len(self.queued)} weekly summaries queued for {self.week}"


def iso_week(day: date) -> str:
    """``day``'s ISO week, e.g. ``2026-W48``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def run_weekly_summary(
    uow: UnitOfWork,
    links: Links,
    now: datetime | None = None,
    limits: StageLimits | None = None,
    *,
    cap: int = SUMMARY_CAP,
) -> SummaryReport:
    """Queue this week's summary for every active manager who has not had it yet."""
    now = now or utcnow()
    week = iso_week(local_today(now))
    managers = active_managers(uow)
    keys = {manager.id: f"weekly_summary:{week}:{manager.id}" for manager in managers}
    done = set(
        uow.session.scalars(
            select(Notification.dedupe_key).where(Notification.dedupe_key.in_(keys.values()))
        )
    )
    waiting = [manager for manager in managers if keys[manager.id] not in done]
    if not waiting:
        return SummaryReport(week)
    figures = weekly_figures(uow, now, limits or StageLimits(), cap)
    queued = []
    for manager in waiting:
        rendered = render(
            "weekly_summary",
            manager.language or "da",
            recipient_name=manager.name,
            figures=figures,
            week_number=int(week.rsplit("W", 1)[1]),
            links={
                "dashboard_url": f"{links.base_url}/dashboard",
                "idea_urls": {
                    idea.id: links.idea_url(idea.id)
                    for idea in (*figures.new_unowned, *figures.overdue, *figures.stuck)
                },
            },
        )
        try:
            notification = add_notification(
                uow, links, rendered, kind="weekly_summary", dedupe_key=keys[manager.id],
                now=now, user=manager, payload={"week": week},
            )  # fmt: skip
            uow.commit()
        except IntegrityError:
            uow.rollback()  # another sweep queued it a moment ago
            continue
        if notification is not None:
            queued.append((manager.email, notification.id))
    return SummaryReport(week, tuple(queued))


def weekly_figures(
    uow: UnitOfWork, now: datetime, limits: StageLimits, cap: int = SUMMARY_CAP
) -> WeeklyFigures:
    """The summary's figures as of ``now``."""
    session = uow.session
    today = local_today(now)
    since = now - timedelta(days=NEW_IDEAS_DAYS)
    is_open = Idea.state.in_(OPEN_STATES)

    def count(*conditions: ColumnElement[bool]) -> int:
        return session.scalar(select(func.count()).select_from(Idea).where(*conditions)) or 0

    # A new idea entered its state after it was created, so the index on
    # (state, state_changed_at) finds the new ones.
    new_unowned = (
        is_open,
        Idea.owner_id.is_(None),
        Idea.state_changed_at >= since,
        Idea.created_at >= since,
    )
    new_rows = session.execute(
        select(Idea.id, Idea.title, Idea.state)
        .where(*new_unowned)
        .order_by(Idea.created_at.desc(), Idea.id.desc())
        .limit(cap)
    )
    overdue = (is_open, Idea.follow_up_on < today)
    overdue_rows = session.execute(
        select(Idea.id, Idea.title, Idea.state, User.name, Idea.follow_up_on)
        .outerjoin(User, User.id == Idea.owner_id)
        .where(*overdue)
        .order_by(Idea.follow_up_on, Idea.id)
        .limit(cap)
    )
    stuck, stuck_total = _stuck(uow, now, limits, cap)
    return WeeklyFigures(
        week=iso_week(today),
        since=since,
        new_unowned=tuple(SummaryIdea(i, title, state, None) for i, title, state in new_rows),
        new_unowned_total=count(*new_unowned),
        unowned_open_total=count(is_open, Idea.owner_id.is_(None)),
        overdue=tuple(
            SummaryIdea(i, title, state, owner, on, (today - on).days)
            for i, title, state, owner, on in overdue_rows
            if on is not None  # always: the query asks for a date before today
        ),
        overdue_total=count(*overdue),
        stuck=stuck,
        stuck_total=stuck_total,
    )


def _stuck(
    uow: UnitOfWork, now: datetime, limits: StageLimits, cap: int
) -> tuple[tuple[SummaryIdea, ...], int]:
    """Ideas longer in their stage than its limit (strictly), most days over first."""
    candidates: list[tuple[float, SummaryIdea]] = []
    total = 0
    for state in LIMITED_STATES:
        limit = limits.days_for(state)
        condition = (Idea.state == state, Idea.state_changed_at < now - timedelta(days=limit))
        total += uow.session.scalar(select(func.count()).select_from(Idea).where(*condition)) or 0
        rows = uow.session.execute(
            select(Idea.id, Idea.title, User.name, Idea.state_changed_at)
            .outerjoin(User, User.id == Idea.owner_id)
            .where(*condition)
            .order_by(Idea.state_changed_at, Idea.id)
            .limit(cap)
        )
        for idea_id, title, owner, since in rows:
            days = (now - since).total_seconds() / SECONDS_PER_DAY
            idea = SummaryIdea(idea_id, title, state, owner, None, int(days), limit)
            candidates.append((days - limit, idea))
    candidates.sort(key=lambda pair: (-pair[0], pair[1].id))
    return tuple(idea for _, idea in candidates[:cap]), total
