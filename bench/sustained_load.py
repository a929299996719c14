"""Sustained load: 50 requests a second for five minutes against 100,000 ideas on PostgreSQL.

A PostgreSQL database seeded by ``bench.seed`` (100,000 ideas, 4,000 meetings, three years of
use) is served by ``ideaflow serve`` (gunicorn, its default workers and threads). Managers and
owners sign in over HTTP and an open-loop generator sends the mix of ``bench.load_mix`` (70%
reads of the board, filtered lists, idea pages, the dashboard, /my and the API lists; 20%
transitions and 10% edits through the forms) at a fixed rate, each request's latency counted
from when it was due. Without ``IDEAFLOW_BENCH_REDIS_URL`` the server runs in the embedded mode,
its worker and scheduler on the same two cores, as a one-machine installation does. The
database is vacuumed and analysed as in production (``bench.autovacuum``: by the benchmark, on
autovacuum's rule, where the server has autovacuum off).

The gates are the issue's absolute budget, not a ratio to a floor measured in the run: p95 at
most 300 ms, and no request failing.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from typing import Any

from bench.autovacuum import as_in_production
from bench.databases import fresh_database
from bench.http_client import cpu_seconds, serve
from bench.load_generator import open_loop
from bench.load_mix import (
    EDIT_SHARE,
    READS,
    TRANSITION_SHARE,
    Mix,
    load_edit_fields,
    people_for,
    share_out,
    sign_in_all,
    snapshot,
)
from bench.results import record, sized
from bench.seed import PASSWORD, seed_apart
from workflow.db import Database

RATE = 50.0
BUDGET_MS = 300.0
MANAGERS, OWNERS = 3, 5
REDIS_VARIABLE = "IDEAFLOW_BENCH_REDIS_URL"
MARGIN = 1.3  # the mix draws kinds at random: room for a run with more changes than the mean
CALIBRATION_ROUNDS = 5


def calibrate(mix: Mix, rounds: int) -> dict[str, float]:
    """Each read's median time when it is the only request (it also warms the server up)."""
    figures = {}
    for kind, _ in READS:
        times = []
        for _ in range(rounds):
            request = mix.read(kind)
            started = time.perf_counter()
            request()
            times.append(time.perf_counter() - started)
        figures[kind] = round(statistics.median(times) * 1000, 1)
    return figures


def run_load(
    database_url: str,
    *,
    rate: float,
    seconds: float,
    redis_url: str | None = None,
    seed_value: int = 13,
) -> dict[str, Any]:
    """Serve the database, sign people in, send the mix open-loop; return the run's summary."""
    rng = random.Random(seed_value)
    total = rate * seconds
    moves = int(total * TRANSITION_SHARE / 100 * MARGIN) + 5
    edits = int(total * EDIT_SHARE / 100 * MARGIN) + 5
    database = Database(database_url)
    try:
        data = snapshot(database, moves + edits, rng)
        managers, owners = people_for(database, MANAGERS, OWNERS)
        with (
            as_in_production(database_url) as autovacuum,
            serve(database_url, redis_url=redis_url) as server,
        ):
            roles = dict.fromkeys(managers, "manager") | dict.fromkeys(owners, "owner")
            people = sign_in_all(database_url, server.port, roles, PASSWORD)
            share_out(people, data.targets, moves, edits)
            load_edit_fields(database, data, [t.id for p in people for t in p.edits])
            mix = Mix(people, data, rng)
            alone = calibrate(mix, CALIBRATION_ROUNDS)
            workers = server.web_workers()
            before = sum(cpu_seconds(pid) for pid in workers)
            run = open_loop(mix, rate=rate, seconds=seconds)
            used = sum(cpu_seconds(pid) for pid in workers) - before
    finally:
        database.dispose()
    return {
        **run.summary(),
        "mode": "redis (web only)" if redis_url else "embedded (web, worker and scheduler)",
        "signed_in": {"managers": len(managers), "owners": len(owners)},
        "web_cpu_seconds": round(used, 1),
        "web_cpu_cores_busy": round(used / run.wall_seconds, 2),
        "database_upkeep": autovacuum.describe(),
        "one_at_a_time_median_ms": alone,
    }


def main() -> int:
    """Seed, run the load, record p95 against the budget and the error count."""
    ideas, meetings, seconds = sized(100_000, 1_000), sized(4_000, 40), sized(300, 8)
    with fresh_database("postgresql") as (backend, url):
        seed_apart(url, ideas, meetings, aged=True)
        summary = run_load(
            url, rate=RATE, seconds=seconds, redis_url=os.environ.get(REDIS_VARIABLE)
        )
    data = {"backend": backend, "ideas": ideas, "meetings": meetings, **summary}
    print(
        f"Sustained load, {RATE:.0f} requests/s for {seconds} s, {ideas} ideas on {backend}: "
        f"p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms, p99 {summary['p99_ms']} ms, "
        f"{summary['achieved_rps']} requests/s, {summary['errors']} errors, "
        f"web workers busy {summary['web_cpu_cores_busy']} cores; one request at a time "
        f"(median ms): {summary['one_at_a_time_median_ms']}"
    )
    print(f"  p95 by minute (ms): {summary['p95_ms_by_minute']}")
    for kind, figures in summary["kinds"].items():
        print(f"  {kind:<24} {figures['count']:>6}  p50 {figures['p50_ms']:>8} ms  "
              f"p95 {figures['p95_ms']:>8} ms")  # fmt: skip
    passed = record(
        "sustained_load_p95",
        summary["p95_ms"] / BUDGET_MS,
        1.0,
        at_most=True,
        baseline=(
            "the issue's absolute budget, p95 300 ms at 50 requests/s (no floor: a fixed "
            "target, not a ratio to a run-time measurement)"
        ),
        detail=data,
    )
    passed &= record(
        "sustained_load_errors",
        float(summary["errors"]),
        0,
        at_most=True,
        baseline="the issue's absolute budget: no request failing (non-2xx/3xx or no answer)",
        detail={
            "errors": summary["errors"],
            "requests": summary["requests"],
            "errors_by_kind": summary["errors_by_kind"],
            "error_samples": summary["error_samples"],
        },
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
