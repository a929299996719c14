"""Web memory: one gunicorn worker serving 50,000 requests of the read pages stays flat.

A small seeded database (PostgreSQL when the bench names a server, SQLite otherwise) is served
by ``ideaflow serve --workers 1``; a few signed-in people send the read mix of
``bench.load_mix`` (board, filtered lists, idea pages, dashboard, /my, API lists) back to back
from a few threads. The worker's resident memory (VmRSS) is read after the warm-up (the first
10% of the requests) and after each further tenth. The gate: at the end at most 10% above the
warm-up figure, measured in the same process within the same run.
"""

from __future__ import annotations

import os
import random
import sys
import threading
from collections import Counter
from typing import Any

from bench.databases import fresh_database
from bench.http_client import Server, resident_kb, serve
from bench.load_mix import Mix, people_for, sign_in_all, snapshot
from bench.results import record, sized
from bench.seed import PASSWORD, seed
from bench.sustained_load import REDIS_VARIABLE
from workflow.db import Database

GROWTH = 1.10
CLIENTS = 4
TENTHS = 10

IDEAS = sized(2_000, 500)


def closed_loop(mix: Mix, count: int, clients: int, statuses: Counter[str]) -> None:
    """Send ``count`` requests from ``clients`` threads, each waiting for its last answer."""
    lock = threading.Lock()
    left = [count]

    def client() -> None:
        while True:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
                kind, request = mix(left[0])
            try:
                answer = f"{request().status}"
            except Exception as failure:  # every failure is counted
                answer = type(failure).__name__
            with lock:
                statuses[f"{kind} {answer}"] += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def only_worker(server: Server) -> int:
    """The one web worker's process id."""
    workers = server.web_workers()
    if len(workers) != 1:
        raise RuntimeError(f"expected one web worker, found {workers}")
    return workers[0]


def measure(database_url: str, requests: int, redis_url: str | None) -> dict[str, Any]:
    """Serve with one worker, send ``requests`` reads; the worker's RSS after each tenth."""
    rng = random.Random(13)
    database = Database(database_url)
    try:
        data = snapshot(database, 0, rng)
        managers, owners = people_for(database, 1, 2)
    finally:
        database.dispose()
    statuses: Counter[str] = Counter()
    with serve(database_url, workers=1, redis_url=redis_url) as server:
        roles = dict.fromkeys(managers, "manager") | dict.fromkeys(owners, "owner")
        mix = Mix(sign_in_all(database_url, server.port, roles, PASSWORD), data, rng, changes=False)
        worker = only_worker(server)
        samples = []
        for _ in range(TENTHS):
            closed_loop(mix, requests // TENTHS, CLIENTS, statuses)
            samples.append(resident_kb(worker))
            print(f"web_memory: {sum(statuses.values())} requests, RSS {samples[-1]} kB",
                  file=sys.stderr, flush=True)  # fmt: skip
        if only_worker(server) != worker:
            raise RuntimeError("the web worker was replaced during the run")
    failed = {k: n for k, n in statuses.items() if not k.split()[-1].startswith(("2", "3"))}
    return {
        "requests": sum(statuses.values()),
        "rss_warm_kb": samples[0],
        "rss_end_kb": samples[-1],
        "rss_kb_each_tenth": samples,
        "errors": sum(failed.values()),
        "errors_by_kind": failed,
        "mode": "redis (web only)" if redis_url else "embedded (web, worker and scheduler)",
    }


def main() -> int:
    """Seed a small database, serve it, record the worker's memory growth."""
    requests = sized(50_000, 800)
    with fresh_database() as (backend, url):
        seed(url, IDEAS, 40)
        figures = measure(url, requests, os.environ.get(REDIS_VARIABLE))
    growth = figures["rss_end_kb"] / figures["rss_warm_kb"]
    print(
        f"One web worker on {backend}, {figures['requests']} read requests: RSS "
        f"{figures['rss_warm_kb']} kB after warm-up, {figures['rss_end_kb']} kB at the end "
        f"({growth:.3f}x); each tenth: {figures['rss_kb_each_tenth']}; "
        f"{figures['errors']} errors"
    )
    passed = record(
        "web_memory_growth",
        growth,
        GROWTH,
        at_most=True,
        baseline="the same worker's RSS after the warm-up (the first 10% of the requests)",
        detail={"backend": backend, "ideas": IDEAS, **figures},
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
