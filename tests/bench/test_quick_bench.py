"""``make bench QUICK=1``: every benchmark runs on small data and records every metric it owes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.__main__ import BENCHMARKS
from bench.results import QUICK_VARIABLE, RESULTS_VARIABLE

ROOT = Path(__file__).resolve().parents[2]


def test_quick_bench_records_every_metric(postgres_server_url: str, tmp_path: Path) -> None:
    """The runner finishes, and each metric has its ratio, goal, verdict and stated baseline."""
    results = tmp_path / "results.json"
    environment = {
        **os.environ,
        QUICK_VARIABLE: "1",
        RESULTS_VARIABLE: str(results),
        "IDEAFLOW_BENCH_DATABASE_URL": postgres_server_url,
    }
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--quick"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode in (0, 1), completed.stdout[-4000:] + completed.stderr[-4000:]
    recorded = json.loads(results.read_text(encoding="utf-8"))
    owed = {metric for metrics in BENCHMARKS.values() for metric in metrics}
    assert owed <= set(recorded), owed - set(recorded)
    for metric, entry in recorded.items():
        assert set(entry) == {"ratio", "goal", "pass", "detail"}, metric
        assert entry["detail"]["baseline"], metric
        assert entry["detail"]["quick"] is True, metric
        assert isinstance(entry["ratio"], int | float), metric
