"""The reminder sweep costs the same with 1,000,000 ideas as with 10,000 when 1,000 are due.

Seeds two fresh databases (SQLite; PostgreSQL when ``IDEAFLOW_BENCH_DATABASE_URL`` is set): one
with 10,000 ideas and one with 1,000,000, each with the same 1,000 ideas due (250 per occasion:
follow-up date arrived, unassessed for 14 days, pilot ended without evaluation, untouched for 30
days) and the same 2,000 active ideas that are not due (recent changes, future follow-up dates,
pilots still running, new ideas nobody owns yet). The rest is what makes an old installation
large, and what the sweep has to skip without reading it:

- the archive: scaled (each with its pilot plan and evaluation), rejected and merged ideas from
  the past six years, with a reminder history; one in three still carries the follow-up date it
  was given while open, a past date now;
- in the large database only (one in 20 of the ideas after the first 10,000: 49,500), open
  ideas that entered their state long ago but changed in the last four weeks: assessed or
  parked, with a follow-up date ahead or none, so due for nothing.

Each query of the sweep goes through an index that leaves these out (see
``workflow.services.followups``): the follow-up query through ``ix_ideas_state_follow_up``
(state, follow_up_on), which skips the archived ideas with past dates (``ix_ideas_follow_up_on``
alone would read them); the untouched query through ``ix_ideas_state_updated`` (state,
updated_at), which skips the open ideas changed since (``ix_ideas_state_changed`` would read
them); the unassessed query through ``ix_ideas_state_changed`` (proposed, state_changed_at); the
pilot-ended query reads the piloted ideas by state, each with its latest pilot plan.

Not seeded in bulk, because no index can skip them: a proposed idea with an owner that entered
its state long ago is due (unassessed), and the pilot-ended query reads every piloted idea
(whether its pilot has ended is in ``pilot_plans``). Then it times, on each database:

- the decision (``run_followups(..., dry_run=True)``: every query and decision, no writes), the
  median of several rounds: the gate is t(1M) / t(10k) <= 1.5;
- the whole sweep that queues the 1,000 reminders (median of a few rounds, each undone after),
  reported with its ratio and held to the same limit;

and then, from ``bench.followup_aged``, the sweep on an aged database where nothing is due,
1,000 against 100,000 ideas, held to the same limit.
"""

from __future__ import annotations

import gc
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, text

from bench import followup_aged
from bench.databases import fresh_database
from workflow.db import Database
from workflow.models import Base, Notification, Reminder
from workflow.services.followups import SweepReport, run_followups

SIZES = (10_000, 1_000_000)
DUE_PER_KIND = 250
DUE = 4 * DUE_PER_KIND
ACTIVE = 2_000  # open ideas that are not due
CHANGED_SINCE_EVERY = 20  # beyond the first 10,000: one idea in 20 is open, changed since
DECISION_ROUNDS, SWEEP_ROUNDS = 15, 3
# The same owners, moment, links and rules as the aged-database measurement.
OWNERS, CHUNK, LIMIT = followup_aged.OWNERS, followup_aged.CHUNK, followup_aged.LIMIT
NOW, TODAY = followup_aged.NOW, followup_aged.TODAY
LINKS, RULES = followup_aged.LINKS, followup_aged.RULES
RESULT = Path(__file__).resolve().parent / "results" / "followup_scaling.json"
ARCHIVED = ("scaled", "rejected", "merged")


def _idea(n: int, state: str, owner: int | None, changed: datetime, **more: Any) -> dict[str, Any]:
    row = {"id": n, "title": f"Idé {n}", "description": "", "search_text": f"ide {n}",
           "state": state, "owner_id": owner, "version": 1, "created_at": changed,
           "state_changed_at": changed, "updated_at": changed, "follow_up_on": None,
           "merged_into_id": None}  # fmt: skip
    row.update(more)
    return row


def due_and_active() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Ideas 1..DUE (due, 250 per occasion) and the next ACTIVE (open, not due), with plans."""
    ideas, plans = [], []
    for n in range(1, DUE + 1):
        owner, kind = 2 + n % OWNERS, (n - 1) // DUE_PER_KIND
        if kind == 0:  # follow-up date arrived (assessed recently, so nothing else holds)
            ideas.append(_idea(n, "assessed", owner, NOW - timedelta(days=5),
                               follow_up_on=TODAY - timedelta(days=n % 10)))  # fmt: skip
        elif kind == 1:  # proposed 20 days ago, not assessed
            ideas.append(_idea(n, "proposed", owner, NOW - timedelta(days=20)))
        elif kind == 2:  # pilot ended three days ago, changed ten days ago
            ideas.append(_idea(n, "piloted", owner, NOW - timedelta(days=100),
                               updated_at=NOW - timedelta(days=10)))  # fmt: skip
            plans.append(_plan(n, owner, ends=TODAY - timedelta(days=3)))
        else:  # parked (revisit date ahead), untouched for 40 days
            ideas.append(_idea(n, "parked", owner, NOW - timedelta(days=40),
                               follow_up_on=TODAY + timedelta(days=30)))  # fmt: skip
    for n in range(DUE + 1, DUE + ACTIVE + 1):
        owner, kind = 2 + n % OWNERS, n % 4
        recent = NOW - timedelta(days=n % 10, hours=1)
        if kind == 0:  # new from the minutes, nobody owns it yet
            ideas.append(_idea(n, "proposed", None, recent))
        elif kind == 1:  # assessed, follow-up ahead
            ideas.append(_idea(n, "assessed", owner, recent,
                               follow_up_on=TODAY + timedelta(days=1 + n % 30)))  # fmt: skip
        elif kind == 2:  # pilot running
            ideas.append(_idea(n, "piloted", owner, recent))
            plans.append(_plan(n, owner, ends=TODAY + timedelta(days=1 + n % 90)))
        else:  # parked, revisit ahead
            ideas.append(_idea(n, "parked", owner, recent,
                               follow_up_on=TODAY + timedelta(days=1 + n % 60)))  # fmt: skip
    return ideas, plans


def _plan(n: int, owner: int, ends: Any) -> dict[str, Any]:
    return {"id": n, "idea_id": n, "owner_id": owner, "starts_on": ends - timedelta(days=60),
            "ends_on": ends, "success_criteria": "Målbar effekt",
            "created_at": NOW - timedelta(days=100)}  # fmt: skip


def changed_since(n: int) -> bool:
    """Idea ``n`` of the rest is open, entered its state long ago and changed since (not due).

    Only beyond the ideas the two databases share, so the small one keeps its 2,000 active ideas.
    """
    return n > SIZES[0] and n % CHANGED_SINCE_EVERY == 0


def _changed_since(n: int) -> dict[str, Any]:
    """Assessed or parked two months or more ago, edited in the last four weeks, follow-up (or
    revisit) date ahead or, for some assessed ideas, none: due for nothing."""
    entered = NOW - timedelta(days=60 + n % 2000, minutes=n % 1440)
    edited = NOW - timedelta(days=n % 28, hours=1 + n % 12)
    state = "assessed" if n % (2 * CHANGED_SINCE_EVERY) else "parked"
    ahead = TODAY + timedelta(days=1 + n % 90)
    follow_up = None if state == "assessed" and n % 3 == 0 else ahead
    owner = 2 + (n // CHANGED_SINCE_EVERY) % OWNERS
    return _idea(n, state, owner, entered, updated_at=edited, follow_up_on=follow_up)


def rest(total: int) -> Iterator[dict[str, list[dict[str, Any]]]]:
    """The rest of ``total``, in chunks: finished ideas, each scaled idea with the pilot plan and
    evaluation that got it there, one in three with the follow-up date it had while open; and,
    in the large database, the open ideas changed since they entered their state."""
    first = DUE + ACTIVE + 1
    for start in range(first, total + 1, CHUNK):
        chunk: dict[str, list[dict[str, Any]]] = {"ideas": [], "pilot_plans": [], "evaluations": []}
        for n in range(start, min(start + CHUNK, total + 1)):
            if changed_since(n):
                chunk["ideas"].append(_changed_since(n))
                continue
            changed = NOW - timedelta(days=60 + n % 2000, minutes=n % 1440)
            state, owner = ARCHIVED[n % 3], 2 + n % OWNERS if n % 5 else None
            merged_into = 1 if state == "merged" else None
            # finished before the follow-up date it was given came (a past date now)
            follow_up = changed.date() + timedelta(days=1 + n % 30) if n % 9 < 3 else None
            chunk["ideas"].append(_idea(n, state, owner, changed, follow_up_on=follow_up,
                                        merged_into_id=merged_into))  # fmt: skip
            if state == "scaled":
                ended = changed.date() - timedelta(days=10)
                plan = _plan(n, owner or 2, ends=ended)
                chunk["pilot_plans"].append({**plan, "created_at": changed - timedelta(days=90)})
                chunk["evaluations"].append(
                    {"idea_id": n, "outcome": "success", "evaluation": "Godt resultat",
                     "scale_to": ["Hele kommunen"], "created_at": changed}
                )  # fmt: skip
        yield chunk


def archived_reminders(total: int) -> Iterator[list[dict[str, Any]]]:
    """A reminder history: one in ten archived ideas was reminded once, long ago."""
    first = DUE + ACTIVE + 1
    for start in range(first, total + 1, CHUNK * 10):
        yield [
            {"idea_id": n, "occasion": f"untouched:{(NOW - timedelta(days=400)).date()}",
             "number": 1, "owner_id": 2 + n % OWNERS, "sent_at": NOW - timedelta(days=400)}
            for n in range(start, min(start + CHUNK * 10, total + 1), 10)
            if not changed_since(n)
        ]  # fmt: skip


def seed(database: Database, total: int) -> None:
    """Users, the due and active ideas with their pilot plans, the rest and the reminders."""
    tables = Base.metadata.tables
    users = [{"id": 1, "email": "leder@example.dk", "name": "Leder", "role": "manager"}]
    users += [{"id": n, "email": f"ejer{n}@example.dk", "name": f"Ejer {n}", "role": "owner"}
              for n in range(2, OWNERS + 2)]  # fmt: skip
    ideas, plans = due_and_active()
    with database.session_factory.begin() as session:
        session.execute(insert(tables["users"]), users)
        session.execute(insert(tables["ideas"]), ideas)
        session.execute(insert(tables["pilot_plans"]), plans)
    for chunk in rest(total):
        with database.session_factory.begin() as session:
            for table, rows in chunk.items():
                session.execute(insert(tables[table]), rows)
    for chunk in archived_reminders(total):
        with database.session_factory.begin() as session:
            session.execute(insert(tables["reminders"]), chunk)
    if database.engine.dialect.name == "postgresql":  # statistics, as autovacuum keeps them
        with database.engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()


def decide(database: Database) -> tuple[float, SweepReport]:
    """Seconds for one dry run of the sweep."""
    gc.collect()
    with database.unit_of_work() as uow:
        started = time.perf_counter()
        report = run_followups(uow, LINKS, NOW, RULES, dry_run=True)
        return time.perf_counter() - started, report


def sweep(database: Database) -> tuple[float, SweepReport]:
    """Seconds for one real sweep; what it wrote is deleted afterwards (not timed)."""
    gc.collect()
    with database.unit_of_work() as uow:
        started = time.perf_counter()
        report = run_followups(uow, LINKS, NOW, RULES)
        seconds = time.perf_counter() - started
    with database.session_factory.begin() as session:
        session.execute(delete(Reminder).where(Reminder.sent_at == NOW))
        session.execute(delete(Notification))
    return seconds, report


def interleaved(
    databases: dict[int, Database],
    work: Callable[[Database], tuple[float, SweepReport]],
    rounds: int,
) -> dict[int, list[float]]:
    """``rounds`` timings of ``work`` on each database, alternating which goes first, so that a
    busy moment of the machine falls on both sizes alike."""
    times: dict[int, list[float]] = {total: [] for total in databases}
    for round_ in range(rounds):
        for total in sorted(databases, reverse=round_ % 2 == 1):
            seconds, report = work(databases[total])
            if len(report.queued) != DUE:
                raise RuntimeError(f"{total} ideas: {len(report.queued)} queued, not {DUE}")
            times[total].append(seconds)
    return times


def measure() -> dict[str, Any]:
    """Seed one database per size, then time the decision and the sweep on them in turns."""
    with ExitStack() as stack:
        databases: dict[int, Database] = {}
        seeded: dict[int, float] = {}
        for total in SIZES:
            backend, url = stack.enter_context(fresh_database())
            databases[total] = database = Database(url)
            stack.callback(database.dispose)
            started = time.perf_counter()
            seed(database, total)
            seeded[total] = time.perf_counter() - started
        for database in databases.values():
            decide(database)  # warm-up: statement caches, pages
        decisions = interleaved(databases, decide, DECISION_ROUNDS)
        sweeps = interleaved(databases, sweep, SWEEP_ROUNDS)
    return {
        "backend": backend,
        "due": DUE,
        "sizes": {
            total: {
                "seed_s": seeded[total],
                "decide_s": statistics.median(decisions[total]),
                "decide_samples": decisions[total],
                "sweep_s": statistics.median(sweeps[total]),
                "sweep_samples": sweeps[total],
            }
            for total in SIZES
        },
    }


def main() -> int:
    """Measure both sizes, print and write the figures; exit 1 when the large one is slower."""
    result = measure()
    small, large = (result["sizes"][total] for total in SIZES)
    ratios = {key: large[f"{key}_s"] / small[f"{key}_s"] for key in ("decide", "sweep")}
    result |= {"ratios": ratios, "limit": LIMIT}
    print(f"Reminder sweep with {DUE} ideas due, on {result['backend']} (medians):")
    for total in SIZES:
        figures = result["sizes"][total]
        decide_ms, sweep_ms = figures["decide_s"] * 1000, figures["sweep_s"] * 1000
        print(f"  {total:>9,} ideas: decide {decide_ms:7.1f} ms, "
              f"sweep {sweep_ms:7.1f} ms (seeded in {figures['seed_s']:.0f} s)")  # fmt: skip
    print(f"  ratio {SIZES[1]:,} / {SIZES[0]:,}: decide {ratios['decide']:.2f}, "
          f"sweep {ratios['sweep']:.2f}")  # fmt: skip
    RESULT.parent.mkdir(exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=2))
    worst = max(ratios.values())
    print(f"{'PASS' if worst <= LIMIT else 'FAIL'}: t(1M) / t(10k) at most {worst:.2f} "
          f"(limit {LIMIT})")  # fmt: skip
    aged = followup_aged.measure()  # nothing due: 1k against 100k aged ideas
    followup_aged.report(aged)
    result["aged"] = aged
    RESULT.write_text(json.dumps(result, indent=2))
    return 0 if worst <= LIMIT and aged["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
