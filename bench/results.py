"""Every benchmark's figures in one file: ``bench/results.json``, metric → ratio, goal, pass.

Each figure is a ratio measured within one run against a floor measured in the same run (the
raw driver, a bare WSGI app, a plain smtplib loop, parsing alone, the small database), so a busy
or slow machine moves both sides together. ``record`` merges one metric into the file; the
runner (``python -m bench``) empties it first and fails when a gate fails or a metric is missing.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

QUICK_VARIABLE = "IDEAFLOW_BENCH_QUICK"
RESULTS_VARIABLE = "IDEAFLOW_BENCH_RESULTS"  # another file, for the test that runs the quick bench
RESULTS = Path(os.environ.get(RESULTS_VARIABLE) or Path(__file__).resolve().parent / "results.json")


def quick() -> bool:
    """Whether this run is ``make bench QUICK=1``: small data, few rounds, the same gates."""
    return os.environ.get(QUICK_VARIABLE, "") not in ("", "0")


def sized(full: int, small: int) -> int:
    """``full`` in a full run, ``small`` in a quick one."""
    return small if quick() else full


def load() -> dict[str, dict[str, Any]]:
    """The metrics recorded so far in this run (empty when there is no file yet)."""
    try:
        return dict(json.loads(RESULTS.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return {}


def reset() -> None:
    """Start a run with no metrics."""
    RESULTS.unlink(missing_ok=True)


def record(
    metric: str,
    ratio: float,
    goal: float,
    *,
    at_most: bool = False,
    baseline: str,
    detail: dict[str, Any] | None = None,
) -> bool:
    """Store ``metric`` (passes when ``ratio >= goal``, or ``<=`` with ``at_most``) and print it."""
    passed = ratio <= goal if at_most else ratio >= goal
    entry = {
        "ratio": round(ratio, 3),
        "goal": goal,
        "pass": passed,
        "detail": {
            "gate": f"ratio {'<=' if at_most else '>='} {goal}",
            "baseline": baseline,
            "quick": quick(),
            **(detail or {}),
        },
    }
    metrics = load()
    metrics[metric] = entry
    _write(metrics)
    sign = "<=" if at_most else ">="
    verdict = "PASS" if passed else "FAIL"
    print(
        f"  {metric}: {ratio:.2f} (goal {sign} {goal}) {verdict}; baseline: {baseline}", flush=True
    )
    return passed


def _write(metrics: dict[str, dict[str, Any]]) -> None:
    """Replace the file atomically, so a reader never sees half of it."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=RESULTS.parent, delete=False, suffix=".tmp"
    ) as handle:
        json.dump(metrics, handle, indent=2, sort_keys=True)
        handle.write("\n")
    os.replace(handle.name, RESULTS)
