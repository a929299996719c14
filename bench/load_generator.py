"""An open-loop load generator: requests at a fixed arrival rate, whatever the server's pace.

Each request has a scheduled moment (``start + i / rate``) and is handed to a pool of threads
then, without waiting for the ones before it; its latency is counted from that moment, not from
when a thread got round to sending it, so a server that falls behind shows it in the figures
instead of slowing the generator down (no coordinated omission).
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from bench.http_client import REQUEST_TIMEOUT_S, Answer

Operation = tuple[str, Callable[[], Answer]]  # (kind, the request)
ERROR_SAMPLES = 10


@dataclass(frozen=True)
class Outcome:
    """One request: its kind, status (None after an exception), latency from its schedule and
    the schedule's moment in seconds from the run's start."""

    kind: str
    status: int | None
    seconds: float
    error: str | None = None
    at: float = 0.0

    @property
    def failed(self) -> bool:
        """Any answer outside 2xx/3xx, or no answer at all."""
        return self.status is None or not 200 <= self.status < 400


@dataclass
class LoadRun:
    """What one run sent and what came back."""

    rate: float
    seconds: float
    outcomes: list[Outcome] = field(default_factory=list)
    wall_seconds: float = 0.0
    late_sends: int = 0  # sends the scheduler itself started over 50 ms late

    def summary(self) -> dict[str, Any]:
        """Percentiles in ms, achieved rate, errors and per-kind counts."""
        latencies = sorted(o.seconds for o in self.outcomes)
        by_kind: dict[str, list[float]] = defaultdict(list)
        for outcome in self.outcomes:
            by_kind[outcome.kind].append(outcome.seconds)
        failed = [o for o in self.outcomes if o.failed]
        return {
            "p50_ms": _ms(percentile(latencies, 50)),
            "p95_ms": _ms(percentile(latencies, 95)),
            "p99_ms": _ms(percentile(latencies, 99)),
            "max_ms": _ms(latencies[-1] if latencies else 0.0),
            "target_rps": self.rate,
            "achieved_rps": round(len(self.outcomes) / self.wall_seconds, 2)
            if self.wall_seconds
            else 0.0,
            "requests": len(self.outcomes),
            "seconds": self.seconds,
            "late_sends": self.late_sends,
            "errors": len(failed),
            "errors_by_kind": dict(Counter(f"{o.kind} {o.status or o.error}" for o in failed)),
            "error_samples": [f"{o.kind}: {o.status} {o.error or ''}" for o in failed][
                :ERROR_SAMPLES
            ],
            "p95_ms_by_minute": self.p95_by_minute(),
            "kinds": {
                kind: {
                    "count": len(values),
                    "p50_ms": _ms(percentile(sorted(values), 50)),
                    "p95_ms": _ms(percentile(sorted(values), 95)),
                }
                for kind, values in sorted(by_kind.items())
            },
        }

    def p95_by_minute(self) -> list[float]:
        """p95 of the requests scheduled in each minute of the run: whether the server drifts."""
        minutes: dict[int, list[float]] = defaultdict(list)
        for outcome in self.outcomes:
            minutes[int(outcome.at // 60)].append(outcome.seconds)
        return [_ms(percentile(sorted(minutes[m]), 95)) for m in sorted(minutes)]


def percentile(ordered: list[float], pct: float) -> float:
    """The nearest-rank percentile of sorted values (0 for none)."""
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def open_loop(
    next_operation: Callable[[int], Operation],
    *,
    rate: float,
    seconds: float,
    threads: int = 200,
    give_up: float = REQUEST_TIMEOUT_S,
) -> LoadRun:
    """Send ``rate`` requests a second for ``seconds``; wait for the last; return the outcomes.

    A request no thread could send within ``give_up`` seconds of its moment is not sent but
    counted as failed, so a server far behind ends the run soon after the schedule does.
    """
    run = LoadRun(rate, seconds)
    lock = threading.Lock()

    def attempt(kind: str, request: Callable[[], Answer], scheduled: float) -> None:
        if time.perf_counter() - scheduled > give_up:  # a person would have left by now
            late = time.perf_counter() - scheduled
            outcome = Outcome(kind, None, late, "not sent: too late", scheduled - start)
            with lock:
                run.outcomes.append(outcome)
            return
        try:
            status, error = request().status, None
        except Exception as failure:  # every failure is a counted error
            status, error = None, type(failure).__name__
        outcome = Outcome(kind, status, time.perf_counter() - scheduled, error, scheduled - start)
        with lock:
            run.outcomes.append(outcome)

    total = int(rate * seconds)
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="load") as pool:
        start = time.perf_counter()
        for number in range(total):
            scheduled = start + number / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            elif delay < -0.05:
                run.late_sends += 1
            kind, request = next_operation(number)
            pool.submit(attempt, kind, request, scheduled)
    run.wall_seconds = time.perf_counter() - start
    return run
