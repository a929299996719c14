"""The reminder sweep on an aged database where nothing is due: 1,000 against 100,000 ideas.

Three years of use leave most open ideas with an occasion that holds (a follow-up date long
past, untouched for months, never assessed, a pilot ended without evaluation) and a reminder
history that makes nothing due: the managers were told long ago, or the owner was reminded this
week. Each database here is two thirds such ideas, with their reminders, and one third archive
(scaled and rejected ideas with a reminder each from long ago). Nothing is due in either.

The ideas are written in bulk as the upgrade to revision 0010 leaves them: the open ones marked
for the next sweep, the finished ones not. ``reschedule`` then works out each idea's next moment
once, as the first sweep after the upgrade does (timed, and reported beside the figure). Then
the sweep itself runs on both sizes in turns (it must queue nothing); the figure is
t(large) / t(small) of the fastest runs, goal at most 1.5, on SQLite and on PostgreSQL (when
``IDEAFLOW_BENCH_DATABASE_URL`` names a server): ``followup_sweep_sqlite`` and
``followup_sweep_postgres``. The quick run compares 1,000 with 5,000 ideas. The fastest run,
not the median: a sweep takes a few milliseconds, and on a machine shared with other work its
median measures the neighbours (on a load of 12 on 2 cores the samples of either size spread
from 1.5 to 25 ms); the medians are in the detail.
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

from bench import results
from bench.databases import backends, fresh_database
from workflow.clock import local_today
from workflow.db import Database
from workflow.followups.decisions import local_date
from workflow.followups.rules import FollowupRules
from workflow.followups.schedule import MARK
from workflow.models import Base
from workflow.notifications.links import Links
from workflow.services.followups import reschedule, run_followups

SMALL = 1_000
OWNERS = 200
ROUNDS = results.sized(41, 11)
CHUNK = 20_000
GOAL = 1.5
NOW = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)
TODAY = local_today(NOW)
LINKS = Links("https://ideer.example.dk", "bench-secret")
RULES = FollowupRules()
METRICS = {"sqlite": "followup_sweep_sqlite", "postgresql": "followup_sweep_postgres"}


def _ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


def _idea(
    n: int, state: str, changed: datetime, follow_up_on: date | None = None
) -> dict[str, Any]:
    finished = state in ("scaled", "rejected")
    return {"id": n, "title": f"Idé {n}", "description": "", "search_text": f"ide {n}",
            "state": state, "owner_id": 2 + n % OWNERS, "version": 1, "created_at": changed,
            "state_changed_at": changed, "updated_at": changed, "follow_up_on": follow_up_on,
            "merged_into_id": None, "next_check_at": None if finished else MARK}  # fmt: skip


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


def seed(database: Database, total: int) -> float:
    """The users, the aged ideas in chunks (plain bulk inserts), then each idea's next moment;
    returns the seconds that last step took."""
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
    started = time.perf_counter()
    with database.unit_of_work() as uow:
        reschedule(uow, NOW, RULES)
    seconds = time.perf_counter() - started
    if database.engine.dialect.name == "postgresql":  # statistics, as autovacuum keeps them
        with database.engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
    return seconds


def sweep(database: Database) -> float:
    """Seconds for one sweep, which must find nothing due."""
    gc.collect()
    with database.unit_of_work() as uow:
        started = time.perf_counter()
        report = run_followups(uow, LINKS, NOW, RULES)
        seconds = time.perf_counter() - started
    if report.queued or report.unescalated or report.failed:
        raise RuntimeError(f"{report} in an aged database where nothing should be due")
    return seconds


def measure(backend: str, sizes: tuple[int, int]) -> dict[str, Any]:
    """Seed both sizes on ``backend``, time the sweep on them in turns; medians and samples."""
    with ExitStack() as stack:
        databases: dict[int, Database] = {}
        first: dict[int, float] = {}
        for total in sizes:
            _, url = stack.enter_context(fresh_database(backend))
            databases[total] = database = Database(url)
            stack.callback(database.dispose)
            first[total] = seed(database, total)
            sweep(database)  # warm-up
        times: dict[int, list[float]] = {total: [] for total in sizes}
        for round_ in range(ROUNDS):
            for total in sorted(databases, reverse=round_ % 2 == 1):
                times[total].append(sweep(databases[total]))
    return {
        "fastest_ms": {str(total): min(times[total]) * 1000 for total in sizes},
        "median_ms": {str(total): statistics.median(times[total]) * 1000 for total in sizes},
        "samples_ms": {str(total): [s * 1000 for s in times[total]] for total in sizes},
        "first_sweep_s": {str(total): first[total] for total in sizes},
    }


def main() -> int:
    """Measure on each backend and record ``followup_sweep_<backend>``; 1 when a gate fails."""
    sizes = (SMALL, results.sized(100_000, 5_000))
    passed = True
    for backend in backends():
        figures = measure(backend, sizes)
        small, large = (figures["fastest_ms"][str(total)] for total in sizes)
        first = figures["first_sweep_s"][str(sizes[1])]
        print(f"Reminder sweep on an aged database, nothing due, on {backend} (fastest): "
              f"{sizes[0]:,} ideas {small:.2f} ms, {sizes[1]:,} ideas {large:.2f} ms; "
              f"the first sweep after the upgrade {first:.1f} s at {sizes[1]:,}")  # fmt: skip
        passed &= results.record(
            METRICS[backend],
            large / small,
            GOAL,
            at_most=True,
            baseline=f"the same sweep on {sizes[0]:,} aged ideas, nothing due, same run",
            detail={"backend": backend, "sizes": list(sizes), **figures},
        )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
