"""Large inputs under the 20 MB limit are read completely and correctly.

How the reading time grows with the size of such inputs is measured by ``make bench``
(bench/import_scaling.py), as ratios within one run, not by timing tests.
"""

from __future__ import annotations

from pathlib import Path

from workflow.importer.document import parse_document
from workflow.importer.errors import MinutesRejected

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "interessentmoede-2025-06-12.txt"


def test_a_sample_repeated_to_a_megabyte_reads_in_time() -> None:
    content = SAMPLE.read_bytes() * 200  # 0.8 MB
    minutes = parse_document("referat.txt", content).minutes
    assert len(minutes.ideas) == 21 * 200
    assert len(minutes.themes) == 9  # the same nine, kept once


def test_a_bullet_with_thousands_of_wrapped_lines() -> None:
    content = ("Idéer\n• start\n" + "fortsat linje\n" * 8000).encode()
    (idea,) = parse_document("referat.txt", content).minutes.ideas
    assert idea.text == "start" + " fortsat linje" * 8000


def test_many_bullets_with_a_continuation_line_each() -> None:
    content = ("Møde\nIdéer\n" + "• En idé om noget\nFortsat her.\n" * 75_000).encode()
    ideas = parse_document("referat.txt", content).minutes.ideas
    assert len(ideas) == 75_000
    assert ideas[-1].text == "En idé om noget Fortsat her."


def test_a_very_long_line_in_the_participants_section() -> None:
    content = ("Idéer\n• En idé\n\nDeltagere\n" + "a" * 64_000 + "\n").encode()
    try:
        minutes = parse_document("referat.txt", content).minutes
    except MinutesRejected:
        return
    assert len(minutes.ideas) == 1
