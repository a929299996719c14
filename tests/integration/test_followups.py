"""The reminder sweep and the weekly summary, on SQLite and PostgreSQL.

Time runs forward by passing ``now`` to the sweep: every sweep happens at Danish noon on the day
``day(n)``, n days after the test started.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tests.clock import today_clear_of_midnight
from tests.threads import at_once
from workflow.clock import local_today, utcnow
from workflow.followups.decisions import start_of_local_day
from workflow.followups.rules import FollowupRules
from workflow.models import Notification, Reminder, User
from workflow.notifications.links import Links
from workflow.permissions import Actor
from workflow.services import ideas, transitions, users
from workflow.services.followups import SweepReport, run_followups
from workflow.services.summaries import run_weekly_summary
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
LINKS = Links("https://ideer.randers.dk", "test-secret")
RULES = FollowupRules()
ASSESS = {"impact": 4, "feasibility": 3, "cost": 2, "summary": "Bred opbakning"}
TODAY = local_today()


@pytest.fixture(autouse=True)
def _today() -> None:
    """Count days from the day each test runs, so a run that passes midnight counts right."""
    global TODAY
    TODAY = today_clear_of_midnight()


def day(n: int) -> datetime:
    """Noon in Denmark, ``n`` days after today."""
    return start_of_local_day(TODAY + timedelta(days=n)) + timedelta(hours=12)


def on(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


@pytest.fixture
def manager(make_user: Callable[..., Actor]) -> Actor:
    return make_user("manager", "mette@randers.dk", "Mette Leder")


@pytest.fixture
def owner(make_user: Callable[..., Actor]) -> Actor:
    return make_user("owner", "ole@randers.dk", "Ole Ejer")


def new_idea(uow: UowFactory, manager: Actor, owner: Actor | None, **fields: str) -> int:
    with uow() as unit:
        body = {"title": fields.pop("title", "Natbus fra Langå"), **fields}
        if owner is not None:
            body["owner"] = owner.email
        return ideas.create_idea(unit, manager, body).id


def sweep(uow: UowFactory, when: datetime) -> SweepReport:
    with uow() as unit:
        return run_followups(unit, LINKS, when, RULES)


def reminders(uow: UowFactory) -> list[tuple[int, str, int]]:
    with uow() as unit:
        rows = unit.session.execute(
            select(Reminder.idea_id, Reminder.occasion, Reminder.number).order_by(Reminder.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def emails(uow: UowFactory, kind: str) -> list[Notification]:
    with uow() as unit:
        query = select(Notification).where(Notification.kind == kind).order_by(Notification.id)
        found = list(unit.session.scalars(query))
        unit.session.expunge_all()  # keep them readable after the unit of work ends
        return found


def assess(uow: UowFactory, actor: Actor, idea_id: int) -> None:
    with uow() as unit:
        transitions.fire_trigger(unit, actor, idea_id, "assess", data=ASSESS)


def start_pilot(uow: UowFactory, actor: Actor, idea_id: int, owner: Actor, days: int) -> int:
    assess(uow, actor, idea_id)
    plan = {"owner": owner.email, "starts_on": on(0), "ends_on": on(days),
            "success_criteria": "Flere passagerer om natten"}  # fmt: skip
    with uow() as unit:
        transitions.fire_trigger(unit, actor, idea_id, "start_pilot", data=plan)
        latest = unit.ideas.latest_pilot_plan(idea_id)
        assert latest is not None
        return latest.id


def test_a_follow_up_date_brings_one_reminder_that_says_what_to_do(
    uow: UowFactory, manager: Actor, owner: Actor
) -> None:
    idea_id = new_idea(uow, manager, owner, follow_up_on=on(3))
    assert sweep(uow, day(2)).queued == ()
    report = sweep(uow, day(3))
    assert [(q.idea_id, q.occasion, q.number, q.recipients) for q in report.queued] == [
        (idea_id, f"follow_up:{on(3)}", 1, (owner.email,))
    ]
    assert sweep(uow, day(3)).queued == () and sweep(uow, day(4)).queued == ()
    (email,) = emails(uow, "owner_reminder")
    assert email.recipient_email == owner.email and email.idea_id == idea_id
    assert email.id == report.notification_ids[0] and email.status == "pending"
    assert email.subject == "Påmindelse: “Natbus fra Langå” venter på dig"
    assert f"https://ideer.randers.dk/ideas/{idea_id}" in email.body_text
    planned = (TODAY + timedelta(days=3)).strftime("%d.%m.%Y")
    assert f"Følg op som planlagt den {planned}" in email.body_text
    assert f'href="https://ideer.randers.dk/ideas/{idea_id}"' in email.body_html
    assert reminders(uow) == [(idea_id, f"follow_up:{on(3)}", 1)]


def test_a_proposed_idea_unassessed_for_14_days_brings_one_reminder(
    uow: UowFactory, manager: Actor, owner: Actor
) -> None:
    idea_id = new_idea(uow, manager, owner)
    assert sweep(uow, day(13)).queued == ()
    assert [q.occasion for q in sweep(uow, day(14)).queued] == [f"unassessed:{on(0)}"]
    assert sweep(uow, day(15)).queued == ()
    (email,) = emails(uow, "owner_reminder")
    assert "Vurdér idéen" in email.body_text and email.idea_id == idea_id


def test_a_pilot_past_its_end_without_evaluation_brings_one_reminder(
    uow: UowFactory, manager: Actor, owner: Actor
) -> None:
    idea_id = new_idea(uow, manager, owner)
    plan_id = start_pilot(uow, manager, idea_id, owner, days=10)
    assert sweep(uow, day(10)).queued == ()
    assert [q.occasion for q in sweep(uow, day(11)).queued] == [f"pilot_ended:{plan_id}"]
    assert sweep(uow, day(12)).queued == ()
    (email,) = emails(uow, "owner_reminder")
    assert "Evaluér piloten" in email.body_text


def test_an_open_idea_untouched_for_30_days_brings_one_reminder(
    uow: UowFactory, manager: Actor, owner: Actor
) -> None:
    idea_id = new_idea(uow, manager, owner)
    assess(uow, manager, idea_id)
    assert sweep(uow, day(29)).queued == ()
    assert [q.occasion for q in sweep(uow, day(30)).queued] == [f"untouched:{on(0)}"]
    assert sweep(uow, day(31)).queued == ()
    (email,) = emails(uow, "owner_reminder")
    assert "Før idéen videre, parkér den eller afvis den" in email.body_text


def test_when_several_occasions_hold_the_owner_hears_about_the_most_pressing_once(
    uow: UowFactory, manager: Actor, owner: Actor
) -> None:
    # Unassessed, untouched and past its follow-up date at once: one reminder, the follow-up.
    new_idea(uow, manager, owner, follow_up_on=on(3))
    assert [q.occasion for q in sweep(uow, day(40)).queued] == [f"follow_up:{on(3)}"]
    assert sweep(uow, day(40)).queued == ()


def test_a_second_reminder_after_7_days_then_the_managers_after_two_ignored(
    uow: UowFactory, manager: Actor, owner: Actor, make_user: Callable[..., Actor]
) -> None:
    second = make_user("manager", "anders@randers.dk")
    make_user("admin", "admin@randers.dk")  # admins are not told
    gone = make_user("manager", "tidligere@randers.dk")
    with uow() as unit:
        users.set_active(unit, gone.email, False)
    idea_id = new_idea(uow, manager, owner, follow_up_on=on(1))
    occasion = f"follow_up:{on(1)}"
    numbers = {n: [q.number for q in sweep(uow, day(n)).queued] for n in range(1, 30)}
    assert {n: found for n, found in numbers.items() if found} == {1: [1], 8: [2], 15: [0]}
    assert reminders(uow) == [
        (idea_id, occasion, 1),
        (idea_id, occasion, 2),
        (idea_id, occasion, 0),
    ]
    second_reminder = emails(uow, "owner_reminder")[1]
    assert second_reminder.subject.startswith("Anden påmindelse")
    assert "får lederne besked" in second_reminder.body_text
    escalations = emails(uow, "escalation")
    assert sorted(e.recipient_email for e in escalations) == [second.email, manager.email]
    text = escalations[0].body_text
    assert "Ole Ejer (ole@randers.dk)" in text and "Natbus fra Langå" in text
    assert "Følg op som planlagt" in text  # what was expected
    assert f"https://ideer.randers.dk/ideas/{idea_id}" in text


def test_no_escalation_when_the_owner_assesses_after_the_first_reminder(
    uow: UowFactory, manager: Actor, owner: Actor
) -> None:
    idea_id = new_idea(uow, manager, owner)
    assert len(sweep(uow, day(14)).queued) == 1
    assess(uow, owner, idea_id)
    assert [sweep(uow, day(n)).queued for n in range(15, 30)] == [()] * 15


def test_moving_the_follow_up_date_is_acting_on_it(
    uow: UowFactory, manager: Actor, owner: Actor
) -> None:
    idea_id = new_idea(uow, manager, owner, follow_up_on=on(2))
    assess(uow, manager, idea_id)  # so that only the follow-up date is due
    assert len(sweep(uow, day(2)).queued) == 1
    with uow() as unit:
        ideas.update_idea(unit, owner, idea_id, {"follow_up_on": on(20)})
    assert [sweep(uow, day(n)).queued for n in range(3, 20)] == [()] * 17
    report = sweep(uow, day(20))
    assert [(q.occasion, q.number) for q in report.queued] == [(f"follow_up:{on(20)}", 1)]
    assert emails(uow, "escalation") == []


def test_nobody_is_reminded_without_an_active_owner_or_about_finished_ideas(
    uow: UowFactory, manager: Actor, owner: Actor, make_user: Callable[..., Actor]
) -> None:
    new_idea(uow, manager, None, title="Uden ejer", follow_up_on=on(1))
    leaver = make_user("owner", "fratraadt@randers.dk")
    new_idea(uow, manager, leaver, title="Ejer er fratrådt", follow_up_on=on(1))
    with uow() as unit:
        users.set_active(unit, leaver.email, False)
    finished = new_idea(uow, manager, owner, title="Afvist", follow_up_on=on(1))
    with uow() as unit:
        transitions.fire_trigger(unit, manager, finished, "reject", reason="Ingen midler")
    for n in (1, 15, 31, 60):
        assert sweep(uow, day(n)).queued == ()
    assert reminders(uow) == []


def test_an_owner_who_chose_english_gets_english(
    uow: UowFactory, manager: Actor, owner: Actor
) -> None:
    with uow() as unit:
        user = unit.session.get(User, owner.id)
        assert user is not None
        user.language = "en"
        unit.commit()
    new_idea(uow, manager, owner, follow_up_on=on(1))
    sweep(uow, day(1))
    (email,) = emails(uow, "owner_reminder")
    assert email.language == "en"
    assert email.subject == "Reminder: “Natbus fra Langå” is waiting for you"
    assert "Follow up as planned on" in email.body_text


def test_a_dry_run_decides_but_writes_nothing(
    uow: UowFactory, manager: Actor, owner: Actor
) -> None:
    new_idea(uow, manager, owner, follow_up_on=on(1))
    with uow() as unit:
        report = run_followups(unit, LINKS, day(1), RULES, dry_run=True)
    assert [(q.number, q.recipients, q.notification_ids) for q in report.queued] == [
        (1, (owner.email,), ())
    ]
    assert reminders(uow) == [] and emails(uow, "owner_reminder") == []
    assert len(sweep(uow, day(1)).queued) == 1


def sweeps_at_once(uow: UowFactory, when: datetime, count: int = 2) -> list[SweepReport]:
    """``count`` sweeps in threads, released together; re-raises what any of them raised."""
    return at_once(lambda: sweep(uow, when), count)


def test_two_sweeps_at_once_send_each_reminder_exactly_once(
    uow: UowFactory, manager: Actor, owner: Actor
) -> None:
    ids = [new_idea(uow, manager, owner, title=f"Idé {n}", follow_up_on=on(1)) for n in range(25)]
    for when in (day(1), day(8), day(15)):  # reminder 1, reminder 2, escalation
        reports = sweeps_at_once(uow, when)
        assert sorted(q.idea_id for r in reports for q in r.queued) == ids
    assert len(reminders(uow)) == 3 * len(ids)
    assert len(emails(uow, "owner_reminder")) == 2 * len(ids)
    assert len(emails(uow, "escalation")) == len(ids)


def test_managers_get_one_weekly_summary_per_week(
    uow: UowFactory, manager: Actor, owner: Actor, make_user: Callable[..., Actor]
) -> None:
    second = make_user("manager", "anders@randers.dk")
    new_idea(uow, manager, None, title="Ingen ejer endnu")
    new_idea(uow, manager, owner, title="Overskredet opfølgning", follow_up_on=on(-1))
    soon = utcnow() + timedelta(minutes=1)

    def summary(when: datetime) -> list[str]:
        with uow() as unit:
            return [email for email, _ in run_weekly_summary(unit, LINKS, when).queued]

    assert summary(soon) == [manager.email, second.email]
    assert summary(soon + timedelta(minutes=1)) == []
    assert summary(soon + timedelta(days=7)) == [manager.email, second.email]
    first = emails(uow, "weekly_summary")[0]
    year, week, _ = local_today(soon).isocalendar()
    assert first.dedupe_key == f"weekly_summary:{year}-W{week:02d}:{manager.id}"
    assert first.subject == f"Idéer der kræver opmærksomhed, uge {week}"
    assert "Ingen ejer endnu" in first.body_text
    assert "Overskredet opfølgning (Ole Ejer)" in first.body_text
    assert "1 opfølgning er overskredet" in first.body_text
