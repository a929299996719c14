"""``python -m bench [--quick]``: every benchmark in turn, then one table of ratios and gates.

Each benchmark runs in a process of its own (a crash in one does not hide the others) and
records its metrics in ``bench/results.json`` through ``bench.results.record``. Exit status: 0
when every gate passes, 1 when a gate fails, 2 when a benchmark crashed or a metric it owes is
missing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from bench import results

# module → the metrics it must record
BENCHMARKS: dict[str, tuple[str, ...]] = {
    "bench.import_scaling": (
        "import_scaling_sqlite",
        "import_scaling_postgres",
        "import_memory",
        "import_vs_parse",
        "reader_linear",
    ),
    "bench.pages_scaling": tuple(
        f"{metric}_{backend}"
        for backend in ("sqlite", "postgres")
        for metric in ("pages_p95_scaling", "pages_p50_100k", "pages_vs_bare_wsgi")
    ),
    "bench.followup_scaling": ("followup_sweep_sqlite", "followup_sweep_postgres"),
    "bench.transitions_vs_raw": tuple(
        f"transition_vs_raw_{backend}_{clients}"
        for backend in ("sqlite", "postgres")
        for clients in (1, 8)
    ),
    "bench.notify_vs_raw_smtp": ("notify_vs_raw_smtp",),
    "bench.sustained_load": ("sustained_load_p95", "sustained_load_errors"),
    "bench.web_memory": ("web_memory_growth",),
    "bench.worker_memory": ("worker_memory_growth",),
}


def run(quick: bool, only: list[str]) -> int:
    """Run the benchmarks, print the table and return the exit status."""
    results.reset()
    environment = dict(os.environ)
    if quick:
        environment[results.QUICK_VARIABLE] = "1"
    crashed = []
    timings = {}
    chosen = {name: metrics for name, metrics in BENCHMARKS.items() if not only or name in only}
    for module in chosen:
        print(f"== {module}", flush=True)
        started = time.monotonic()
        status = subprocess.call([sys.executable, "-m", module], env=environment)  # noqa: S603
        timings[module] = time.monotonic() - started
        if status not in (0, 1):
            crashed.append(f"{module} exited {status}")
    recorded = results.load()
    missing = [m for metrics in chosen.values() for m in metrics if m not in recorded]
    print("\n== bench/results.json (ratios within this run)")
    for metric, entry in sorted(recorded.items()):
        verdict = "PASS" if entry["pass"] else "FAIL"
        print(f"  {verdict}  {metric:<40} {entry['ratio']:>8}  {entry['detail']['gate']}")
    for module, seconds in timings.items():
        print(f"  ({module}: {seconds:.0f} s)")
    problems = crashed + [f"missing metric {metric}" for metric in missing]
    for problem in problems:
        print(f"  ERROR {problem}")
    if problems:
        return 2
    return 0 if all(entry["pass"] for entry in recorded.values()) else 1


def main() -> int:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small data, same gates")
    parser.add_argument("only", nargs="*", help="run only these modules (bench.name)")
    options = parser.parse_args()
    return run(options.quick or results.quick(), options.only)


if __name__ == "__main__":
    sys.exit(main())
