"""Admins see the changes that could not be turned into email, with the error, and try them
again from the notification page or with ``ideaflow outbox retry``."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select, update

from tests.web.conftest import Web
from web.cli_outbox import outbox_group
from workflow.models import Notification, OutboxMessage
from workflow.notifications.links import Links
from workflow.permissions import Actor
from workflow.services import collaboration, ideas, notifications, transitions
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
LINKS = Links("http://ideaflow.test", "test-secret")
ASSESS = {"impact": 4, "feasibility": 3, "cost": 2, "summary": "Bred opbakning"}


@pytest.fixture
def failing_event(
    uow: UowFactory, make_user: Callable[..., Actor], monkeypatch: pytest.MonkeyPatch
) -> int:
    """An assessed idea whose follower lookup failed once: the event waits with its error."""
    manager = make_user("manager")
    with uow() as unit:
        idea_id = ideas.create_idea(unit, manager, {"title": "Natbus"}).id
    with uow() as unit:
        collaboration.add_follower(unit, manager, idea_id, name="Anne", email="anne@langaa.dk",
                                   delivery="immediate")  # fmt: skip
    with uow() as unit:
        transitions.fire_trigger(unit, manager, idea_id, "assess", data=ASSESS)
    with monkeypatch.context() as patch:

        def broken(*_: object) -> object:
            raise RuntimeError("kontaktregistret svarer ikke")

        patch.setattr(notifications, "stakeholders_of", broken)
        with uow() as unit:
            notifications.relay_outbox(unit, LINKS)
    with uow() as unit:
        return unit.session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.event_type == "idea.transitioned")
        ).one()


def event_row(uow: UowFactory, outbox_id: int) -> OutboxMessage:
    with uow() as unit:
        row = unit.session.get(OutboxMessage, outbox_id)
        assert row is not None
        unit.session.expunge(row)
        return row


def test_admins_see_the_error_and_retry_managers_only_see(
    web: Web,
    client_factory: Callable[[], Web],
    make_user: Callable[..., Actor],
    uow: UowFactory,
    failing_event: int,
) -> None:
    manager_web = client_factory()
    manager_web.login(make_user("manager"))
    page = manager_web.text("/admin/notifications")
    assert "kontaktregistret svarer ikke" in page and "Try again now" not in page
    assert manager_web.post(f"/admin/outbox/{failing_event}/retry").status_code == 403
    assert manager_web.post("/admin/outbox/retry").status_code == 403

    web.login(make_user("admin"))
    page = web.text("/admin/notifications")
    assert "1 change could not be turned into email" in page
    assert "kontaktregistret svarer ikke" in page and "Try again now" in page
    before = event_row(uow, failing_event).next_attempt_at
    response = web.post(f"/admin/outbox/{failing_event}/retry")
    assert response.status_code == 302 and response.headers["Location"].endswith("#failing")
    after = event_row(uow, failing_event).next_attempt_at
    assert before is not None and after is not None and after < before
    assert web.post("/admin/outbox/999999/retry").status_code == 302  # says it is not waiting
    danish = web.get("/admin/notifications", headers={"Accept-Language": "da"})
    assert "ikke blevet til en mail" in danish.get_data(as_text=True)


def test_the_command_retries_and_reports_what_still_fails(
    app: Flask, uow: UowFactory, failing_event: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = app.test_cli_runner()
    listed = runner.invoke(outbox_group, ["list"])
    assert listed.exit_code == 0 and "kontaktregistret svarer ikke" in listed.output

    def broken(*_: object) -> object:
        raise RuntimeError("stadig nede")

    with monkeypatch.context() as patch:
        patch.setattr(notifications, "stakeholders_of", broken)
        still = runner.invoke(outbox_group, ["retry"])
    assert still.exit_code == 1 and "stadig nede" in still.output
    assert event_row(uow, failing_event).attempts == 2

    fixed = runner.invoke(outbox_group, ["retry", "--id", str(failing_event), "--send"])
    assert fixed.exit_code == 0, fixed.output
    assert "1 email(s) made" in fixed.output
    assert event_row(uow, failing_event).dispatched_at is not None
    with uow() as unit:
        (mail,) = unit.session.scalars(select(Notification)).all()
        assert (mail.recipient_email, mail.status) == ("anne@langaa.dk", "sent")
    assert runner.invoke(outbox_group, ["list"]).output.startswith("No event is waiting")
    missing = runner.invoke(outbox_group, ["retry", "--id", str(failing_event)])
    assert missing.exit_code == 1 and "No failing outbox event" in missing.output


def test_admins_send_failed_emails_again_after_an_outage(
    web: Web,
    client_factory: Callable[[], Web],
    app: Flask,
    make_user: Callable[..., Actor],
    uow: UowFactory,
) -> None:
    manager = make_user("manager")
    with uow() as unit:
        idea_id = ideas.create_idea(unit, manager, {"title": "Natbus"}).id
    with uow() as unit:
        for n in range(3):
            collaboration.add_follower(unit, manager, idea_id, name="A", email=f"a{n}@x.dk",
                                       delivery="immediate")  # fmt: skip
    with uow() as unit:
        transitions.fire_trigger(unit, manager, idea_id, "assess", data=ASSESS)
    with uow() as unit:
        made = notifications.relay_outbox(unit, LINKS)
        unit.session.execute(
            update(Notification).values(status="failed", attempts=5, last_error="421 down")
        )
        unit.commit()
    manager_web = client_factory()
    manager_web.login(manager)
    assert "Send the 3 failed emails again" not in manager_web.text("/admin/notifications")
    assert manager_web.post("/admin/notifications/resend").status_code == 403

    web.login(make_user("admin"))
    assert "Send the 3 failed emails again" in web.text("/admin/notifications")
    one = web.post("/admin/notifications/resend", {"id": str(made[0])})
    assert one.status_code == 302
    assert [n.status for n in all_mail(uow)] == ["pending", "failed", "failed"]
    assert all_mail(uow)[0].attempts == 0
    assert web.post("/admin/notifications/resend", {"id": "99999999"}).status_code == 302
    result = app.test_cli_runner().invoke(outbox_group, ["resend-failed", "--send"])
    assert result.exit_code == 0 and "2 failed email(s) are pending again" in result.output
    statuses = [n.status for n in all_mail(uow)]
    assert statuses[0] == "pending" and statuses[1:] == ["sent", "sent"]


def all_mail(uow: UowFactory) -> list[Notification]:
    with uow() as unit:
        rows = list(unit.session.scalars(select(Notification).order_by(Notification.id)))
        unit.session.expunge_all()
        return rows
