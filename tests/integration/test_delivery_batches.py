"""A batch of notifications goes out over one SMTP connection, its outcomes recorded together."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from email.message import EmailMessage, Message
from pathlib import Path

import pytest
from sqlalchemy import event, select, text

from tasks.celery_app import create_celery
from tests.integration.test_notifications import ASSESS, LINKS, SENDER, follow, new_idea, relay
from tests.mailsink import MailSink, free_port, running_sink
from workflow.models import Notification, Suppression
from workflow.notifications.transport import Send, SmtpTransport
from workflow.permissions import Actor
from workflow.services import delivery, transitions
from workflow.settings import Settings
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
SENDING = delivery.Sending(LINKS, SENDER)
MISSING = 999_999


@pytest.fixture
def manager(make_user: Callable[..., Actor]) -> Actor:
    return make_user("manager")


def four_waiting(uow: UowFactory, manager: Actor) -> dict[str, int]:
    """Four followers' notifications about one assessment, by address."""
    idea_id = new_idea(uow, manager)
    for name in ("anne", "bo", "carl", "dorte"):
        follow(uow, manager, idea_id, f"{name}@langaa.dk")
    with uow() as unit:
        transitions.fire_trigger(unit, manager, idea_id, "assess", data=ASSESS)
    ready = relay(uow)
    with uow() as unit:
        rows = unit.session.execute(
            select(Notification.recipient_email, Notification.id).where(Notification.id.in_(ready))
        )
        return {email.split("@")[0]: notification_id for email, notification_id in rows}


def stored(uow: UowFactory, notification_id: int) -> tuple[str, int, str | None, bool]:
    with uow() as unit:
        row = unit.session.get(Notification, notification_id)
        assert row is not None
        return row.status, row.attempts, row.last_error, row.lease_until is None


def test_one_connection_carries_the_batch_and_each_outcome_is_its_own(
    uow: UowFactory, manager: Actor, smtp_sink: MailSink
) -> None:
    ids = four_waiting(uow, manager)
    with uow() as unit:  # Carl's address bounced before; Anne's mail went out already
        unit.session.add(Suppression(email="carl@langaa.dk", reason="550 unknown"))
        unit.commit()
    with uow() as unit:
        transport = SmtpTransport(smtp_sink.url)
        assert delivery.deliver(unit, ids["anne"], transport, links=LINKS, sender=SENDER) == "sent"
    smtp_sink.messages.clear()
    smtp_sink.peers.clear()
    smtp_sink.refuse = ["451 4.3.0 Try again later"]  # for the first message of the batch: Bo's
    batch = [ids["anne"], ids["bo"], ids["carl"], MISSING, ids["dorte"]]

    with uow() as unit:
        outcomes = delivery.deliver_many(unit, batch, SmtpTransport(smtp_sink.url), SENDING)

    retry = outcomes.pop(ids["bo"])
    assert isinstance(retry, delivery.RetryLater) and retry.attempts == 1
    assert outcomes == {ids["anne"]: "sent", ids["carl"]: "suppressed", MISSING: "missing",
                        ids["dorte"]: "sent"}  # fmt: skip
    assert len(smtp_sink.peers) == 2 and len(set(smtp_sink.peers)) == 1  # Bo's try and Dorte's
    (message,) = smtp_sink.messages
    assert "dorte@langaa.dk" in message["To"]
    assert message["Content-Language"] == "da"
    assert stored(uow, ids["bo"]) == ("pending", 1, "451 4.3.0 Try again later", False)  # held
    assert stored(uow, ids["carl"])[:2] == ("suppressed", 1)
    assert stored(uow, ids["dorte"]) == ("sent", 1, None, True)
    due = retry.retry_at + timedelta(seconds=1)
    with uow() as unit:  # the retry, when due, sends Bo's message with its own Message-ID
        assert delivery.deliver(unit, ids["bo"], SmtpTransport(smtp_sink.url), links=LINKS,
                                sender=SENDER, now=due) == "sent"  # fmt: skip
        bo = unit.session.get(Notification, ids["bo"])
        assert bo is not None and smtp_sink.messages[-1]["Message-ID"] == bo.message_id


def test_a_batch_that_ran_long_hands_the_rest_back_untried(
    uow: UowFactory, manager: Actor, smtp_sink: MailSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = sorted(four_waiting(uow, manager).values())
    monkeypatch.setattr(delivery, "BATCH_SHARE", 0.0)  # out of time before the first

    with uow() as unit:
        outcomes = delivery.deliver_many(unit, ids, SmtpTransport(smtp_sink.url), SENDING)

    assert outcomes == dict.fromkeys(ids, delivery.UNSENT)
    assert smtp_sink.messages == []
    assert [stored(uow, i) for i in ids] == [("pending", 0, None, True)] * 4  # as before
    monkeypatch.undo()
    with uow() as unit:
        outcomes = delivery.deliver_many(unit, ids, SmtpTransport(smtp_sink.url), SENDING)
    assert outcomes == dict.fromkeys(ids, "sent")
    assert len(smtp_sink.messages) == 4


def test_the_connection_is_opened_again_when_the_server_dropped_it() -> None:
    port = free_port()
    transport = SmtpTransport(f"smtp://127.0.0.1:{port}")
    with transport.session() as send:
        with running_sink(port) as before:
            send(_message("anne@langaa.dk"))
        # The server went away (a restart, an idle timeout) while the session kept its connection.
        with running_sink(port) as after:
            send(_message("bo@langaa.dk"))
            send(_message("carl@langaa.dk"))
    assert [str(m["To"]) for m in before.messages] == ["anne@langaa.dk"]
    assert [str(m["To"]) for m in after.messages] == ["bo@langaa.dk", "carl@langaa.dk"]
    assert len(set(after.peers)) == 1


def _message(to: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = SENDER, to, "Hej"
    message.set_content("Hej")
    return message


def test_a_batch_takes_its_leases_in_one_commit_and_records_its_outcomes_in_one_more(
    uow: UowFactory, manager: Actor, smtp_sink: MailSink
) -> None:
    ids = sorted(four_waiting(uow, manager).values())
    commits: list[int] = []
    with uow() as unit:
        engine = unit.session.get_bind()
        counting = lambda *_: commits.append(1)  # noqa: E731
        event.listen(engine, "commit", counting)
        try:
            outcomes = delivery.deliver_many(unit, ids, SmtpTransport(smtp_sink.url), SENDING)
        finally:
            event.remove(engine, "commit", counting)
    assert outcomes == dict.fromkeys(ids, "sent")
    assert len(commits) == 2
    assert [stored(uow, i) for i in ids] == [("sent", 1, None, True)] * 4


class Breaking:
    """SMTP that hands over ``good`` messages, then fails as no SMTP error does (a bug, a kill)."""

    def __init__(self, url: str, good: int) -> None:
        self.smtp, self.good = SmtpTransport(url), good

    def send(self, message: Message) -> str | None:
        raise NotImplementedError

    @contextmanager
    def session(self) -> Iterator[Send]:
        with self.smtp.session() as send:

            def breaking(message: Message) -> str | None:
                if self.good == 0:
                    raise RuntimeError("the worker stops here")
                self.good -= 1
                return send(message)

            yield breaking


def test_what_a_batch_sent_is_recorded_when_it_stops_halfway(
    uow: UowFactory, manager: Actor, smtp_sink: MailSink
) -> None:
    ids = sorted(four_waiting(uow, manager).values())
    with uow() as unit, pytest.raises(RuntimeError):
        delivery.deliver_many(unit, ids, Breaking(smtp_sink.url, good=2), SENDING)
    assert len(smtp_sink.messages) == 2
    assert [stored(uow, i) for i in ids[:2]] == [("sent", 1, None, True)] * 2
    # The rest keep their lease: the sweep sends them once it has run out, as after a crash.
    assert [stored(uow, i) for i in ids[2:]] == [("pending", 1, None, False)] * 2


def test_the_worker_records_deliveries_durably(
    migrated_postgres_url: str,
) -> None:
    settings = Settings(
        env="test",
        instance_path=Path("/nonexistent"),
        database_url=migrated_postgres_url,
        secret_key="s",
        base_url="http://ideaflow.test",
    )
    app = create_celery(settings, set_as_current=False)
    show = text("SHOW synchronous_commit")
    try:
        with app.database.engine.connect() as durable:
            assert durable.execute(show).scalar() == "on"  # notifications and everything else
        with app.delivery_database.engine.connect() as bookkeeping:
            # A batch's outcomes are on disk once written: a database crash repeats only the
            # messages sent since the batch's last write.
            assert bookkeeping.execute(show).scalar() == "on"
    finally:
        app.database.dispose()
        app.delivery_database.dispose()
