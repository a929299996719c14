"""The manager's pages with 100,000 ideas: the board and list pages query with limits.

Seeds 100,000 ideas (every state, with history) and times, in the same run, what the board and
a list page ask of the database against the naive baseline of loading every idea through the
ORM. The gate: the board and the list page each take at most a fifth of the baseline's time,
which no page that loads the ideas whole can manage. The dashboard's time is reported too.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from bench.databases import fresh_database
from bench.machine_overhead import idea_row
from workflow.db import Database
from workflow.models import Base, Idea
from workflow.permissions import Actor, Role
from workflow.services import dashboard, listing

ROWS = 100_000
ROUNDS = 5
LIMIT = 0.2
RESULT = Path(__file__).resolve().parent / "results" / "pages_scaling.json"
MANAGER = Actor(id=2, email="u2@example.org", name="Manager", role=Role.MANAGER)
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def seed(database: Database) -> None:
    """Users, meetings and ``ROWS`` ideas, each with one history row into its state."""
    start = NOW - timedelta(days=400)
    ideas = []
    history = []
    for n in range(1, ROWS + 1):
        row = idea_row(n)
        created = start + timedelta(minutes=n)
        changed = created + timedelta(days=n % 90)
        follow_up = (NOW - timedelta(days=n % 60)).date() if n % 5 == 0 else None
        row.update(
            created_at=created, updated_at=changed, state_changed_at=changed, follow_up_on=follow_up
        )
        ideas.append(row)
        if row["state"] != "proposed":
            history.append(
                {"idea_id": n, "trigger": "assess", "from_state": "proposed",
                 "to_state": row["state"], "at": changed, "data": {}}
            )  # fmt: skip
    with database.session_factory.begin() as session:
        session.execute(
            insert(Base.metadata.tables["users"]),
            [{"id": n, "email": f"u{n}@example.org", "name": f"User {n}", "role": role}
             for n, role in enumerate(("admin", "manager", "owner", "owner", "viewer"), 1)],
        )  # fmt: skip
        session.execute(
            insert(Base.metadata.tables["meetings"]),
            [{"id": n, "title": f"Meeting {n}"} for n in range(1, 21)],
        )
        session.execute(insert(Base.metadata.tables["ideas"]), ideas)
        session.execute(insert(Base.metadata.tables["idea_history"]), history)


def timed(work: Callable[[], Any]) -> float:
    """The median of a few timed runs of ``work``."""
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    """Seed, measure, print, write the JSON; exit 1 when a page is not well under the baseline."""
    with fresh_database() as (backend, url):
        database = Database(url)
        seed(database)

        def load_everything() -> None:
            with database.unit_of_work() as uow:
                uow.session.scalars(select(Idea).options(selectinload(Idea.owner))).all()

        def board() -> None:
            with database.unit_of_work() as uow:
                listing.board(uow, MANAGER)

        def list_page() -> None:
            with database.unit_of_work() as uow:
                listing.list_ideas(uow, MANAGER, {"state": "proposed", "sort": "follow_up"}, 1, 25)

        def dashboard_page() -> None:
            with database.unit_of_work() as uow:
                dashboard.dashboard(uow, MANAGER, now=NOW)

        pages = {
            "load every idea (baseline)": load_everything,
            "board": board,
            "list page (filtered, sorted)": list_page,
            "dashboard": dashboard_page,
        }
        figures = {name: timed(work) for name, work in pages.items()}
        database.dispose()
    baseline = figures["load every idea (baseline)"]
    ratios = {name: seconds / baseline for name, seconds in figures.items()}
    print(f"Pages with {ROWS} ideas on {backend} (median of {ROUNDS}):")
    for name, seconds in figures.items():
        print(f"  {name:<32} {seconds * 1000:8.1f} ms   {ratios[name]:5.2f} x baseline")
    gated = ("board", "list page (filtered, sorted)")
    worst = max(ratios[name] for name in gated)
    RESULT.parent.mkdir(exist_ok=True)
    RESULT.write_text(json.dumps({"backend": backend, "rows": ROWS, "seconds": figures,
                                  "ratios": ratios, "limit": LIMIT}, indent=2))  # fmt: skip
    verdict = "PASS" if worst <= LIMIT else "FAIL"
    print(f"{verdict}: board and list page at most {worst:.2f} x the baseline (limit {LIMIT})")
    return 0 if worst <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
