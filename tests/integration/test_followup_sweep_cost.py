"""The reminder sweep reads what is due, not what holds: counted, on SQLite and PostgreSQL.

An aged database is full of open ideas for which an occasion holds (a follow-up date long past,
untouched for months, a pilot ended without evaluation, proposed and never assessed) but whose
next step is not due: the managers were told long ago, or the owner was reminded this week.
The sweep must leave them in the database. The test seeds such ideas, with their reminder
history, beside a fixed set that is due, and counts the statements the sweep runs and the rows
it reads, with 50 and with 500 ideas that are not due. The ideas are written in bulk, so each
starts marked for the next sweep; ``reschedule`` stores their moments, as the first sweep would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.orm import ORMExecuteState

from workflow.clock import local_today
from workflow.followups.decisions import local_date, start_of_local_day
from workflow.followups.rules import FollowupRules
from workflow.models import Base, Reminder
from workflow.notifications.links import Links
from workflow.permissions import Actor
from workflow.services.followups import reschedule, run_followups
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
LINKS = Links("https://ideer.randers.dk", "test-secret")
RULES = FollowupRules()
TODAY = local_today()
NOW = start_of_local_day(TODAY) + timedelta(hours=12)
DUE_EACH = 2  # due ideas per kind below
KINDS_DUE = 4


@dataclass
class Cost:
    """What one sweep did to the database."""

    statements: int = 0
    rows: int = 0


@contextmanager
def counted(unit: UnitOfWork) -> Iterator[Cost]:
    """Count the statements sent and the rows read through the unit of work's session."""
    cost = Cost()

    def statement(*_: Any) -> None:
        cost.statements += 1

    def rows(state: ORMExecuteState) -> Any:
        if not state.is_select:
            return None
        frozen = state.invoke_statement().freeze()
        cost.rows += len(frozen().all())
        return frozen()

    engine = unit.session.get_bind()
    event.listen(engine, "before_cursor_execute", statement)
    event.listen(unit.session, "do_orm_execute", rows)
    try:
        yield cost
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(unit.session, "do_orm_execute", rows)


def ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


class Seeder:
    """Bulk inserts of ideas, pilot plans and reminders, with ids chosen here."""

    def __init__(self, uow: UowFactory, owner_id: int) -> None:
        self.uow, self.owner_id, self.next_id = uow, owner_id, 1000
        self.ideas: list[dict[str, Any]] = []
        self.plans: list[dict[str, Any]] = []
        self.reminders: list[dict[str, Any]] = []

    def idea(self, state: str, changed: datetime, follow_up_on: date | None = None) -> int:
        self.next_id += 1
        self.ideas.append({
            "id": self.next_id, "title": f"Idé {self.next_id}", "description": "",
            "search_text": f"ide {self.next_id}", "state": state, "owner_id": self.owner_id,
            "version": 1, "created_at": changed, "state_changed_at": changed,
            "updated_at": changed, "follow_up_on": follow_up_on, "merged_into_id": None,
        })  # fmt: skip
        return self.next_id

    def plan(self, idea_id: int, ends_on: date) -> int:
        self.plans.append({
            "id": idea_id, "idea_id": idea_id, "owner_id": self.owner_id,
            "starts_on": ends_on - timedelta(days=60), "ends_on": ends_on,
            "success_criteria": "Målbar effekt", "created_at": ago(120),
        })  # fmt: skip
        return idea_id

    def reminded(self, idea_id: int, occasion: str, *sent: tuple[int, int]) -> None:
        for number, days_ago in sent:
            self.reminders.append({
                "idea_id": idea_id, "occasion": occasion, "number": number,
                "owner_id": self.owner_id, "sent_at": ago(days_ago),
            })  # fmt: skip

    def not_due(self, count: int) -> None:
        """``count`` ideas for which an occasion holds but nothing is due, in four kinds."""
        for n in range(count):
            kind = n % 4
            if kind == 0:  # follow-up date two months past; the managers were told
                on = TODAY - timedelta(days=60)
                idea_id = self.idea("assessed", ago(5), follow_up_on=on)
                self.reminded(idea_id, f"follow_up:{on}", (1, 59), (2, 52), (0, 45))
            elif kind == 1:  # untouched for 200 days; reminded 3 days ago
                idea_id = self.idea("parked", ago(200))
                self.reminded(idea_id, f"untouched:{local_date(ago(200))}", (1, 3))
            elif kind == 2:  # never assessed; reminded twice, the second time 2 days ago
                idea_id = self.idea("proposed", ago(90))
                occasion = f"unassessed:{local_date(ago(90))}"
                self.reminded(idea_id, occasion, (1, 9), (2, 2))
            else:  # pilot ended a year ago without evaluation; the managers were told
                idea_id = self.idea("piloted", ago(400))
                plan_id = self.plan(idea_id, TODAY - timedelta(days=365))
                self.reminded(idea_id, f"pilot_ended:{plan_id}", (1, 360), (2, 353), (0, 346))

    def due(self) -> None:
        """``DUE_EACH`` ideas of each kind whose next step is due today."""
        for _ in range(DUE_EACH):
            self.idea("assessed", ago(5), follow_up_on=TODAY)  # reminder 1
            idea_id = self.idea("parked", ago(100))  # reminder 2
            self.reminded(idea_id, f"untouched:{local_date(ago(100))}", (1, 8))
            idea_id = self.idea("proposed", ago(40))  # escalation
            self.reminded(idea_id, f"unassessed:{local_date(ago(40))}", (1, 20), (2, 10))
            idea_id = self.idea("piloted", ago(100))  # reminder 1
            self.plan(idea_id, TODAY - timedelta(days=3))

    def write(self) -> None:
        """Insert what was staged."""
        tables = Base.metadata.tables
        with self.uow() as unit:
            for name, rows in (("ideas", self.ideas), ("pilot_plans", self.plans),
                               ("reminders", self.reminders)):  # fmt: skip
                if rows:
                    unit.session.execute(insert(tables[name]), rows)
            unit.commit()
            reschedule(unit, NOW, RULES)
        self.ideas, self.plans, self.reminders = [], [], []


def dry_run(uow: UowFactory) -> tuple[Cost, list[tuple[int, str, int]]]:
    """The cost of deciding, and what was decided."""
    with uow() as unit, counted(unit) as cost:
        report = run_followups(unit, LINKS, NOW, RULES, dry_run=True)
    return cost, sorted((item.idea_id, item.occasion, item.number) for item in report.queued)


def test_the_sweep_reads_what_is_due_however_many_ideas_are_not(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    make_user("manager", "mette@randers.dk", "Mette Leder")
    owner = make_user("owner", "ole@randers.dk", "Ole Ejer")
    seeder = Seeder(uow, owner.id)
    seeder.due()
    seeder.not_due(50)
    seeder.write()
    small, decided = dry_run(uow)
    seeder.not_due(450)
    seeder.write()
    large, decided_large = dry_run(uow)

    assert decided == decided_large and len(decided) == KINDS_DUE * DUE_EACH
    assert sorted(number for _, _, number in decided) == [0, 0, 1, 1, 1, 1, 2, 2]
    assert large == small
    # The rules the moments were worked out with, the due ideas (their ids, then the ideas), the
    # latest pilot plan of each piloted one, the one manager and the reminders already sent for
    # the due occasions (one per untouched idea, two per unassessed one): nothing of the 500
    # that are not due.
    assert small.rows == 1 + 2 * KINDS_DUE * DUE_EACH + DUE_EACH + 1 + 3 * DUE_EACH

    with uow() as unit, counted(unit) as cost:
        report = run_followups(unit, LINKS, NOW, RULES)
    assert len(report.queued) == KINDS_DUE * DUE_EACH and report.failed == 0
    assert cost.rows == small.rows
    with uow() as unit:
        written = unit.session.scalars(select(Reminder.idea_id).where(Reminder.sent_at == NOW))
        assert sorted(written) == sorted(idea_id for idea_id, _, _ in decided)
    assert dry_run(uow)[1] == []
