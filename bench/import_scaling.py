"""How reading minutes scales with their size: it must grow linearly, never quadratically.

Each shape of input (the kinds that once made a naive reader quadratic) is parsed at size n and
4n in the same run. The growth exponent log(t(4n) / t(n)) / log(4) is 1 for linear work and 2
for quadratic; the gate is an exponent of at most 1.3, a ratio within one run, so the result
does not depend on how fast the machine is.

Then similar ideas: minutes of 1,000, 4,000 and 16,000 generated Danish idea texts (a wide
vocabulary, one in 20 a near-duplicate of an earlier one) are read and checked for similar
ideas, and imported into a database that already holds as many ideas (some resembling the new
ones), each size in a child process of its own, which reports its seconds and peak resident
memory. The floor, measured in the same child, is reading the minutes and fingerprinting every
text once (for the import: and streaming the stored ideas). The gate is linear growth: the
CPU time per bullet at 16,000 over that at 1,000 at most 2.0, for both.
"""

from __future__ import annotations

import contextlib
import json
import math
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bench.databases import fresh_database
from tests.importer.idea_texts import idea_corpus, minutes, near_duplicate
from workflow.db import Database
from workflow.importer.document import parse_document
from workflow.importer.errors import MinutesRejected
from workflow.importer.similarity import (
    SIMILAR_AT,
    SimilarityIndex,
    fingerprint,
    similar_pairs,
    similarity,
)
from workflow.models import Base
from workflow.services.imports import import_minutes

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "interessentmoede-2025-06-12.txt"
RESULT = Path(__file__).resolve().parent / "results" / "import_scaling.json"
LIMIT = 1.3
REPEATS = 3
ROOT = Path(__file__).resolve().parents[1]
SIZES = (1_000, 4_000, 16_000)
LINEAR_LIMIT = 2.0  # time per bullet at the largest size / at the smallest

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


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = _clock()
    return wall - start[0], cpu - start[1]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_reading(bullets: int) -> dict[str, Any]:
    """In this (child) process: read generated minutes and find their similar ideas."""
    texts, rewrites = idea_corpus(bullets, seed=bullets)
    content = minutes(texts)
    start = _clock()
    document = parse_document("minutes.txt", content)
    index = SimilarityIndex()
    matches = similar_pairs([idea.description for idea in document.minutes.ideas], [], index=index)
    seconds, cpu = _since(start)
    peak = _peak_mb()  # before the floor is measured, so it is the peak of this path alone
    start = _clock()
    floor_document = parse_document("minutes.txt", content)
    prints = [fingerprint(idea.description) for idea in floor_document.minutes.ideas]
    floor, _ = _since(start)
    found = {(match.new_index, match.other_key) for match in matches}
    resembling = [  # the near-duplicates that still score at least the threshold
        (new, -(old + 1))
        for new, old in rewrites.items()
        if similarity(prints[new], prints[old]) >= SIMILAR_AT
    ]
    return {
        "bullets": len(document.minutes.ideas),
        "seconds": seconds,
        "cpu_seconds": cpu,
        "floor_seconds": floor,
        "peak_rss_mb": peak,
        "pairs": len(matches),
        "exact_comparisons": index.compared,
        "near_duplicates": len(resembling),
        "near_duplicates_found": sum(pair in found for pair in resembling),
    }


def seed_ideas(url: str, bullets: int) -> None:
    """As many stored ideas as the minutes have bullets; one in 50 resembles a new one."""
    stored, _ = idea_corpus(bullets, seed=bullets + 1)
    new, _ = idea_corpus(bullets, seed=bullets)
    rng = random.Random(bullets)
    for at in range(0, bullets, 50):
        stored[at] = near_duplicate(rng, new[rng.randrange(bullets)])
    rows = [
        {"title": text[:60], "description": text, "state": "proposed", "version": 1}
        for text in stored
    ]
    database = Database(url)
    with database.session_factory.begin() as session:
        session.execute(insert(Base.metadata.tables["ideas"]), rows)
    database.dispose()


def measure_import(bullets: int, url: str) -> dict[str, Any]:
    """In this (child) process: import generated minutes into the seeded database at ``url``."""
    texts, _ = idea_corpus(bullets, seed=bullets)
    content = minutes(texts)
    database = Database(url)
    start = _clock()
    with database.unit_of_work() as uow:
        result = import_minutes(uow, None, "minutes.txt", content)
    seconds, cpu = _since(start)
    peak = _peak_mb()
    start = _clock()
    with database.unit_of_work() as uow:
        document = parse_document("minutes.txt", content)
        for idea in document.minutes.ideas:
            fingerprint(idea.description)
        for _, text in uow.ideas.texts_for_similarity():
            fingerprint(text)
    floor, _ = _since(start)
    database.dispose()
    return {
        "bullets": len(result.ideas),
        "stored_ideas": bullets,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "floor_seconds": floor,
        "peak_rss_mb": peak,
        "pairs": len(result.similar),
        "pairs_with_stored_ideas": sum(pair.existing_position is None for pair in result.similar),
    }


def in_child(*arguments: str) -> dict[str, Any]:
    """Run ``measure_*`` in a fresh Python process; its figures are the last line it prints."""
    done = subprocess.run(  # noqa: S603 (this very script, with figures as arguments)
        [sys.executable, "-m", "bench.import_scaling", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def similar_ideas() -> tuple[dict[str, Any], bool]:
    """Measure reading and importing at every size; print the table and the linearity verdict."""
    runs: dict[str, list[dict[str, Any]]] = {"reading": [], "import": []}
    backends = set()
    for bullets in SIZES:
        runs["reading"].append(in_child("reading", str(bullets)))
        with fresh_database() as (backend, url):
            seed_ideas(url, bullets)
            runs["import"].append(in_child("import", str(bullets), url))
            backends.add(backend)
    return report(runs, " ".join(sorted(backends)))


def _per_bullet_growth(runs: list[dict[str, Any]], measure: str) -> float:
    first, last = runs[0], runs[-1]
    return (last[measure] / last["bullets"]) / (first[measure] / first["bullets"])


def report(runs: dict[str, list[dict[str, Any]]], backend: str) -> tuple[dict[str, Any], bool]:
    """Print the figures; linear when the CPU time per bullet grows at most ``LINEAR_LIMIT``-fold.

    CPU time (of the child process) is the gate because the machine is shared: other work
    stretches wall-clock times unevenly between sizes. The wall-clock growth is printed too.
    """
    print(f"Similar ideas: minutes of generated idea texts (import on {backend}, child processes)")
    verdicts = {}
    for name, figures in runs.items():
        for run in figures:
            extra = (
                f"near-duplicates {run['near_duplicates_found']}/{run['near_duplicates']}"
                if name == "reading"
                else f"with stored ideas {run['pairs_with_stored_ideas']}"
            )
            print(
                f"  {name:<8} {run['bullets']:>6} bullets {run['seconds']:7.2f} s "
                f"(cpu {run['cpu_seconds']:6.2f} s, {run['seconds'] / run['floor_seconds']:4.1f}"
                f" x floor) peak {run['peak_rss_mb']:6.0f} MB  pairs {run['pairs']:>5}  {extra}"
            )
        verdicts[name] = _per_bullet_growth(figures, "cpu_seconds")
        print(
            f"  {name}: time per bullet at {figures[-1]['bullets']} / at {figures[0]['bullets']}"
            f" = {verdicts[name]:.2f} cpu, {_per_bullet_growth(figures, 'seconds'):.2f} wall"
        )
    passed = all(ratio <= LINEAR_LIMIT for ratio in verdicts.values())
    return {"backend": backend, "limit": LINEAR_LIMIT, "runs": runs, "linearity": verdicts}, passed


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
    verdict = "PASS" if worst <= LIMIT else "FAIL"
    print(f"{verdict}: worst exponent {worst:.2f} (limit {LIMIT})")
    similar, linear = similar_ideas()
    print(
        f"{'PASS' if linear else 'FAIL'}: similar ideas grow linearly "
        f"(time per bullet ratio at most {LINEAR_LIMIT})"
    )
    RESULT.parent.mkdir(exist_ok=True)
    RESULT.write_text(
        json.dumps({"limit": LIMIT, "shapes": results, "similar_ideas": similar}, indent=2)
    )
    return 0 if worst <= LIMIT and linear else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["reading"]:
        print(json.dumps(measure_reading(int(sys.argv[2]))))
    elif sys.argv[1:2] == ["import"]:
        print(json.dumps(measure_import(int(sys.argv[2]), sys.argv[3])))
    else:
        sys.exit(main())
