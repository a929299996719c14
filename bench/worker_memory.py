"""Whether a worker's memory stays flat while it sends a large mailing.

Seeds one idea with 5,000 stakeholders who want mail at once (200 in a quick run), fires
``assess`` and relays the outbox, then ten times over queues the notifications as production
does (delivery tasks of ``tasks.batches.BATCH_SIZE``) to a real ``ideaflow worker
--concurrency 2`` (through a private redis-server), which sends them to a local aiosmtpd server
in a process of its own: 50,000 messages (5,000), each round's notifications set pending and
untried again once the round's were all recorded as sent.

The worker's resident memory (its main process and its pool processes, ``VmRSS`` from /proc) is
read after the first round, the first 10 % of the messages (warm-up: imports, connections,
caches filled), and again after the last. The figure is ``worker_memory_growth``: the memory at
the end over the memory after warm-up, at most 1.10. PostgreSQL as in
``bench.notify_vs_raw_smtp``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from sqlalchemy import select

from bench import results
from bench.notify_vs_raw_smtp import (
    BASE_URL,
    CONCURRENCY,
    SECRET,
    Sink,
    reset,
    running_worker,
    seed,
)
from tasks.celery_app import IdeaflowCelery, create_celery
from tasks.delivery import enqueue_deliveries
from workflow.db import Database
from workflow.models import Notification
from workflow.notifications.links import Links

PER_ROUND, ROUNDS = results.sized(5_000, 200), 10
MESSAGES = PER_ROUND * ROUNDS
GOAL = 1.10


def resident_kb(pid: int) -> int:
    """``VmRSS`` of one process in kB (0 once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except (FileNotFoundError, ProcessLookupError):
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    """The direct children of ``pid`` (the worker's pool processes)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        path = task / "children"
        if path.exists():
            found += [int(child) for child in path.read_text(encoding="ascii").split()]
    return found


def worker_memory(pid: int) -> dict[str, int]:
    """Resident kB of the worker's main process and of each pool process."""
    pool = sorted(children(pid))
    return {"main": resident_kb(pid), **{f"pool-{n}": resident_kb(c) for n, c in enumerate(pool)}}


def send_round(database: Database, app: IdeaflowCelery, sink: Sink, ids: list[int]) -> None:
    """Queue every notification, pending and untried, and wait until all are recorded sent."""
    reset(database)
    with app.producer_or_acquire():
        enqueue_deliveries(app, ids)
    sink.wait_for(len(ids), timeout=1800)
    sink.take()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the last outcomes are written just after the 250
        with database.unit_of_work() as uow:
            statuses = set(uow.session.scalars(select(Notification.status).distinct()))
        if statuses == {"sent"}:
            return
        time.sleep(0.1)
    raise AssertionError(f"after a round: {statuses}")


def main() -> int:
    with running_worker() as run:
        database, worker = run.database, run.worker
        ids = seed(database, Links(BASE_URL, SECRET), PER_ROUND)
        print(f"{PER_ROUND:,} notifications, sent {ROUNDS} times", flush=True)
        started_kb = worker_memory(worker.pid)
        app = create_celery(run.settings, set_as_current=False)
        started = time.perf_counter()
        send_round(database, app, run.sink, ids)
        warm_seconds = time.perf_counter() - started
        warm_kb = worker_memory(worker.pid)
        for _ in range(ROUNDS - 1):
            send_round(database, app, run.sink, ids)
        end_seconds = time.perf_counter() - started
        end_kb = worker_memory(worker.pid)
    warm, end = sum(warm_kb.values()), sum(end_kb.values())
    ratio = end / warm
    for name, kb in (("at start", started_kb), ("after warm-up", warm_kb), ("at the end", end_kb)):
        parts = ", ".join(f"{part} {value / 1024:.0f}" for part, value in kb.items())
        print(f"  worker {name}: {sum(kb.values()) / 1024:.0f} MB ({parts})")
    print(f"  {MESSAGES:,} messages in {end_seconds:.1f} s ({MESSAGES / end_seconds:.0f}/s); "
          f"the first round (warm-up) took {warm_seconds:.1f} s")  # fmt: skip
    passed = results.record(
        "worker_memory_growth",
        ratio,
        GOAL,
        at_most=True,
        baseline="the same worker's resident memory after the first 10% of the messages",
        detail={
            "messages": MESSAGES,
            "rounds": ROUNDS,
            "worker_processes": CONCURRENCY,
            "resident_mb": {
                "start": round(sum(started_kb.values()) / 1024, 1),
                "after_warm_up": round(warm / 1024, 1),
                "end": round(end / 1024, 1),
            },
            "by_process_kb": {"after_warm_up": warm_kb, "end": end_kb},
            "seconds": {"warm_up": round(warm_seconds, 1), "all": round(end_seconds, 1)},
        },
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
