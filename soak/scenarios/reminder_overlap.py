"""``reminder_overlap``: two reminder sweeps run at once, step after step over 48 simulated
hours; the reminders they write together must be exactly those one sweep alone writes."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, insert, select

from soak.harness import Context
from soak.report import Outcome
from workflow.clock import LOCAL_TIMEZONE, local_today
from workflow.db import Database
from workflow.models import Idea, Notification, PilotPlan, Reminder, User
from workflow.notifications.links import Links
from workflow.services import users
from workflow.services.followups import FollowupRules, SweepReport, run_followups

RULES = FollowupRules(unassessed_days=3, untouched_days=5, repeat_days=1, escalate_days=1)
LINKS = Links("https://ideer.randers.test", "soak-secret")
HOURS = 48
OWNERS, MANAGERS = 4, 2


def reminder_overlap(ctx: Context, outcome: Outcome) -> None:
    """Per simulated step, two sweeps released together; compared with one sweep alone."""
    start = datetime.combine(local_today() + timedelta(days=1), time(6), LOCAL_TIMEZONE)
    start = start.astimezone(UTC)
    step = timedelta(minutes=ctx.sizes.reminder_step_minutes)
    moments = [start + step * n for n in range(int(timedelta(hours=HOURS) / step) + 1)]
    with ctx.services.database() as twin_url, ctx.services.database() as alone_url:
        twins = [Database(twin_url), Database(twin_url)]
        alone = Database(alone_url)
        try:
            for database in (twins[0], alone):
                seed(database, ctx.sizes.reminder_ideas, start)
            reports = run_twins(twins, moments)
            reference = [sweep(alone, moment) for moment in moments]
            written, expected = reminders(twins[0]), reminders(alone)
            mail, expected_mail = mail_keys(twins[0]), mail_keys(alone)
            kinds = Counter(number for _, _, number in written)
            outcome.figures.update(
                simulated_hours=HOURS, steps=len(moments), sweeps=2 * len(moments),
                ideas=ctx.sizes.reminder_ideas,
                reminders=kinds[1], second_reminders=kinds[2], escalations=kinds[0],
                reminders_written=len(written), reminders_alone=len(expected),
                missing=len(expected - written), extra=len(written - expected),
                emails=len(mail), emails_alone=len(expected_mail),
                emails_differing=len(mail ^ expected_mail),
                queued_by_twins=sum(len(r.queued) for r in reports),
                collisions_lost=sum(r.lost for r in reports),
                failed=sum(r.failed for r in reports) + sum(r.failed for r in reference),
                reminders_without_email=without_email(twins[0]),
            )  # fmt: skip
        finally:
            for database in (*twins, alone):
                database.dispose()
    figures = outcome.figures
    outcome.check(figures["reminders_alone"] > 0 and figures["escalations"] > 0,
                  "the timeline makes reminders, second reminders and escalations due")  # fmt: skip
    outcome.check(figures["missing"] == 0 and figures["extra"] == 0,
                  "exactly the reminders one sweep alone writes: one per due occasion")  # fmt: skip
    outcome.check(figures["emails_differing"] == 0 and figures["reminders_without_email"] == 0,
                  "exactly one email per reminder (one per manager for an escalation)")  # fmt: skip
    outcome.check(figures["queued_by_twins"] == figures["reminders_written"],
                  "each reminder queued by one of the two sweeps, never both")  # fmt: skip
    outcome.check(figures["failed"] == 0, "no sweep failed a reminder")


def run_twins(twins: list[Database], moments: list[datetime]) -> list[SweepReport]:
    """For each moment, both sweeps at once (released by a barrier); every report."""
    reports: list[SweepReport] = []
    with ThreadPoolExecutor(2) as pool:
        for moment in moments:
            barrier = threading.Barrier(2)

            def one(database: Database, barrier: threading.Barrier = barrier,
                    moment: datetime = moment) -> SweepReport:  # fmt: skip
                barrier.wait()
                return sweep(database, moment)

            reports.extend(pool.map(one, twins))
    return reports


def sweep(database: Database, moment: datetime) -> SweepReport:
    """One reminder sweep as of ``moment``."""
    with database.unit_of_work() as uow:
        return run_followups(uow, LINKS, now=moment, rules=RULES)


def seed(database: Database, count: int, start: datetime) -> None:
    """Owners, managers and ``count`` ideas whose occasions fall due over the 48 hours: a
    follow-up date, waiting for an assessment, an ended pilot, untouched, and not due at all."""
    with database.unit_of_work() as uow:
        for n in range(OWNERS):
            users.create_user(uow, email=f"ejer{n}@randers.test", name=f"Ejer {n}",
                              role="owner", password=None)  # fmt: skip
        for n in range(MANAGERS):
            users.create_user(uow, email=f"leder{n}@randers.test", name=f"Leder {n}",
                              role="manager", password=None)  # fmt: skip
    day = start.astimezone(LOCAL_TIMEZONE).date()
    with database.session_factory.begin() as session:
        owners = session.scalars(select(User.id).where(User.role == "owner").order_by(User.id))
        owner_ids = list(owners)
        for n in range(count):
            owner = owner_ids[n % OWNERS]
            row: dict[str, Any] = {"title": f"Idé {n}", "owner_id": owner, "version": 1,
                                   "created_at": start - timedelta(days=30)}  # fmt: skip
            kind = n % 5
            if kind == 0:  # follow-up date today, tomorrow or the day after
                since = start - timedelta(days=1)
                row.update(state="assessed", follow_up_on=day + timedelta(days=n % 3))
            elif kind == 1:  # proposed, waiting for an assessment for 3 or 4 days
                since = start - timedelta(days=3 + n % 2)
                row.update(state="proposed")
            elif kind == 2:  # a pilot that ended yesterday or ends today
                since = start - timedelta(days=20)
                row.update(state="piloted")
            elif kind == 3:  # untouched for 4 to 6 days
                since = start - timedelta(days=4 + n % 3)
                row.update(state="assessed")
            else:  # proposed an hour ago: nothing due within 48 hours
                since = start - timedelta(hours=1)
                row.update(state="proposed")
            row.update(state_changed_at=since, updated_at=since)
            idea_id = session.scalar(insert(Idea).values(**row).returning(Idea.id))
            if kind == 2:
                session.execute(insert(PilotPlan), [{
                    "idea_id": idea_id, "owner_id": owner, "starts_on": day - timedelta(days=20),
                    "ends_on": day - timedelta(days=1 - n % 2), "success_criteria": "Brug",
                    "created_at": since,
                }])  # fmt: skip


def reminders(database: Database) -> set[tuple[int, str, int]]:
    """Every reminder written: (idea, occasion, number)."""
    with database.unit_of_work() as uow:
        rows = uow.session.execute(select(Reminder.idea_id, Reminder.occasion, Reminder.number))
        return {(row.idea_id, row.occasion, row.number) for row in rows}


def mail_keys(database: Database) -> set[str]:
    """The dedupe keys of every reminder and escalation email."""
    with database.unit_of_work() as uow:
        return set(uow.session.scalars(select(Notification.dedupe_key)))


def without_email(database: Database) -> int:
    """Reminders whose email is missing."""
    with database.unit_of_work() as uow:
        query = select(func.count()).where(Reminder.notification_id.is_(None))
        return int(uow.session.scalar(query) or 0)
