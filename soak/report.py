"""A scenario's outcome (figures and failed checks) and the report all outcomes make."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Outcome:
    """What one scenario measured, and which of its checks failed."""

    name: str
    figures: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def check(self, holds: bool, claim: str) -> bool:
        """Record ``claim`` as failed unless it ``holds``; return ``holds``."""
        if not holds:
            self.failures.append(claim)
        return holds

    @property
    def passed(self) -> bool:
        """True when every check held (and the scenario ran to its end)."""
        return not self.failures

    def describe(self) -> str:
        """The outcome in a few lines: verdict, failed checks, figures."""
        verdict = "PASS" if self.passed else "FAIL"
        lines = [f"{self.name}: {verdict}"]
        lines += [f"  failed: {failure}" for failure in self.failures]
        figures = ", ".join(f"{key}={_short(value)}" for key, value in self.figures.items())
        lines.append(f"  figures: {figures}")
        return "\n".join(lines)


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}"
    text = json.dumps(value, default=str) if isinstance(value, dict | list) else str(value)
    text = " ".join(text.split())
    return text if len(text) <= 120 else text[:117] + "..."


def report_document(outcomes: list[Outcome], mode: str, seconds: float) -> dict[str, Any]:
    """The JSON report: ``{"scenarios": {name: {"pass", "figures", "failed_checks"}}, ...}``."""
    return {
        "mode": mode,
        "seconds": round(seconds, 1),
        "passed": all(outcome.passed for outcome in outcomes),
        "scenarios": {
            outcome.name: {
                "pass": outcome.passed,
                "figures": outcome.figures,
                "failed_checks": outcome.failures,
            }
            for outcome in outcomes
        },
    }


def write_report(path: Path, document: dict[str, Any]) -> None:
    """Write the report as indented JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")


def summary(outcomes: list[Outcome]) -> str:
    """A readable summary: one block per scenario, then the verdict."""
    blocks = [outcome.describe() for outcome in outcomes]
    failed = [outcome.name for outcome in outcomes if not outcome.passed]
    verdict = f"FAILED: {', '.join(failed)}" if failed else "all scenarios passed"
    return "\n".join([*blocks, f"{len(outcomes)} scenarios, {verdict}"])
