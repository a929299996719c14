"""The outbox relay and delivery, on SQLite and PostgreSQL, to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.mailsink import MailSink
from workflow.clock import utcnow
from workflow.events import IdeaUpdated
from workflow.models import Contact, Notification, OutboxMessage, Suppression, Unsubscription
from workflow.notifications.links import Links
from workflow.notifications.tokens import read_unsubscribe_token
from workflow.notifications.transport import FileTransport, SmtpTransport
from workflow.permissions import Actor
from workflow.services import collaboration, delivery, ideas, imports, notifications, transitions
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
LINKS = Links("https://ideer.randers.dk", "test-secret")
SENDER = "Randers Kommune <ideer@randers.dk>"
ASSESS = {"impact": 4, "feasibility": 3, "cost": 2, "summary": "Bred opbakning"}
SECOND = timedelta(seconds=1)
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "interessentmoede-2025-06-12.txt"


def follow(
    uow: UowFactory, actor: Actor, idea_id: int, email: str, delivery_: str = "immediate"
) -> int:
    with uow() as unit:
        follower = collaboration.add_follower(
            unit, actor, idea_id, name="Anne Sørensen", email=email
        )
        contact = unit.session.get(Contact, follower.contact_id)
        assert contact is not None
        contact.delivery = delivery_
        unit.commit()
        return follower.contact_id


def relay(uow: UowFactory) -> list[int]:
    with uow() as unit:
        return notifications.relay_outbox(unit, LINKS)


def send(uow: UowFactory, notification_id: int, sink: MailSink, now: datetime | None = None) -> str:
    with uow() as unit:
        return delivery.deliver(unit, notification_id, SmtpTransport(sink.url), links=LINKS,
                                sender=SENDER, now=now)  # fmt: skip


@pytest.fixture
def manager(make_user: Callable[..., Actor]) -> Actor:
    return make_user("manager")


def new_idea(uow: UowFactory, actor: Actor) -> int:
    with uow() as unit:
        return ideas.create_idea(unit, actor, {"title": "Natbus fra Langå"}).id


def test_a_transition_reaches_a_follower_exactly_once_with_one_click_headers(
    uow: UowFactory, manager: Actor, smtp_sink: MailSink
) -> None:
    idea_id = new_idea(uow, manager)
    contact_id = follow(uow, manager, idea_id, "anne@langaa.dk")
    with uow() as unit:
        transitions.fire_trigger(unit, manager, idea_id, "assess", data=ASSESS)
    ready = relay(uow)
    assert len(ready) == 1 and relay(uow) == []  # a second relay finds nothing new
    assert send(uow, ready[0], smtp_sink) == "sent"
    assert send(uow, ready[0], smtp_sink) == "sent"  # delivering again sends nothing
    (message,) = smtp_sink.to("anne@langaa.dk")
    assert "Natbus fra Langå" in message["Subject"] and "Vurderet" in message["Subject"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message["List-Unsubscribe"].strip().strip("<>")
    assert url.startswith("https://ideer.randers.dk/unsubscribe/")
    assert read_unsubscribe_token("test-secret", url.rsplit("/", 1)[1]) == (
        contact_id,
        "idea_updates",
    )
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Bred opbakning" in text and "Bred opbakning" in html
    assert "https://ideer.randers.dk/status/" in text
    assert f"{url}?idea={idea_id}" in text and f"{url}?idea={idea_id}" in html  # stop this one
    with uow() as unit:
        stored = unit.session.get(Notification, ready[0])
        assert stored is not None and stored.message_id == message["Message-ID"]


def test_participants_who_opted_in_hear_too_but_not_after_unsubscribing(
    uow: UowFactory, manager: Actor
) -> None:
    from tests.importer import documents

    with uow() as unit:
        result = imports.import_minutes(unit, manager, "trafik.docx", documents.as_docx())
    idea_id = result.ideas[0].id
    assert idea_id is not None
    with uow() as unit:
        contacts = {c.email: c for c in unit.session.scalars(select(Contact))}
        contacts["anne@langaa-borger.dk"].delivery = "immediate"
        unit.session.add(Unsubscription(contact_id=contacts["jens.aero@randers.dk"].id,
                                        list_name="idea_updates"))  # fmt: skip
        unit.commit()
    relay(uow)  # the import's own events
    with uow() as unit:
        transitions.fire_trigger(unit, manager, idea_id, "reject", reason="Ingen midler")
    relay(uow)
    with uow() as unit:
        sent_to = unit.session.execute(
            select(Notification.recipient_email, Notification.status).where(
                Notification.kind == "idea_update"
            )
        ).all()
    # Anne: immediate; Jens unsubscribed; Sofie has no email address.
    assert sent_to == [("anne@langaa-borger.dk", "pending")]


def test_daily_and_weekly_contacts_wait_for_their_digest(uow: UowFactory, manager: Actor) -> None:
    idea_id = new_idea(uow, manager)
    follow(uow, manager, idea_id, "daglig@randers.dk", "daily")
    with uow() as unit:
        transitions.fire_trigger(unit, manager, idea_id, "assess", data=ASSESS)
    assert relay(uow) == []
    with uow() as unit:
        status = unit.session.scalar(select(Notification.status))
    assert status == "waiting_digest"


def test_a_rolled_back_change_notifies_nobody(uow: UowFactory, manager: Actor) -> None:
    idea_id = new_idea(uow, manager)
    follow(uow, manager, idea_id, "anne@langaa.dk")
    relay(uow)
    with uow() as unit:
        before = unit.session.scalar(select(func.count(OutboxMessage.id)))
        idea = unit.ideas.get(idea_id)
        assert idea is not None
        idea.title = "Ændret, men aldrig gemt"
        unit.publish(IdeaUpdated(idea_id, changes={"title": idea.title}, actor_id=manager.id))
        unit.flush()
        unit.rollback()
    with uow() as unit:
        assert unit.session.scalar(select(func.count(OutboxMessage.id))) == before
    assert relay(uow) == []


def test_a_temporary_refusal_is_retried_and_keeps_its_message_id(
    uow: UowFactory, manager: Actor, smtp_sink: MailSink
) -> None:
    idea_id = new_idea(uow, manager)
    follow(uow, manager, idea_id, "anne@langaa.dk")
    with uow() as unit:
        transitions.fire_trigger(unit, manager, idea_id, "assess", data=ASSESS)
    (notification_id,) = relay(uow)
    smtp_sink.refuse = ["451 4.3.0 Try again later"]
    with pytest.raises(delivery.RetryLater) as caught:
        send(uow, notification_id, smtp_sink)
    assert caught.value.attempts == 1
    retry_at = caught.value.retry_at
    assert 30 <= (retry_at - utcnow()).total_seconds() <= 36  # 30 s and up to 20 % jitter
    # Held until then: neither a copy of the task nor the sweep tries it early.
    assert send(uow, notification_id, smtp_sink, now=retry_at - timedelta(seconds=1)) == "busy"
    with uow() as unit:
        # The database owns the retry: the sweep finds it due as soon as the hold has passed.
        assert notification_id not in notifications.due_for_sending(unit, now=retry_at - SECOND)
        assert notification_id in notifications.due_for_sending(unit, now=retry_at + SECOND)
    assert send(uow, notification_id, smtp_sink, now=retry_at + SECOND) == "sent"
    with uow() as unit:
        stored = unit.session.get(Notification, notification_id)
        assert stored is not None and (stored.attempts, stored.last_error) == (2, None)
        assert [m["Message-ID"] for m in smtp_sink.messages] == [stored.message_id]


def test_five_temporary_refusals_give_up(
    uow: UowFactory, manager: Actor, smtp_sink: MailSink
) -> None:
    idea_id = new_idea(uow, manager)
    follow(uow, manager, idea_id, "anne@langaa.dk")
    with uow() as unit:
        transitions.fire_trigger(unit, manager, idea_id, "assess", data=ASSESS)
    (notification_id,) = relay(uow)
    smtp_sink.refuse = ["421 4.7.0 Busy"] * 5
    now = utcnow()
    waits = []
    for _ in range(4):
        with pytest.raises(delivery.RetryLater) as caught:
            send(uow, notification_id, smtp_sink, now=now)
        waits.append((caught.value.retry_at - now).total_seconds())
        now = caught.value.retry_at + SECOND
    assert send(uow, notification_id, smtp_sink, now=now) == "failed"
    for wait, base in zip(waits, [30, 60, 120, 240], strict=True):
        assert base <= wait <= base * 1.2  # doubling, with up to 20 % jitter
    assert smtp_sink.messages == []


def test_a_permanent_refusal_is_recorded_and_suppresses_the_address(
    uow: UowFactory, manager: Actor, smtp_sink: MailSink
) -> None:
    idea_id = new_idea(uow, manager)
    follow(uow, manager, idea_id, "ukendt@langaa.dk")
    with uow() as unit:
        transitions.fire_trigger(unit, manager, idea_id, "assess", data=ASSESS)
    (first,) = relay(uow)
    smtp_sink.refuse = ["550 5.1.1 No such user"]
    assert send(uow, first, smtp_sink) == "failed"
    with uow() as unit:
        stored = unit.session.get(Notification, first)
        assert stored is not None and stored.last_error == "550 5.1.1 No such user"
        assert unit.session.get(Suppression, "ukendt@langaa.dk") is not None
        transitions.fire_trigger(unit, manager, idea_id, "reject", reason="Nej")
    (second,) = relay(uow)
    assert send(uow, second, smtp_sink) == "suppressed"
    assert smtp_sink.messages == []


def test_without_smtp_messages_are_written_as_eml_files(
    uow: UowFactory, manager: Actor, tmp_path: Path
) -> None:
    idea_id = new_idea(uow, manager)
    follow(uow, manager, idea_id, "anne@langaa.dk")
    with uow() as unit:
        transitions.fire_trigger(unit, manager, idea_id, "assess", data=ASSESS)
    (notification_id,) = relay(uow)
    with uow() as unit:
        status = delivery.deliver(unit, notification_id, FileTransport(tmp_path), links=LINKS,
                                  sender=SENDER)  # fmt: skip
    assert status == "sent"
    (eml,) = tmp_path.glob("*.eml")
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in eml.read_bytes()


def test_an_outbox_folder_that_cannot_be_written_keeps_the_email_pending_with_its_error(
    uow: UowFactory, manager: Actor, tmp_path: Path
) -> None:
    idea_id = new_idea(uow, manager)
    follow(uow, manager, idea_id, "anne@langaa.dk")
    with uow() as unit:
        transitions.fire_trigger(unit, manager, idea_id, "assess", data=ASSESS)
    (notification_id,) = relay(uow)
    folder = tmp_path / "outbox"
    folder.write_text("not a folder")  # the disk is full, unmounted, or the path is taken

    def deliver(now: datetime | None = None) -> str:
        with uow() as unit:
            return delivery.deliver(unit, notification_id, FileTransport(folder), links=LINKS,
                                    sender=SENDER, now=now)  # fmt: skip

    with pytest.raises(delivery.RetryLater) as caught:
        deliver()
    with uow() as unit:
        row = unit.session.get(Notification, notification_id)
        assert row is not None
        assert (row.status, row.attempts, row.sent_at) == ("pending", 1, None)
        assert row.last_error is not None and "FileExistsError" in row.last_error
    folder.unlink()  # repaired
    assert deliver(now=caught.value.retry_at + SECOND) == "sent"
    assert len(list(folder.glob("*.eml"))) == 1


def test_managers_hear_when_minutes_are_imported(uow: UowFactory, manager: Actor) -> None:
    with uow() as unit:
        imports.import_minutes(unit, None, SAMPLE.name, SAMPLE.read_bytes())
    ready = relay(uow)
    with uow() as unit:
        notices = unit.session.execute(
            select(Notification.id, Notification.recipient_email, Notification.subject).where(
                Notification.kind == "import_notice"
            )
        ).all()
    assert [(n.id, n.recipient_email) for n in notices] == [(ready[0], manager.email)]
    assert "21" in notices[0].subject
