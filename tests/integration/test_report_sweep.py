"""The report sweep on SQLite and PostgreSQL: once per participant and due date, catch-up
reports, who receives them, and unsubscribing per list.

Time runs forward by passing ``now``: each sweep runs at 06:30 Danish time, as beat runs it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from email.message import EmailMessage

import pytest
from sqlalchemy import func, select

from tests.integration import report_scenario as scenario
from tests.integration.report_scenario import Person, add_participants, sweep_time
from tests.threads import at_once
from workflow.models import Contact, Meeting, Notification, SentReport, Suppression
from workflow.notifications.tokens import unsubscribe_token
from workflow.permissions import Actor
from workflow.services import contacts, delivery, notifications, transitions
from workflow.services.meeting_reports import ReportsRun, run_reports
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
LINKS = scenario.LINKS
HELD_ON = date(2025, 6, 12)
DUE = (date(2025, 7, 12), date(2025, 9, 12), date(2025, 12, 12))


def sweep(uow: UowFactory, day: date) -> ReportsRun:
    with uow() as unit:
        return run_reports(unit, LINKS, now=sweep_time(day))


def report_emails(uow: UowFactory) -> list[tuple[str, str, str, str]]:
    """(recipient, dedupe key, language, status) of every report email, oldest first."""
    with uow() as unit:
        rows = unit.session.execute(
            select(Notification.recipient_email, Notification.dedupe_key, Notification.language,
                   Notification.status)
            .where(Notification.kind == "meeting_report")
            .order_by(Notification.id)
        )  # fmt: skip
        return [tuple(row) for row in rows]  # type: ignore[misc]


def sent(uow: UowFactory) -> list[tuple[int, date | None, list[str], int]]:
    """(meeting, due date, dates covered, recipients) of every sent report, oldest first."""
    with uow() as unit:
        rows = unit.session.scalars(select(SentReport).order_by(SentReport.id))
        return [(r.meeting_id, r.due_on, list(r.covers), r.recipients) for r in rows]


def new_meeting(uow: UowFactory, title: str, held_on: date | None, people: tuple[Person, ...]
                ) -> int:  # fmt: skip
    with uow() as unit:
        meeting = Meeting(title=title, held_on=held_on, created_at=scenario.IMPORTED_AT)
        unit.meetings.add(meeting)
        unit.commit()
        meeting_id = meeting.id
    add_participants(uow, meeting_id, people)
    return meeting_id


def test_each_participant_gets_one_report_per_due_date(uow: UowFactory) -> None:
    meeting_id = scenario.import_sample(uow)
    people = add_participants(uow, meeting_id)
    anne, bo = people["Anne Andersen"], people["Bo Berg"]
    assert sweep(uow, date(2025, 7, 11)).queued == ()
    first = sweep(uow, DUE[0])
    (item,) = first.queued
    assert (item.meeting_id, item.due_on, item.covers) == (meeting_id, DUE[0], (DUE[0],))
    # Carl has no address and Dorte did not agree to hear back: neither gets anything.
    assert item.recipients == ("anne@example.dk", "bo@example.dk")
    assert len(first.notification_ids) == 2 and first.notification_ids == item.notification_ids
    for day in (DUE[0], date(2025, 7, 13), date(2025, 9, 11)):
        assert sweep(uow, day).queued == ()
    assert [q.due_on for q in sweep(uow, DUE[1]).queued] == [DUE[1]]
    assert [q.due_on for q in sweep(uow, DUE[2]).queued] == [DUE[2]]
    for day in (DUE[2], date(2026, 6, 12), date(2027, 6, 12)):
        assert sweep(uow, day).queued == ()  # the plan is done
    assert report_emails(uow) == [
        (email, f"report:{meeting_id}:{due.isoformat()}:{contact}", language, "pending")
        for due in DUE
        for email, contact, language in (("anne@example.dk", anne, "da"),
                                         ("bo@example.dk", bo, "en"))
    ]  # fmt: skip
    assert sent(uow) == [(meeting_id, due, [due.isoformat()], 2) for due in DUE]


def test_a_meeting_imported_after_its_dates_passed_gets_one_catch_up_report(
    uow: UowFactory,
) -> None:
    meeting_id = scenario.import_sample(uow)
    add_participants(uow, meeting_id)
    (item,) = sweep(uow, date(2025, 10, 1)).queued
    assert (item.due_on, item.covers) == (DUE[1], (DUE[0], DUE[1]))
    assert len(item.notification_ids) == 2  # one email to each participant, not one per date
    assert sweep(uow, date(2025, 10, 2)).queued == ()
    assert [q.covers for q in sweep(uow, DUE[2]).queued] == [(DUE[2],)]
    assert sent(uow) == [
        (meeting_id, DUE[1], [DUE[0].isoformat(), DUE[1].isoformat()], 2),
        (meeting_id, DUE[2], [DUE[2].isoformat()], 2),
    ]
    assert len(report_emails(uow)) == 4


def test_meetings_without_a_date_or_a_plan_get_no_report(uow: UowFactory) -> None:
    people = (Person("Anne Andersen", None, "anne@example.dk"),)
    undated = new_meeting(uow, "Uden dato", None, people)
    unplanned = new_meeting(uow, "Ingen rapporter", HELD_ON, people)
    with uow() as unit:
        meeting = unit.meetings.get(unplanned)
        assert meeting is not None and meeting.report_months == [1, 3, 6]  # the default
        meeting.report_months = []
        unit.commit()
    assert sweep(uow, date(2026, 1, 1)).queued == ()
    with uow() as unit:
        meeting = unit.meetings.get(undated)
        assert meeting is not None
        meeting.held_on = HELD_ON  # once it has a date, it has report dates
        unit.commit()
    assert [(q.meeting_id, q.covers) for q in sweep(uow, date(2026, 1, 1)).queued] == [
        (undated, DUE)
    ]


def test_only_participants_who_may_hear_back_get_the_report(uow: UowFactory) -> None:
    people = (
        Person("Anne", None, "anne@example.dk"),
        Person("Bo", None, "bo@example.dk"),
        Person("Carl", None, "carl@example.dk"),
        Person("Dorte", None, "dorte@example.dk"),
        Person("Eva", None, "eva@example.dk", consent=False),
        Person("Finn", None, None),
    )
    new_meeting(uow, "Trafikmøde", HELD_ON, people)
    with uow() as unit:
        contact_ids = {c.name: c.id for c in unit.session.scalars(select(Contact))}
        unit.session.add(Suppression(email="bo@example.dk", reason="550 no such user",
                                     at=datetime(2025, 7, 1, tzinfo=UTC)))  # fmt: skip
        carl = unit.session.get(Contact, contact_ids["Carl"])
        assert carl is not None
        carl.erased_at = datetime(2025, 7, 1, tzinfo=UTC)
        unit.commit()
        contacts.unsubscribe(unit, LINKS.secret, unsubscribe_token(
            LINKS.secret, contact_ids["Dorte"], "meeting_reports"))  # fmt: skip
    (item,) = sweep(uow, DUE[0]).queued
    assert item.recipients == ("anne@example.dk",)


def test_a_due_meeting_without_recipients_waits_for_its_participants(uow: UowFactory) -> None:
    meeting_id = new_meeting(uow, "Uden deltagere", HELD_ON, ())
    run = sweep(uow, DUE[0])
    assert (run.queued, run.waiting) == ((), 1)
    assert sent(uow) == []
    add_participants(uow, meeting_id, (Person("Anne", None, "anne@example.dk"),))
    (item,) = sweep(uow, date(2025, 10, 1)).queued  # she hears about both passed dates at once
    assert item.covers == (DUE[0], DUE[1])


class RecordingTransport:
    """A mail transport that keeps what it is given."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.messages.append(message)


def test_unsubscribing_from_reports_keeps_idea_updates_and_the_other_way_round(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager", "mette@randers.dk", "Mette Leder")
    meeting_id = scenario.import_sample(uow)
    people = add_participants(uow, meeting_id)
    anne, bo = people["Anne Andersen"], people["Bo Berg"]
    first = sweep(uow, DUE[0])
    assert len(first.notification_ids) == 2
    # Every report email carries the one-click link off meeting reports, not off idea updates.
    transport = RecordingTransport()
    for notification_id in first.notification_ids:
        with uow() as unit:
            assert delivery.deliver(unit, notification_id, transport, links=LINKS,
                                    sender="ideer@randers.dk") == "sent"  # fmt: skip
    headers = {str(m["To"]): m["List-Unsubscribe"] for m in transport.messages}
    assert headers == {
        "Anne Andersen <anne@example.dk>": f"<{LINKS.unsubscribe_url(anne, 'meeting_reports')}>",
        "Bo Berg <bo@example.dk>": f"<{LINKS.unsubscribe_url(bo, 'meeting_reports')}>",
    }
    assert all(m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
               for m in transport.messages)  # fmt: skip

    # Anne leaves the meeting reports, Bo the idea updates.
    with uow() as unit:
        contacts.unsubscribe(unit, LINKS.secret, unsubscribe_token(LINKS.secret, anne,
                                                                   "meeting_reports"))  # fmt: skip
        contacts.unsubscribe(unit, LINKS.secret, unsubscribe_token(LINKS.secret, bo,
                                                                   "idea_updates"))  # fmt: skip
    idea_id = scenario.idea_ids(uow, meeting_id)[1]
    with uow() as unit:
        transitions.fire_trigger(unit, manager, idea_id, "reject", reason="Findes allerede",
                                 now=scenario.at(date(2025, 8, 1)))  # fmt: skip
    with uow() as unit:
        notifications.relay_outbox(unit, LINKS)
    with uow() as unit:
        updates = unit.session.scalars(
            select(Notification.contact_id).where(Notification.kind == "idea_update")
        ).all()
    assert updates == [anne]  # Anne still hears about the ideas; Bo does not
    second = sweep(uow, DUE[1])
    assert [q.recipients for q in second.queued] == [("bo@example.dk",)]  # Bo still gets reports


def test_unsubscribing_stops_a_queued_report_but_not_a_waiting_idea_update(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    meeting_id = scenario.import_sample(uow)
    anne = add_participants(uow, meeting_id)["Anne Andersen"]
    idea_id = scenario.idea_ids(uow, meeting_id)[2]
    with uow() as unit:
        transitions.fire_trigger(unit, manager, idea_id, "reject", reason="Findes allerede",
                                 now=scenario.at(date(2025, 7, 1)))  # fmt: skip
    with uow() as unit:
        notifications.relay_outbox(unit, LINKS)
    sweep(uow, DUE[0])
    with uow() as unit:
        contacts.unsubscribe(unit, LINKS.secret, unsubscribe_token(LINKS.secret, anne,
                                                                   "meeting_reports"))  # fmt: skip
        statuses = dict(
            unit.session.execute(
                select(Notification.kind, Notification.status).where(
                    Notification.contact_id == anne
                )
            ).all()
        )
    assert statuses == {"meeting_report": "suppressed", "idea_update": "waiting_digest"}


def sweeps_at_once(uow: UowFactory, day: date, count: int = 2) -> list[ReportsRun]:
    """``count`` sweeps in threads, released together; re-raises what any of them raised."""
    return at_once(lambda: sweep(uow, day), count)


@pytest.mark.parametrize("count", [2, 4])
def test_sweeps_running_at_once_send_each_report_once(uow: UowFactory, count: int) -> None:
    people = (Person("Anne", None, "anne@example.dk"), Person("Bo", None, "bo@example.dk"))
    meetings = [new_meeting(uow, f"Møde {n}", HELD_ON, people) for n in range(12)]
    for day in (DUE[0], DUE[1]):
        runs = sweeps_at_once(uow, day, count)
        assert sorted(q.meeting_id for run in runs for q in run.queued) == meetings
        assert sum(run.failed for run in runs) == 0
    with uow() as unit:
        reports = unit.session.scalar(select(func.count(SentReport.id)))
        keys = unit.session.scalars(
            select(Notification.dedupe_key).where(Notification.kind == "meeting_report")
        ).all()
    assert reports == 2 * len(meetings)
    assert len(keys) == len(set(keys)) == 2 * 2 * len(meetings)
