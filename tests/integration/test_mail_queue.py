"""The database is the one mail queue: a refused email waits on its row and the sweep sends it
when due (the tasks never retry), sweeps hand over the ids their services return, and every try
leaves a trail: log fields and rows that ``ideaflow notifications trace`` prints."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from tasks.celery_app import IdeaflowCelery, create_celery
from tasks.names import DELIVER_NOTIFICATIONS, FOLLOWUPS, SWEEP
from tests.integration.test_notifications import ASSESS, follow, new_idea, relay, send
from tests.mailsink import MailSink
from web.cli_notifications import notifications_group
from workflow.clock import utcnow
from workflow.models import DeliveryAttempt, Notification
from workflow.permissions import Actor
from workflow.services import delivery, transitions
from workflow.settings import Settings
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
Queued = list[tuple[str, Any]]


@pytest.fixture
def manager(make_user: Callable[..., Actor]) -> Actor:
    return make_user("manager")


@pytest.fixture
def celery_app(database_url: str, tmp_path: Path, smtp_sink: MailSink) -> Iterator[IdeaflowCelery]:
    settings = Settings(env="test", instance_path=tmp_path / "instance",
                        database_url=database_url, secret_key="test-secret",
                        base_url="http://ideaflow.test", smtp_url=smtp_sink.url)  # fmt: skip
    app = create_celery(settings, set_as_current=False)
    app.loader.import_default_modules()  # the task modules, as a worker loads them
    yield app
    app.database.dispose()
    app.delivery_database.dispose()


@pytest.fixture
def queued(celery_app: IdeaflowCelery, monkeypatch: pytest.MonkeyPatch) -> Queued:
    """What the tasks hand to the broker, with every option (a countdown would show here)."""
    sent: Queued = []

    def send_task(name: str, args: Any = None, **options: Any) -> None:
        sent.append((name, args, options))

    monkeypatch.setattr(celery_app, "send_task", send_task)
    return sent


def one_email(uow: UowFactory, manager: Actor) -> int:
    idea_id = new_idea(uow, manager)
    follow(uow, manager, idea_id, "anne@langaa.dk")
    with uow() as unit:
        transitions.fire_trigger(unit, manager, idea_id, "assess", data=ASSESS)
    (notification_id,) = relay(uow)
    return notification_id


def test_a_refused_email_waits_on_its_row_and_the_sweep_sends_it_once_due(
    uow: UowFactory, manager: Actor, smtp_sink: MailSink, celery_app: IdeaflowCelery,
    queued: Queued,
) -> None:  # fmt: skip
    notification_id = one_email(uow, manager)
    smtp_sink.refuse = ["451 4.3.0 Try again later"]
    counts = celery_app.tasks[DELIVER_NOTIFICATIONS]([notification_id])
    assert counts == {"held": 1}
    assert queued == []  # no retry task, no countdown: the row holds the retry
    with uow() as unit:
        row = unit.session.get(Notification, notification_id)
        assert row is not None and row.lease_until is not None
        assert (row.status, row.attempts, row.smtp_reply) == (
            "pending",
            1,
            "451 4.3.0 Try again later",
        )
    celery_app.tasks[SWEEP]()
    assert queued == []  # the hold has not passed
    with uow() as unit:  # as if the 30 s had passed
        unit.session.execute(
            update(Notification).values(lease_until=utcnow() - timedelta(seconds=1))
        )
        unit.commit()
    celery_app.tasks[SWEEP]()
    assert queued == [(DELIVER_NOTIFICATIONS, [[notification_id]], {})]
    assert celery_app.tasks[DELIVER_NOTIFICATIONS]([notification_id]) == {"sent": 1}
    with uow() as unit:
        tries = unit.session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.number))
        assert [(t.number, t.outcome, t.smtp_reply) for t in tries] == [
            (1, "held", "451 4.3.0 Try again later"), (2, "sent", "250 Message accepted")
        ]  # fmt: skip
    assert len(smtp_sink.messages) == 1


@dataclass(frozen=True)
class FakeRun:
    notification_ids: tuple[int, ...]


def test_a_sweep_queues_the_ids_its_service_returned(
    celery_app: IdeaflowCelery, queued: Queued, monkeypatch: pytest.MonkeyPatch
) -> None:
    import workflow.services.followups as followups

    monkeypatch.setattr(followups, "run_followups", lambda *_, **__: FakeRun((7, 8)))
    assert celery_app.tasks[FOLLOWUPS]() == 2
    assert queued == [(DELIVER_NOTIFICATIONS, [[7, 8]], {})]


def test_each_step_logs_the_outbox_and_notification_ids_and_the_servers_answer(
    uow: UowFactory, manager: Actor, smtp_sink: MailSink, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="workflow")
    notification_id = one_email(uow, manager)
    smtp_sink.refuse = ["421 4.7.0 Busy"]
    with pytest.raises(delivery.RetryLater):
        send(uow, notification_id, smtp_sink)
    send(uow, notification_id, smtp_sink, now=utcnow() + timedelta(minutes=5))
    trail = [
        (r.event, getattr(r, "attempt", None), getattr(r, "smtp_reply", None))
        for r in caplog.records
        if getattr(r, "notification_id", None) == notification_id
    ]
    assert trail == [
        ("notification.created", None, None),
        ("notification.held", 1, "421 4.7.0 Busy"),
        ("notification.sent", 2, "250 Message accepted"),
    ]
    # Every step of this email names the outbox row it came from (the new idea's own row is
    # relayed too, to tell a new owner, and logs its id without a notification).
    outbox_ids = {
        getattr(r, "outbox_id", None)
        for r in caplog.records
        if getattr(r, "notification_id", None) == notification_id
    }
    with uow() as unit:
        row = unit.session.get(Notification, notification_id)
        assert row is not None and outbox_ids == {row.outbox_id}


def test_the_trace_prints_the_whole_path(
    app: Flask, uow: UowFactory, manager: Actor, smtp_sink: MailSink
) -> None:
    notification_id = one_email(uow, manager)
    with uow() as unit:  # a worker took the lease and died mid-send
        unit.session.execute(
            update(Notification).values(attempts=1, lease_until=utcnow() - timedelta(seconds=1))
        )
        unit.commit()
    smtp_sink.refuse = ["451 4.3.0 Try again later"]
    with pytest.raises(delivery.RetryLater):
        send(uow, notification_id, smtp_sink)
    send(uow, notification_id, smtp_sink, now=utcnow() + timedelta(minutes=5))

    result = app.test_cli_runner().invoke(notifications_group, ["trace", str(notification_id)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"Email {notification_id} to Anne Sørensen <anne@langaa.dk>")
    steps = [line[21:] for line in lines[2:]]
    assert steps[0].startswith("outbox event ") and "idea.transitioned" in steps[0]
    assert "trigger assess" in steps[0]
    assert steps[1:3] == ["relayed", "created, idea_update"]
    assert steps[3].startswith("try 2: refused for now; held until ")
    assert steps[3].endswith(" - 451 4.3.0 Try again later")
    assert steps[4] == "try 3: sent - 250 Message accepted"
    assert steps[5] == "try 1: no outcome recorded (its worker stopped mid-send)"
    assert steps[6] == "status: sent - 250 Message accepted"
    missing = app.test_cli_runner().invoke(notifications_group, ["trace", "999999"])
    assert missing.exit_code == 1 and "No email has this id." in missing.output
