"""What the workflow costs a list page: one shared ``Machine`` versus a ``Machine`` per row.

Seeds 10,000 ideas (all 7 states, some owned, themed or from a meeting) into a fresh, migrated
SQLite file, or into a throw-away database on the PostgreSQL server named by
``IDEAFLOW_BENCH_DATABASE_URL`` when that is set. Then times, interleaved over several rounds:

(a) baseline: load every idea as a list page does (``selectinload`` of owner, themes and
    meeting, a fresh session each round) and build a plain dict per idea, no workflow data;
(b) the same plus ``idea.allowed_triggers``: the shared machine's transition table answers
    with a dictionary lookup, so no ``Machine`` is built or attached per row.

For contrast it measures the anti-pattern we avoid, a ``transitions.Machine`` bound to each
loaded row: time and (tracemalloc) memory per object. The gate is ``median(b) / median(a)
<= 1.2`` of wall-clock times, a ratio taken within one run, so the exit status does not depend
on machine speed; the ratio of CPU times is reported beside it, as it shrugs off busy neighbours.
"""

from __future__ import annotations

import gc
import json
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import sqlalchemy
import transitions
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload
from transitions import Machine

from bench.databases import fresh_database
from workflow.db import Database
from workflow.models import Base, Idea
from workflow.states import MACHINE, STATES
from workflow.views import idea_view

ROWS, ROUNDS, LIMIT = 10_000, 11, 1.2
SAMPLE = 1_000  # rows a per-row Machine is first timed on, and measured for memory on
FULL_RUN_BUDGET_S = 30.0  # time the per-row Machine on all ROWS when the sample predicts less
RESULT = Path(__file__).resolve().parent / "results" / "machine_overhead.json"
ROLES = ("admin", "manager", "owner", "owner", "viewer")
THEMES, MEETINGS = 8, 20
TABLE = [  # the anti-pattern copies the shared MACHINE: its states, transitions and gates
    {
        "trigger": name,
        "source": t.source,
        "dest": t.dest,
        "conditions": [c.func for c in t.conditions],
    }
    for name, event in MACHINE.events.items()
    for by_source in event.transitions.values()
    for t in by_source
]
PER_ROW_MACHINE = partial(
    Machine, states=list(MACHINE.states), transitions=TABLE, auto_transitions=False, send_event=True
)


def idea_row(n: int) -> dict[str, Any]:
    """Idea ``n``: states in turn; 2 in 3 owned, 1 in 4 from a meeting (timestamps default)."""
    state = STATES[n % len(STATES)].value
    return {
        "id": n,
        "title": f"Idea {n}",
        "state": state,
        "version": 1,
        "owner_id": 1 + n % len(ROLES) if n % 3 else None,
        "meeting_id": 1 + n % MEETINGS if n % 4 == 0 else None,
        "merged_into_id": 1 if state == "merged" else None,
    }


def seed(database: Database) -> None:
    """Bulk-insert users, themes, meetings and ``ROWS`` ideas, half of them with 1-3 themes."""
    seeds = {
        "users": [
            {"id": n, "email": f"u{n}@example.org", "name": f"User {n}", "role": role}
            for n, role in enumerate(ROLES, start=1)
        ],
        "themes": [
            {"id": n, "name": f"Theme {n}", "key": f"theme {n}"} for n in range(1, THEMES + 1)
        ],
        "meetings": [
            {"id": n, "title": f"Meeting {n}", "held_on": date(2025, 1 + n % 12, 1)}
            for n in range(1, MEETINGS + 1)
        ],
        "ideas": [idea_row(n) for n in range(1, ROWS + 1)],
        "idea_themes": [
            {"idea_id": n, "theme_id": 1 + (n + k) % THEMES}
            for n in range(2, ROWS + 1, 2)
            for k in range(1 + n % 3)
        ],
    }
    with database.session_factory.begin() as session:
        for table, rows in seeds.items():
            session.execute(insert(Base.metadata.tables[table]), rows)


def load(session: Session) -> Sequence[Idea]:
    """Every idea, loaded the way ``IdeaRepository.page`` loads a list page."""
    options = selectinload(Idea.owner), selectinload(Idea.themes), selectinload(Idea.meeting)
    return session.scalars(select(Idea).options(*options).order_by(Idea.id.desc())).all()


def plain_row(idea: Idea) -> dict[str, Any]:
    """(a) What a list page shows of an idea (as ``idea_view`` has it), without workflow data."""
    return {
        "id": idea.id,
        "title": idea.title,
        "state": idea.state,
        "owner": idea.owner.email if idea.owner else None,
        "themes": tuple(sorted((theme.name for theme in idea.themes), key=str.casefold)),
    }


def workflow_row(idea: Idea) -> dict[str, Any]:
    """(b) ``plain_row`` plus the triggers the shared workflow allows next."""
    row = plain_row(idea)
    row["allowed_triggers"] = idea.allowed_triggers
    return row


def check(database: Database) -> None:
    """Rows agree with ``idea_view``, and loading attached no model to the shared MACHINE."""
    with database.session_factory() as session:
        for idea in load(session):
            view, row = vars(idea_view(idea)), workflow_row(idea)
            if row != {key: view[key] for key in row}:
                raise RuntimeError(f"idea {idea.id}: {row} does not match idea_view")
    if MACHINE.models:
        raise RuntimeError("the shared MACHINE has models attached")


def timed_page(database: Database, build: Callable[[Idea], dict[str, Any]]) -> tuple[float, float]:
    """Wall and CPU seconds to load every idea in a fresh session and build a row each."""
    gc.collect()
    gc.disable()  # as timeit does: a collection would land in one arm by chance
    wall, cpu = time.perf_counter(), time.process_time()
    with database.session_factory() as session:
        rows = [build(idea) for idea in load(session)]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    gc.enable()
    if len(rows) != ROWS:
        raise RuntimeError(f"loaded {len(rows)} ideas, expected {ROWS}")
    return wall, cpu


def machine_per_row(database: Database, count: int, *, memory: bool = False) -> float:
    """ANTI-PATTERN: seconds (or traced bytes) to bind a Machine to each of ``count`` rows."""
    with database.session_factory() as session:  # closed unflushed: binding sets idea.state
        ideas, before = load(session)[:count], 0
        gc.collect()
        if memory:
            tracemalloc.start()
            before = tracemalloc.get_traced_memory()[0]
        start = time.perf_counter()
        machines = [PER_ROW_MACHINE(model=idea, initial=idea.state) for idea in ideas]
        spent = time.perf_counter() - start
        if memory:
            spent = float(tracemalloc.get_traced_memory()[0] - before)
            tracemalloc.stop()
        del machines
    return spent


def stats(samples: list[float]) -> dict[str, Any]:
    """Median, min and every sample, in seconds."""
    return {"median": statistics.median(samples), "min": min(samples), "samples": samples}


def measure() -> dict[str, Any]:
    """Seed a fresh database, check, then time (a) and (b) interleaved, then the anti-pattern."""
    builds = {"baseline": plain_row, "with_workflow": workflow_row}
    times: dict[str, list[float]] = {f"{name}{u}": [] for name in builds for u in ("_s", "_cpu_s")}
    with fresh_database() as (backend, url):
        database = Database(url)
        try:
            seed(database)
            check(database)
            for build in builds.values():  # warm-up: statement caches, mappers, pages
                timed_page(database, build)
            for round_ in range(ROUNDS):
                for name in sorted(builds, reverse=round_ % 2 == 1):  # alternate the order
                    wall, cpu = timed_page(database, builds[name])
                    times[f"{name}_s"].append(wall)
                    times[f"{name}_cpu_s"].append(cpu)
            sample_s = machine_per_row(database, SAMPLE)
            measured = ROWS if sample_s * ROWS / SAMPLE < FULL_RUN_BUDGET_S else SAMPLE
            machine_s = machine_per_row(database, ROWS) if measured == ROWS else sample_s
            machine_bytes = machine_per_row(database, SAMPLE, memory=True)
        finally:
            database.dispose()
    result: dict[str, Any] = {"backend": backend, "rows": ROWS, "rounds": ROUNDS, "limit": LIMIT}
    result |= {key: stats(samples) for key, samples in times.items()}
    a, b = result["baseline_s"], result["with_workflow_s"]
    result["ratio"] = b["median"] / a["median"]
    result["ratio_of_min"] = b["min"] / a["min"]
    result["cpu_ratio"] = (
        result["with_workflow_cpu_s"]["median"] / result["baseline_cpu_s"]["median"]
    )
    all_rows_s = machine_s / measured * ROWS
    result["anti_pattern_machine_per_row"] = {
        "measured_rows": measured,
        "extrapolated": measured < ROWS,
        "per_object_us": machine_s / measured * 1e6,
        "memory_per_object_kib": machine_bytes / SAMPLE / 1024,
        "memory_measured_rows": SAMPLE,
        "all_rows_s": all_rows_s,
        "ratio_if_used": (a["median"] + all_rows_s) / a["median"],
    }
    result["versions"] = {
        "python": sys.version.split()[0],
        "sqlalchemy": sqlalchemy.__version__,
        "transitions": transitions.__version__,
    }
    result["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return result


def main() -> int:
    """Measure, print a report, write the JSON result; exit 0 when the ratio is within LIMIT."""
    result = measure()
    result["passed"] = passed = result["ratio"] <= LIMIT
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    a, b = result["baseline_s"], result["with_workflow_s"]
    anti = result["anti_pattern_machine_per_row"]
    print(f"Workflow cost on a list page: {ROWS} ideas, {result['backend']}, {ROUNDS} rounds")
    print(f"  (a) baseline, no workflow  median {a['median']:.3f} s  min {a['min']:.3f} s")
    print(f"  (b) with allowed_triggers  median {b['median']:.3f} s  min {b['min']:.3f} s")
    print(f"  ratio median(b)/median(a)  {result['ratio']:.3f}")
    print(f"      (min/min {result['ratio_of_min']:.3f}, CPU time {result['cpu_ratio']:.3f})")
    print(f"  (c) ANTI-PATTERN, not used: a Machine per row, timed on {anti['measured_rows']} rows")
    print(
        f"      {anti['per_object_us']:.0f} µs and {anti['memory_per_object_kib']:.1f} KiB per row;"
        f" {anti['all_rows_s']:.2f} s for {ROWS} rows (ratio {anti['ratio_if_used']:.1f})"
    )
    verdict = "PASS" if passed else "FAIL"
    print(f"{verdict}: ratio {result['ratio']:.3f} {'<=' if passed else '>'} {LIMIT} limit")
    print(f"  results: {RESULT}")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
