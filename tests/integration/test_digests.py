"""Daily and weekly digests to stakeholders, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tests.mailsink import MailSink
from workflow.clock import local_today, utcnow
from workflow.models import Contact, Notification, Unsubscription
from workflow.notifications.links import Links
from workflow.notifications.tokens import read_unsubscribe_token
from workflow.notifications.transport import SmtpTransport
from workflow.permissions import Actor
from workflow.services import collaboration, delivery, ideas, notifications, transitions
from workflow.services.digests import DigestReport, period_key, run_digests
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
LINKS = Links("https://ideer.randers.dk", "test-secret")
ASSESS = {"impact": 4, "feasibility": 3, "cost": 2, "summary": "Bred opbakning"}


@pytest.fixture
def manager(make_user: Callable[..., Actor]) -> Actor:
    return make_user("manager")


def new_idea(uow: UowFactory, actor: Actor, title: str) -> int:
    with uow() as unit:
        return ideas.create_idea(unit, actor, {"title": title}).id


def follow(uow: UowFactory, actor: Actor, idea_id: int, email: str, delivery_: str) -> int:
    with uow() as unit:
        follower = collaboration.add_follower(unit, actor, idea_id, name="Anne", email=email)
        contact = unit.session.get(Contact, follower.contact_id)
        assert contact is not None
        contact.delivery = delivery_
        unit.commit()
        return follower.contact_id


def fire(uow: UowFactory, actor: Actor, idea_id: int, trigger: str, **kwargs: object) -> None:
    with uow() as unit:
        transitions.fire_trigger(unit, actor, idea_id, trigger, **kwargs)  # type: ignore[arg-type]
    with uow() as unit:
        notifications.relay_outbox(unit, LINKS)


def digest_run(uow: UowFactory, period: str, now: datetime | None = None) -> DigestReport:
    with uow() as unit:
        return run_digests(unit, LINKS, now or utcnow(), period)


def stored(uow: UowFactory, **where: object) -> list[Notification]:
    with uow() as unit:
        query = select(Notification).filter_by(**where).order_by(Notification.id)
        found = list(unit.session.scalars(query))
        unit.session.expunge_all()
        return found


@pytest.fixture
def two_ideas(uow: UowFactory, manager: Actor) -> tuple[int, int]:
    """Two ideas, both followed by a daily contact, one by a weekly one, with updates waiting."""
    bus = new_idea(uow, manager, "Natbus fra Langå")
    bench = new_idea(uow, manager, "Bænke ved stien")
    follow(uow, manager, bus, "daglig@randers.dk", "daily")
    follow(uow, manager, bench, "daglig@randers.dk", "daily")
    follow(uow, manager, bus, "ugentlig@randers.dk", "weekly")
    fire(uow, manager, bench, "assess", data=ASSESS)
    fire(uow, manager, bus, "assess", data=ASSESS)
    fire(uow, manager, bus, "reject", reason="Ingen midler i år")
    return bus, bench


def test_a_daily_digest_batches_the_updates_into_one_email_grouped_by_idea(
    uow: UowFactory, two_ideas: tuple[int, int], smtp_sink: MailSink
) -> None:
    report = digest_run(uow, "daily")
    assert [(d.recipient, d.updates, d.ideas) for d in report.queued] == [
        ("daglig@randers.dk", 3, 2)
    ]
    (digest,) = stored(uow, kind="digest")
    assert digest.dedupe_key == f"digest:{period_key('daily', utcnow())}:{digest.contact_id}"
    assert digest.list_name == "idea_updates" and digest.status == "pending"
    items = stored(uow, recipient_email="daglig@randers.dk", kind="idea_update")
    assert {(i.status, i.digest_id) for i in items} == {("digested", digest.id)}
    assert digest.subject == "Daglig opdatering: 3 ændringer i de idéer, du følger"
    text = digest.body_text
    # Grouped by idea, the idea with the newest update first, newest first within it.
    assert text.index("Natbus fra Langå") < text.index("Bænke ved stien")
    assert text.index("Afvist") < text.index("Vurderet") < text.index("Bænke ved stien")
    assert "Ingen midler i år" in text and "Bred opbakning" in text
    assert text.count("https://ideer.randers.dk/status/") == 2
    assert "Ingen midler i år" in digest.body_html
    with uow() as unit:
        status = delivery.deliver(unit, digest.id, SmtpTransport(smtp_sink.url), links=LINKS,
                                  sender="ideer@randers.dk")  # fmt: skip
    assert status == "sent"
    (message,) = smtp_sink.to("daglig@randers.dk")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = message["List-Unsubscribe"].strip("<>").rsplit("/", 1)[1]
    assert read_unsubscribe_token("test-secret", token) == (digest.contact_id, "idea_updates")


def test_at_most_one_digest_per_period_later_updates_wait_for_the_next(
    uow: UowFactory, manager: Actor, two_ideas: tuple[int, int]
) -> None:
    bus, _ = two_ideas
    now = utcnow()
    if local_today(now + timedelta(minutes=5)) != local_today(now):  # just before local midnight
        now += timedelta(minutes=10)  # keep "five minutes later" in the same day
    assert len(digest_run(uow, "daily", now).queued) == 1
    assert digest_run(uow, "daily", now).queued == ()
    fire(uow, manager, bus, "reopen", reason="Nye midler")
    later = digest_run(uow, "daily", now + timedelta(minutes=5))
    assert (later.queued, later.waiting) == ((), 1)
    tomorrow = digest_run(uow, "daily", now + timedelta(days=1))
    assert [(d.recipient, d.updates) for d in tomorrow.queued] == [("daglig@randers.dk", 1)]
    assert len(stored(uow, kind="digest")) == 2


def test_weekly_contacts_wait_for_the_weekly_digest(
    uow: UowFactory, two_ideas: tuple[int, int]
) -> None:
    digest_run(uow, "daily")
    waiting = stored(uow, recipient_email="ugentlig@randers.dk", kind="idea_update")
    assert {item.status for item in waiting} == {"waiting_digest"}
    report = digest_run(uow, "weekly")
    assert [(d.recipient, d.updates, d.ideas) for d in report.queued] == [
        ("ugentlig@randers.dk", 2, 1)
    ]
    (weekly,) = stored(uow, kind="digest", recipient_email="ugentlig@randers.dk")
    assert weekly.subject.startswith("Ugentlig opdatering: 2 ændringer")
    assert digest_run(uow, "weekly").queued == ()


def test_a_contact_who_unsubscribed_meanwhile_gets_nothing(
    uow: UowFactory, two_ideas: tuple[int, int]
) -> None:
    with uow() as unit:
        contact = unit.session.scalar(select(Contact).filter_by(email="daglig@randers.dk"))
        assert contact is not None
        unit.session.add(Unsubscription(contact_id=contact.id, list_name="idea_updates"))
        unit.commit()
    report = digest_run(uow, "daily")
    assert (report.queued, report.suppressed) == ((), 3)
    items = stored(uow, recipient_email="daglig@randers.dk")
    assert {item.status for item in items} == {"suppressed"}


def test_two_runs_at_once_make_one_digest(uow: UowFactory, two_ideas: tuple[int, int]) -> None:
    now = utcnow()
    start = threading.Barrier(2)
    reports: list[DigestReport] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            reports.append(digest_run(uow, "daily", now))
        except BaseException as error:  # re-raised below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(len(report.queued) for report in reports) == 1
    (digest,) = stored(uow, kind="digest")
    items = stored(uow, recipient_email="daglig@randers.dk", kind="idea_update")
    assert {(i.status, i.digest_id) for i in items} == {("digested", digest.id)}
