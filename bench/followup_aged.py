"""The reminder sweep on an aged database where nothing is due: 1,000 against 100,000 ideas.

Three years of use leave most open ideas with an occasion that holds (a follow-up date long
past, untouched for months, never assessed, a pilot ended without evaluation) and a reminder
history that makes nothing due: the managers were told long ago, or the owner was reminded this
week. Each database here is two thirds such ideas, with their reminders, and one third archive
(scaled and rejected ideas with a reminder each from long ago). Nothing is due in either.

The sweep's dry run is timed on both, interleaved; the figure is t(100k) / t(1k), goal 1.5.
Run on its own with ``python -m bench.followup_aged``; ``bench.followup_scaling`` runs it too.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, text

from bench.databases import fresh_database
from workflow.clock import local_today
from workflow.db import Database
from workflow.followups.decisions import local_date
from workflow.followups.rules import FollowupRules
from workflow.models import Base
from workflow.notifications.links import Links
from workflow.services.followups import run_followups

SIZES = (1_000, 100_000)
OWNERS = 200
ROUNDS = 15
CHUNK = 20_000
LIMIT = 1.5
NOW = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)
TODAY = local_today(NOW)
LINKS = Links("https://ideer.example.dk", "bench-secret")
RULES = FollowupRules()


def _ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


def _idea(
    n: int, state: str, changed: datetime, follow_up_on: date | None = None
) -> dict[str, Any]:
    return {"id": n, "title": f"Idé {n}", "description": "", "search_text": f"ide {n}",
            "state": state, "owner_id": 2 + n % OWNERS, "version": 1, "created_at": changed,
            "state_changed_at": changed, "updated_at": changed, "follow_up_on": follow_up_on,
            "merged_into_id": None}  # fmt: skip


def _reminders(n: int, occasion: str, *sent: tuple[int, int]) -> list[dict[str, Any]]:
    return [{"idea_id": n, "occasion": occasion, "number": number, "owner_id": 2 + n % OWNERS,
             "sent_at": _ago(days)} for number, days in sent]  # fmt: skip


def aged(n: int) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """Idea ``n`` with its pilot plans and reminders: an occasion holds, nothing is due."""
    age = 60 + n % 900
    kind = n % 6
    if kind == 0:  # follow-up date long past; the managers were told
        on = TODAY - timedelta(days=age)
        idea = _idea(n, "assessed", _ago(5 + n % 20), follow_up_on=on)
        return idea, [], _reminders(n, f"follow_up:{on}", (1, age - 1), (2, age - 8), (0, age - 15))
    if kind == 1:  # untouched for months; the owner was reminded in the last week
        idea = _idea(n, "parked", _ago(age))
        return idea, [], _reminders(n, f"untouched:{local_date(_ago(age))}", (1, n % 6))
    if kind == 2:  # never assessed; reminded twice, the second time in the last week
        idea = _idea(n, "proposed", _ago(age))
        occasion = f"unassessed:{local_date(_ago(age))}"
        return idea, [], _reminders(n, occasion, (1, 7 + n % 6), (2, n % 6))
    if kind == 3:  # pilot ended long ago without evaluation; the managers were told
        idea = _idea(n, "piloted", _ago(age + 60))
        plan = {"id": n, "idea_id": n, "owner_id": 2 + n % OWNERS,
                "starts_on": TODAY - timedelta(days=age + 60),
                "ends_on": TODAY - timedelta(days=age),
                "success_criteria": "Målbar effekt", "created_at": _ago(age + 60)}  # fmt: skip
        return (
            idea,
            [plan],
            _reminders(n, f"pilot_ended:{n}", (1, age - 1), (2, age - 8), (0, age - 15)),
        )
    state = "scaled" if kind == 4 else "rejected"  # the archive, reminded once long ago
    idea = _idea(n, state, _ago(age))
    return idea, [], _reminders(n, f"untouched:{local_date(_ago(age + 40))}", (1, age + 10))


def chunks(total: int) -> Iterator[dict[str, list[dict[str, Any]]]]:
    """All ``total`` ideas with their plans and reminders, ``CHUNK`` ideas at a time."""
    for start in range(1, total + 1, CHUNK):
        chunk: dict[str, list[dict[str, Any]]] = {"ideas": [], "pilot_plans": [], "reminders": []}
        for n in range(start, min(start + CHUNK, total + 1)):
            idea, plans, reminders = aged(n)
            chunk["ideas"].append(idea)
            chunk["pilot_plans"] += plans
            chunk["reminders"] += reminders
        yield chunk


def seed(database: Database, total: int) -> None:
    """The users, then the aged ideas in chunks (plain bulk inserts)."""
    tables = Base.metadata.tables
    users = [{"id": 1, "email": "leder@example.dk", "name": "Leder", "role": "manager"}]
    users += [{"id": n, "email": f"ejer{n}@example.dk", "name": f"Ejer {n}", "role": "owner"}
              for n in range(2, OWNERS + 2)]  # fmt: skip
    with database.session_factory.begin() as session:
        session.execute(insert(tables["users"]), users)
    for chunk in chunks(total):
        with database.session_factory.begin() as session:
            for table in ("ideas", "pilot_plans", "reminders"):
                if chunk[table]:
                    session.execute(insert(tables[table]), chunk[table])
    if database.engine.dialect.name == "postgresql":
        with database.engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()


def decide(database: Database) -> float:
    """Seconds for one dry run, which must find nothing due."""
    gc.collect()
    with database.unit_of_work() as uow:
        started = time.perf_counter()
        report = run_followups(uow, LINKS, NOW, RULES, dry_run=True)
        seconds = time.perf_counter() - started
    if report.queued or report.unescalated:
        raise RuntimeError(f"{len(report.queued)} due in an aged database where none should be")
    return seconds


def measure() -> dict[str, Any]:
    """Seed both sizes, time the dry run on them in turns; the ratio and its samples."""
    with ExitStack() as stack:
        databases: dict[int, Database] = {}
        for total in SIZES:
            backend, url = stack.enter_context(fresh_database())
            databases[total] = database = Database(url)
            stack.callback(database.dispose)
            seed(database, total)
            decide(database)  # warm-up
        times: dict[int, list[float]] = {total: [] for total in SIZES}
        for round_ in range(ROUNDS):
            for total in sorted(databases, reverse=round_ % 2 == 1):
                times[total].append(decide(databases[total]))
    small, large = (statistics.median(times[total]) for total in SIZES)
    ratio = large / small
    return {
        "ratio": ratio,
        "goal": LIMIT,
        "pass": ratio <= LIMIT,
        "detail": {
            "backend": backend,
            "baseline": f"the same sweep on {SIZES[0]:,} aged ideas, nothing due",
            "median_s": {str(total): statistics.median(times[total]) for total in SIZES},
            "samples_s": {str(total): times[total] for total in SIZES},
        },
    }


def report(result: dict[str, Any]) -> None:
    """Print the figure."""
    detail = result["detail"]
    small, large = (detail["median_s"][str(total)] * 1000 for total in SIZES)
    print(f"Reminder sweep on an aged database, nothing due, on {detail['backend']} (medians):")
    print(f"  {SIZES[0]:>7,} ideas: {small:7.1f} ms;  {SIZES[1]:>7,} ideas: {large:7.1f} ms")
    print(f"{'PASS' if result['pass'] else 'FAIL'}: t(100k) / t(1k) = {result['ratio']:.2f} "
          f"(goal {LIMIT}; baseline: {detail['baseline']})")  # fmt: skip


if __name__ == "__main__":
    outcome = measure()
    report(outcome)
    sys.exit(0 if outcome["pass"] else 1)
