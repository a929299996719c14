"""``python -m soak [--quick] [--only NAME]``: run the scenarios, write the report, exit 1 on
any failure (2 when PostgreSQL or Redis is missing)."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import time
from datetime import datetime
from pathlib import Path

from soak.config import FULL, QUICK
from soak.report import report_document, summary, write_report
from soak.runner import run_scenario
from soak.scenarios import SCENARIOS
from soak.services import Services, ServiceUnavailable

REPORTS = Path("reports")


def say(text: str) -> None:
    """Print a progress line with the time."""
    print(f"{datetime.now():%H:%M:%S} {text}", flush=True)  # noqa: DTZ005 (local time to read)


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    """Run the soak from the command line; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m soak", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        default=os.environ.get("IDEAFLOW_SOAK_QUICK") == "1",
                        help="small sizes and short timings (IDEAFLOW_SOAK_QUICK=1)")  # fmt: skip
    known = ", ".join(SCENARIOS)
    parser.add_argument("--only", action="append", choices=list(SCENARIOS), metavar="NAME",
                        help=f"run only this scenario (repeatable): {known}")  # fmt: skip
    parser.add_argument("--report", type=Path, help="where to write the JSON report")
    args = parser.parse_args(argv)
    # Stopped from outside (make's timeout, CI): unwind, so every process we started is stopped
    # and every database and Redis number we borrowed is given back.
    signal.signal(signal.SIGTERM, _interrupted)
    sizes = QUICK if args.quick else FULL
    report = args.report or REPORTS / f"reliability{'-quick' if args.quick else ''}.json"
    try:
        services = Services.from_env()
    except ServiceUnavailable as error:
        print(f"soak: {error}", file=sys.stderr)
        return 2
    names: list[str] = args.only or list(SCENARIOS)
    started = time.monotonic()
    logs = report.parent / f"soak-logs-{sizes.mode}"  # every process's log, kept for reading
    shutil.rmtree(logs, ignore_errors=True)
    with services.redis_database() as redis_url:
        say(f"{sizes.mode} soak: {', '.join(names)} (process logs in {logs})")
        outcomes = []
        for name in names:
            outcomes.append(run_scenario(name, sizes, services, redis_url, logs, say))
            document = report_document(outcomes, sizes.mode, time.monotonic() - started)
            write_report(report, document)  # after each scenario: a long run shows progress
    print(summary(outcomes))
    print(f"report: {report} ({document['seconds']:.0f} s)")
    return 0 if document["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
