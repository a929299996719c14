"""How reading minutes scales with their size: it must grow linearly, never quadratically.

Each shape of input (the kinds that once made a naive reader quadratic) is parsed at size n and
4n in the same run. The growth exponent log(t(4n) / t(n)) / log(4) is 1 for linear work and 2
for quadratic; the gate is an exponent of at most 1.3, a ratio within one run, so the result
does not depend on how fast the machine is.
"""

from __future__ import annotations

import contextlib
import json
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path

from workflow.importer.document import parse_document
from workflow.importer.errors import MinutesRejected

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "interessentmoede-2025-06-12.txt"
RESULT = Path(__file__).resolve().parent / "results" / "import_scaling.json"
LIMIT = 1.3
REPEATS = 3

SHAPES: dict[str, tuple[Callable[[int], bytes], int]] = {
    "one bullet wrapped over n lines": (
        lambda n: ("Idéer\n• start\n" + "fortsat linje\n" * n).encode(),
        5_000,
    ),
    "n bullets with a continuation line each": (
        lambda n: ("Møde\nIdéer\n" + "• En idé om noget\nFortsat her.\n" * n).encode(),
        10_000,
    ),
    "a participants line of n characters": (
        lambda n: ("Idéer\n• En idé\n\nDeltagere\n" + "a" * n + "\n").encode(),
        100_000,
    ),
    "the sample minutes repeated n times": (lambda n: SAMPLE.read_bytes() * n, 40),
}


def parse_seconds(content: bytes) -> float:
    """The best of a few timed parses of ``content``."""
    best = math.inf
    for _ in range(REPEATS):
        started = time.perf_counter()
        with contextlib.suppress(MinutesRejected):
            parse_document("minutes.txt", content)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    """Measure every shape, print the exponents, write the JSON, exit 1 if one grows too fast."""
    results = {}
    print(f"Reading minutes: growth exponent from n to 4n (limit {LIMIT})")
    for name, (make, n) in SHAPES.items():
        small, large = parse_seconds(make(n)), parse_seconds(make(4 * n))
        exponent = math.log(large / small) / math.log(4)
        results[name] = {"n": n, "seconds_n": small, "seconds_4n": large, "exponent": exponent}
        print(f"  {name:<42} {small:7.3f} s -> {large:7.3f} s   exponent {exponent:.2f}")
    worst = max(result["exponent"] for result in results.values())
    RESULT.parent.mkdir(exist_ok=True)
    RESULT.write_text(json.dumps({"limit": LIMIT, "shapes": results}, indent=2))
    verdict = "PASS" if worst <= LIMIT else "FAIL"
    print(f"{verdict}: worst exponent {worst:.2f} (limit {LIMIT})")
    return 0 if worst <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
