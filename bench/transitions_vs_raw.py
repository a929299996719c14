"""What a transition costs through the service layer against the same writes issued by hand.

Seeds a database with ``bench.seed`` (ideas in every state, with their history and records),
adds a pool of proposed ideas, then fires ``assess`` with its gate data at them, each idea once,
two ways, with 1 client and with 8 clients:

(a) service: ``transitions.fire_trigger`` in its own unit of work per transition, as the web
    and the API call it (the idea read with its owner, themes, meeting and records in one
    statement, permission, version, state and gate checked, the answer built), as a manager with
    the version seen; its writes are one statement on PostgreSQL (data-modifying CTEs), four on
    SQLite;
(b) raw floor: the writes the service makes, issued through the driver (``sqlite3`` or
    ``psycopg``, no SQLAlchemy) in one transaction: ``UPDATE ideas ... WHERE id AND version``
    (its rowcount checked), ``INSERT`` of the assessment, of the history row (its id returned)
    and of the outbox row that carries that id, then ``COMMIT``.

Every client is a process of its own, on both databases: a deployment serves requests from
several worker processes (gunicorn), and threads would measure the GIL rather than the database.
Each client sets up and warms up (connections, statement caches) before a barrier releases them
together; throughput is transitions per second from the first start to the last finish. SQLite's
8 clients queue for its one write lock (busy timeout) on both arms alike. Rounds alternate the
order of the arms; the figures are medians. Each ratio is ``median(a) / median(b)``, measured in
the same run, gated at 0.5. PostgreSQL runs when ``IDEAFLOW_BENCH_DATABASE_URL`` names a server.
"""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from multiprocessing.synchronize import Barrier
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import func, insert, make_url, select

from bench import results
from bench.databases import backends, fresh_database
from bench.seed import seed
from workflow.db import SQLITE_BUSY_TIMEOUT_S, Database
from workflow.models import HistoryEntry, Idea, OutboxMessage, User
from workflow.services import transitions, users

GOAL = 0.5
CLIENTS = (1, 8)
ROUNDS = results.sized(5, 3)
PER_RUN = {1: results.sized(300, 40), 8: results.sized(800, 160)}  # transitions in one run
WARM_UP = 5  # transitions each client fires before the barrier
BACKGROUND = results.sized(20_000, 1_000)  # seeded ideas in every state
ASSESS = {"impact": 4, "feasibility": 3, "cost": 2, "summary": "Bred opbakning i borgerpanelet"}
ARMS = ("service", "raw")
FORK = multiprocessing.get_context("fork")  # a client starts in milliseconds, not seconds

Fire = Callable[[int], None]


def _service_client(url: str, manager_id: int) -> tuple[Fire, Callable[[], None]]:
    """(a) One unit of work per transition, as a request would run it."""
    database = Database(url)
    with database.unit_of_work() as uow:
        user = uow.users.get(manager_id)
        assert user is not None
        actor = users.actor_for(user)

    def fire(idea_id: int) -> None:
        with database.unit_of_work() as uow:
            moved = transitions.fire_trigger(
                uow, actor, idea_id, "assess", data=ASSESS, expected_version=1
            )
        assert moved.state == "assessed"

    return fire, database.dispose


def _payload(idea_id: int, history_id: int, actor_id: int) -> dict[str, Any]:
    """The outbox payload the service writes for this transition."""
    return {
        "idea_id": idea_id,
        "history_id": history_id,
        "trigger": "assess",
        "from_state": "proposed",
        "to_state": "assessed",
        "actor_id": actor_id,
        "reason": None,
        "data": ASSESS,
    }


def _raw_sqlite_client(url: str, manager_id: int) -> tuple[Fire, Callable[[], None]]:
    """(b) The same writes through ``sqlite3``, configured as the application's connections."""
    path = make_url(url).database
    assert path
    connection = sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_S)
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL"):
        connection.execute(f"PRAGMA {pragma}")
    data = json.dumps(ASSESS)

    def fire(idea_id: int) -> None:
        now = datetime.now(UTC).replace(tzinfo=None).isoformat(" ")
        moved = connection.execute(
            "UPDATE ideas SET state = ?, version = ?, state_changed_at = ?, updated_at = ?"
            " WHERE id = ? AND version = ?",
            ("assessed", 2, now, now, idea_id, 1),
        )
        if moved.rowcount != 1:
            raise RuntimeError(f"idea {idea_id}: version conflict")
        connection.execute(
            "INSERT INTO assessments (idea_id, impact, feasibility, cost, summary,"
            " assessed_by_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (idea_id, 4, 3, 2, ASSESS["summary"], manager_id, now),
        )
        history_id = connection.execute(
            'INSERT INTO idea_history (idea_id, "trigger", from_state, to_state, actor_id, at,'
            " reason, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (idea_id, "assess", "proposed", "assessed", manager_id, now, None, data),
        ).lastrowid
        assert history_id is not None
        connection.execute(
            "INSERT INTO outbox (event_type, aggregate_type, aggregate_id, payload, created_at,"
            " attempts) VALUES (?, ?, ?, ?, ?, ?)",
            ("idea.transitioned", "idea", idea_id,
             json.dumps(_payload(idea_id, history_id, manager_id)), now, 0),
        )  # fmt: skip
        connection.commit()

    return fire, connection.close


def _raw_postgres_client(url: str, manager_id: int) -> tuple[Fire, Callable[[], None]]:
    """(b) The same writes through ``psycopg``, one transaction per transition."""
    connection = psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(False))

    def fire(idea_id: int) -> None:
        now = datetime.now(UTC)
        moved = connection.execute(
            "UPDATE ideas SET state = %s, version = %s, state_changed_at = %s, updated_at = %s"
            " WHERE id = %s AND version = %s",
            ("assessed", 2, now, now, idea_id, 1),
        )
        if moved.rowcount != 1:
            raise RuntimeError(f"idea {idea_id}: version conflict")
        connection.execute(
            "INSERT INTO assessments (idea_id, impact, feasibility, cost, summary,"
            " assessed_by_id, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (idea_id, 4, 3, 2, ASSESS["summary"], manager_id, now),
        )
        row = connection.execute(
            'INSERT INTO idea_history (idea_id, "trigger", from_state, to_state, actor_id, at,'
            " reason, data) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (idea_id, "assess", "proposed", "assessed", manager_id, now, None, Jsonb(ASSESS)),
        ).fetchone()
        assert row is not None
        connection.execute(
            "INSERT INTO outbox (event_type, aggregate_type, aggregate_id, payload, created_at,"
            " attempts) VALUES (%s, %s, %s, %s, %s, %s)",
            ("idea.transitioned", "idea", idea_id,
             Jsonb(_payload(idea_id, row[0], manager_id)), now, 0),
        )  # fmt: skip
        connection.commit()

    return fire, connection.close


def _client(
    arm: str,
    url: str,
    manager_id: int,
    warm: list[int],
    ids: list[int],
    start: Barrier,
    report: Any,
) -> None:
    """One client process: set up, warm up, wait for the others, fire, report its span."""
    if arm == "service":
        fire, close = _service_client(url, manager_id)
    elif url.startswith("sqlite"):
        fire, close = _raw_sqlite_client(url, manager_id)
    else:
        fire, close = _raw_postgres_client(url, manager_id)
    for idea_id in warm:
        fire(idea_id)
    start.wait()
    began = time.perf_counter()  # CLOCK_MONOTONIC: comparable between processes
    for idea_id in ids:
        fire(idea_id)
    report.put((began, time.perf_counter()))
    close()


def run(arm: str, url: str, manager_id: int, clients: int, pool: Iterator[int]) -> float:
    """Transitions per second of ``clients`` processes firing ``PER_RUN[clients]`` in all."""
    each = PER_RUN[clients] // clients
    start, report = FORK.Barrier(clients), FORK.Queue()
    processes = []
    for _ in range(clients):
        warm = [next(pool) for _ in range(WARM_UP)]
        ids = [next(pool) for _ in range(each)]
        process = FORK.Process(
            target=_client, args=(arm, url, manager_id, warm, ids, start, report)
        )
        process.start()
        processes.append(process)
    spans = [report.get(timeout=600) for _ in processes]
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"a {arm} client exited with {process.exitcode}")
    elapsed = max(end for _, end in spans) - min(began for began, _ in spans)
    return each * clients / elapsed


def _needed() -> int:
    """Pool ideas one backend uses: every run's transitions and warm-ups."""
    per_round = sum(PER_RUN[c] // c * c + WARM_UP * c for c in CLIENTS)
    return ROUNDS * len(ARMS) * per_round


def _prepare(url: str) -> tuple[int, list[int]]:
    """Seed the background, add the pool of proposed ideas; return a manager's id and the pool."""
    seed(url, BACKGROUND, results.sized(200, 20))
    database = Database(url)
    try:
        with database.session_factory.begin() as session:
            manager_id = session.scalars(
                select(User.id).where(User.role == "manager", User.active).order_by(User.id)
            ).first()
            owner_ids = session.scalars(select(User.id).where(User.role == "owner")).all()
            assert manager_id is not None and owner_ids
            first = (session.scalar(select(func.max(Idea.id))) or 0) + 1
            now = datetime.now(UTC)
            pool = list(range(first, first + _needed()))
            rows = [
                {"id": n, "title": f"Forslag {n}", "description": "", "state": "proposed",
                 "version": 1, "owner_id": owner_ids[n % len(owner_ids)], "search_text": "",
                 "created_by_id": manager_id, "state_changed_at": now, "created_at": now,
                 "updated_at": now}
                for n in pool
            ]  # fmt: skip
            session.execute(insert(Idea), rows)
    finally:
        database.dispose()
    return manager_id, pool


def _check(url: str, pool: list[int], fired: int) -> None:
    """Each arm wrote what the other did: the ideas moved, one history and outbox row each."""
    database = Database(url)
    try:
        with database.session_factory() as session:
            in_pool = Idea.id.between(pool[0], pool[-1])
            moved = session.scalar(
                select(func.count()).where(in_pool, Idea.state == "assessed", Idea.version == 2)
            )
            history = session.scalar(
                select(func.count()).where(HistoryEntry.idea_id.between(pool[0], pool[-1]))
            )
            outbox = session.scalar(
                select(func.count()).where(
                    OutboxMessage.event_type == "idea.transitioned",
                    OutboxMessage.aggregate_id.between(pool[0], pool[-1]),
                )
            )
    finally:
        database.dispose()
    if not moved == history == outbox == fired:
        raise RuntimeError(f"fired {fired}: {moved} moved, {history} history, {outbox} outbox")


def measure(backend: str) -> dict[int, dict[str, list[float]]]:
    """Throughputs per client count and arm, over interleaved rounds, on a fresh database."""
    samples: dict[int, dict[str, list[float]]] = {c: {arm: [] for arm in ARMS} for c in CLIENTS}
    with fresh_database(backend, migrated=False) as (_, url):
        manager_id, pool = _prepare(url)
        ids = iter(pool)
        for round_ in range(ROUNDS):
            for clients in CLIENTS:
                for arm in ARMS if round_ % 2 == 0 else ARMS[::-1]:
                    samples[clients][arm].append(run(arm, url, manager_id, clients, ids))
        _check(url, pool, len(pool) - sum(1 for _ in ids))
    return samples


def main() -> int:
    """Measure each backend and record ``transition_vs_raw_<backend>_<clients>``."""
    passed = True
    for backend in backends():
        name = "postgres" if backend == "postgresql" else backend
        with _timed(f"{name}: {BACKGROUND} seeded ideas, {ROUNDS} rounds"):
            samples = measure(backend)
        for clients, arms in samples.items():
            service, raw = (statistics.median(arms[arm]) for arm in ARMS)
            print(
                f"  {name}, {clients} client(s): service {service:.0f}/s, raw {raw:.0f}/s"
                f" (medians of {arms['service']} and {arms['raw']})"
            )
            passed &= results.record(
                f"transition_vs_raw_{name}_{clients}",
                service / raw,
                GOAL,
                baseline=(
                    f"the same UPDATE ... WHERE id AND version and INSERTs (assessment, history,"
                    f" outbox) through {'sqlite3' if name == 'sqlite' else 'psycopg'} in one"
                    f" transaction, {clients} client process(es)"
                ),
                detail={
                    "service_per_s": round(service, 1),
                    "raw_per_s": round(raw, 1),
                    "service_samples": [round(x, 1) for x in arms["service"]],
                    "raw_samples": [round(x, 1) for x in arms["raw"]],
                    "transitions_per_run": PER_RUN[clients],
                    "seeded_ideas": BACKGROUND,
                },
            )
    return 0 if passed else 1


@contextmanager
def _timed(label: str) -> Iterator[None]:
    started = time.perf_counter()
    print(f"transitions vs raw SQL, {label}", flush=True)
    yield
    print(f"  ({time.perf_counter() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
