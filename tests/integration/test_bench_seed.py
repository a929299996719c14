"""The seed's data hold together: every idea's history replays to its state, versions, records,
followers and reminders agree, and the app keeps working on a seeded database."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bench.seed import main, seed
from workflow.db import Database
from workflow.models import (
    Assessment,
    Evaluation,
    HistoryEntry,
    Idea,
    IdeaFollower,
    MeetingParticipant,
    Notification,
    PilotPlan,
    Reminder,
    User,
)
from workflow.models.ideas import revisit_on
from workflow.permissions import Actor, Role
from workflow.services import followups
from workflow.services.ideas import create_idea
from workflow.states import OPEN_STATES, State, replay
from workflow.uow import UnitOfWork

NOW = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)
RECORDS = {"assess": Assessment, "start_pilot": PilotPlan, "scale": Evaluation}


def _per_idea(session: Any, model: Any) -> Counter[int]:
    rows = session.execute(select(model.idea_id, func.count()).group_by(model.idea_id))
    return Counter(dict(rows.all()))


def _follow_up(steps: list[HistoryEntry]) -> Any:
    """What parking leaves: the revisit date of the last park unless a reopen dropped it, or
    closing the idea (scaled, rejected, merged) cleared it."""
    if steps and steps[-1].to_state in ("scaled", "rejected", "merged"):
        return None
    since_reopen = [e for e in steps if e.trigger == "reopen"][-1:]
    later = steps[steps.index(since_reopen[0]) + 1 :] if since_reopen else steps
    return revisit_on(later)


def test_seeded_ideas_are_consistent(database: Database, uow: Callable[[], UnitOfWork]) -> None:
    url = database.engine.url.render_as_string(hide_password=False)
    counts = seed(url, 300, 12, aged=True, now=NOW)
    assert sum(counts.values()) == 300
    assert set(counts) == {state.value for state in State} and all(counts.values()), counts

    with database.session_factory() as session:
        ideas = {idea.id: idea for idea in session.scalars(select(Idea))}
        assert Counter(idea.state.value for idea in ideas.values()) == counts
        history: dict[int, list[HistoryEntry]] = defaultdict(list)
        for entry in session.scalars(select(HistoryEntry).order_by(HistoryEntry.id)):
            history[entry.idea_id].append(entry)
        merged_into = Counter(idea.merged_into_id for idea in ideas.values() if idea.merged_into_id)
        records = {trigger: _per_idea(session, model) for trigger, model in RECORDS.items()}
        plans = {p.idea_id: p for p in session.scalars(select(PilotPlan).order_by(PilotPlan.id))}
        for idea in ideas.values():
            steps = history[idea.id]
            assert replay((e.trigger, e.from_state, e.to_state) for e in steps) == idea.state
            # A merge moves the version of the idea merged into, as the transition does.
            assert idea.version == 1 + len(steps) + merged_into[idea.id], idea.id
            fired = Counter(entry.trigger for entry in steps)
            for trigger, per_idea in records.items():
                assert per_idea[idea.id] == fired[trigger], (idea.id, trigger)
            moments = [idea.created_at, *(entry.at for entry in steps)]
            assert moments == sorted(moments)
            assert idea.state_changed_at == moments[-1]
            if idea.state == State.MERGED:
                assert ideas[idea.merged_into_id].state != State.MERGED  # type: ignore[index]
            else:
                assert idea.merged_into_id is None
            assert idea.follow_up_on == _follow_up(steps), idea.id
            if idea.state in (State.PILOTED, State.SCALED):
                assert idea.owner_id == plans[idea.id].owner_id
            if idea.state != State.PROPOSED:
                assert idea.owner_id is not None

        # Followers are participants of the idea's meeting; reminders go to owners of open or
        # formerly open ideas and each has its notification.
        followers = session.execute(
            select(IdeaFollower.contact_id, Idea.meeting_id).join(Idea)
        ).all()
        present = {
            (row[0], row[1])
            for row in session.execute(
                select(MeetingParticipant.contact_id, MeetingParticipant.meeting_id)
            )
        }
        assert followers and all((row[0], row[1]) in present for row in followers)
        reminders = session.scalars(select(Reminder)).all()
        assert reminders
        notified = set(session.scalars(select(Notification.id)))
        assert all(reminder.notification_id in notified for reminder in reminders)
        kinds = {reminder.occasion.split(":")[0] for reminder in reminders}
        assert kinds == {"untouched", "unassessed", "follow_up", "pilot_ended"}
        assert any(ideas[r.idea_id].state in OPEN_STATES for r in reminders)
        roles = set(session.scalars(select(User.role)))
        assert roles == {"admin", "manager", "owner", "viewer"}
        manager = session.scalars(select(User).where(User.role == "manager").limit(1)).one()

    # A second run adds to what is there, and the app writes after it (ids and sequences moved).
    seed(url, 20, 2)
    with uow() as work:
        actor = Actor(manager.id, manager.email, manager.name, Role(manager.role))
        created = create_idea(work, actor, {"title": "Flere bænke langs åen"})
    with database.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Idea)) == 321
        assert created.id == session.scalar(select(func.max(Idea.id)))


def _rows(url: str) -> list[Any]:
    database = Database(url)
    try:
        with database.session_factory() as session:
            ideas = session.execute(select(Idea.title, Idea.state, Idea.owner_id, Idea.created_at))
            steps = session.execute(
                select(HistoryEntry.trigger, HistoryEntry.at, HistoryEntry.data)
            )
            return [*ideas.all(), *steps.all()]
    finally:
        database.dispose()


def test_the_same_seed_gives_the_same_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    urls = [f"sqlite:///{tmp_path / name}.db" for name in ("first", "second", "other")]
    for url, number in zip(urls, (7, 7, 8), strict=True):
        monkeypatch.setenv("IDEAFLOW_DATABASE_URL", url)
        argv = ["--ideas", "60", "--meetings", "3", "--aged", "--seed", str(number)]
        assert main([*argv, "--now", "2026-11-30T11:00"]) == 0
    first, second, other = (_rows(url) for url in urls)
    assert first == second
    assert first != other


def test_an_aged_database_has_sent_what_was_due(tmp_path: Path) -> None:
    """Three years of sweeps leave nothing for the next one but the odd reminder (an aged seed
    that left reminders unsent had every benchmark start with a backlog: ideas touched again
    by a merge were left without the reminders of their new occasion, 600 at 100,000 ideas)."""
    url = f"sqlite:///{tmp_path / 'aged.db'}"
    seed(url, 1_000, 40, aged=True, now=NOW)
    database = Database(url)
    try:
        with database.unit_of_work() as work:
            open_ideas = work.session.scalar(
                select(func.count()).where(Idea.state.in_(OPEN_STATES), Idea.owner_id.is_not(None))
            )
            due = followups.plan_followups(work, NOW)
    finally:
        database.dispose()
    assert open_ideas and len(due) <= open_ideas * 0.001, Counter(
        (item.occasion.kind, item.number) for item in due
    )
