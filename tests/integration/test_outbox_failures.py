"""An event whose mail cannot be made is never marked done: it waits with its error, is retried
with backoff, alerts the admins after three failures, and goes out once the cause is repaired."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from workflow.clock import utcnow
from workflow.errors import Forbidden, NotFound
from workflow.models import Notification, OutboxMessage
from workflow.notifications.links import Links
from workflow.permissions import Actor
from workflow.services import collaboration, ideas, notifications, outbox, transitions
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
LINKS = Links("https://ideer.randers.dk", "test-secret")
ASSESS = {"impact": 4, "feasibility": 3, "cost": 2, "summary": "Bred opbakning"}


class Breakdown:
    """Makes the stakeholder lookup fail until repaired."""

    def __init__(self) -> None:
        self.broken = True

    def repair(self) -> None:
        self.broken = False


@pytest.fixture
def breakdown(monkeypatch: pytest.MonkeyPatch) -> Breakdown:
    state = Breakdown()
    real = notifications.stakeholders_of

    def lookup(uow: UnitOfWork, idea: object) -> object:
        if state.broken:
            raise RuntimeError("the contact directory is unreachable")
        return real(uow, idea)  # type: ignore[arg-type]

    monkeypatch.setattr(notifications, "stakeholders_of", lookup)
    return state


def relay(uow: UowFactory, now: datetime) -> list[int]:
    with uow() as unit:
        return notifications.relay_outbox(unit, LINKS, now=now)


def the_event(uow: UowFactory) -> OutboxMessage:
    with uow() as unit:
        row = unit.session.scalars(
            select(OutboxMessage).where(OutboxMessage.event_type == "idea.transitioned")
        ).one()
        unit.session.expunge(row)
        return row


def mail(uow: UowFactory, kind: str) -> list[Notification]:
    with uow() as unit:
        rows = list(unit.session.scalars(select(Notification).where(Notification.kind == kind)))
        unit.session.expunge_all()
        return rows


@pytest.fixture
def assessed_idea(uow: UowFactory, make_user: Callable[..., Actor]) -> int:
    manager = make_user("manager")
    with uow() as unit:
        idea_id = ideas.create_idea(unit, manager, {"title": "Natbus fra Langå"}).id
    with uow() as unit:
        collaboration.add_follower(
            unit, manager, idea_id, name="Anne", email="anne@langaa.dk", delivery="immediate"
        )
    with uow() as unit:
        transitions.fire_trigger(unit, manager, idea_id, "assess", data=ASSESS)
    return idea_id


def test_a_failing_fan_out_leaves_the_event_pending_with_its_error_and_a_later_try(
    uow: UowFactory, assessed_idea: int, breakdown: Breakdown
) -> None:
    now = utcnow()
    assert relay(uow, now) == []
    event = the_event(uow)
    assert event.dispatched_at is None
    assert event.attempts == 1
    assert event.error == "RuntimeError: the contact directory is unreachable"
    assert event.next_attempt_at is not None
    assert now + timedelta(seconds=30) <= event.next_attempt_at <= now + timedelta(seconds=36)
    assert mail(uow, "idea_update") == []

    assert relay(uow, now + timedelta(seconds=10)) == []  # not due yet: not even tried
    assert the_event(uow).attempts == 1
    with uow() as unit:
        assert not notifications.has_due_events(unit, now + timedelta(seconds=10))

    breakdown.repair()
    later = event.next_attempt_at + timedelta(seconds=1)
    ready = relay(uow, later)
    (update,) = mail(uow, "idea_update")
    assert ready == [update.id] and update.recipient_email == "anne@langaa.dk"
    assert the_event(uow).dispatched_at == later


def test_the_wait_doubles_up_to_an_hour() -> None:
    waits = [outbox.retry_wait(attempts, jitter=0.0) for attempts in range(1, 12)]
    assert waits[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert waits[-1] == timedelta(hours=1) and waits == sorted(waits)
    assert outbox.retry_wait(1, jitter=0.999) < timedelta(seconds=36)


def test_admins_hear_once_after_the_third_failure(
    uow: UowFactory,
    assessed_idea: int,
    breakdown: Breakdown,
    make_user: Callable[..., Actor],
) -> None:
    admin = make_user("admin")
    make_user("admin", email="retired@randers.dk")
    with uow() as unit:
        retired = unit.users.by_email("retired@randers.dk")
        assert retired is not None
        retired.active = False
        unit.commit()
    now = utcnow()
    for attempt in range(1, 6):
        relay(uow, now)
        event = the_event(uow)
        assert event.attempts == attempt
        alerts = mail(uow, "outbox_alert")
        assert len(alerts) == (0 if attempt < outbox.ALERT_AFTER else 1)
        assert event.next_attempt_at is not None
        now = event.next_attempt_at + timedelta(seconds=1)
    (alert,) = mail(uow, "outbox_alert")
    assert alert.recipient_email == admin.email and alert.status == "pending"
    assert f"hændelse {event.id}" in alert.subject
    assert "the contact directory is unreachable" in alert.body_text
    assert "https://ideer.randers.dk/admin/notifications" in alert.body_text


def test_admins_retry_a_failing_event_at_once(
    uow: UowFactory, assessed_idea: int, breakdown: Breakdown, make_user: Callable[..., Actor]
) -> None:
    admin, manager = make_user("admin"), make_user("manager")
    now = utcnow()
    relay(uow, now)
    event = the_event(uow)
    with uow() as unit:
        (failing,) = outbox.failing_events(unit, manager)
        assert (failing.id, failing.attempts) == (event.id, 1)
        assert failing.error is not None and "unreachable" in failing.error
    with uow() as unit, pytest.raises(Forbidden):
        outbox.retry_now(unit, manager, event.id)
    with uow() as unit, pytest.raises(NotFound):
        outbox.retry_now(unit, admin, event.id + 1000)
    breakdown.repair()
    with uow() as unit:
        assert outbox.retry_now(unit, admin, event.id, now=now) == 1
    assert len(relay(uow, now)) == 1
    with uow() as unit:
        assert outbox.failing_events(unit, manager) == []
        assert outbox.retry_now(unit, None) == 0


def test_one_failing_event_does_not_hold_up_the_others(
    uow: UowFactory, make_user: Callable[..., Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    manager = make_user("manager")
    idea_ids = []
    for title in ("Natbus", "Cykelsti", "Lektiecafé"):
        with uow() as unit:
            idea_id = ideas.create_idea(unit, manager, {"title": title}).id
        with uow() as unit:
            collaboration.add_follower(
                unit, manager, idea_id, name="A", email=f"{title}@x.dk", delivery="immediate"
            )
        with uow() as unit:
            transitions.fire_trigger(unit, manager, idea_id, "assess", data=ASSESS)
        idea_ids.append(idea_id)
    real = notifications.stakeholders_of

    def lookup(uow: UnitOfWork, idea: object) -> object:
        if getattr(idea, "id", None) == idea_ids[1]:
            raise LookupError("bad row")
        return real(uow, idea)  # type: ignore[arg-type]

    monkeypatch.setattr(notifications, "stakeholders_of", lookup)
    assert len(relay(uow, utcnow())) == 2
    with uow() as unit:
        waiting = unit.session.scalars(
            select(OutboxMessage.aggregate_id).where(OutboxMessage.dispatched_at.is_(None))
        ).all()
    assert waiting == [idea_ids[1]]
