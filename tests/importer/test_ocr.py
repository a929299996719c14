"""Scanned minutes read by Tesseract (the real program, in Danish): ideas, confidence, progress."""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.importer import documents, scans
from workflow import tuning
from workflow.importer.blocks import BlockKind
from workflow.importer.bounded import read_bounded
from workflow.importer.document import parse_document
from workflow.importer.errors import MinutesRejected
from workflow.importer.lines import BULLET
from workflow.importer.readers import ScanFound, read_document
from workflow.importer.readers.scan import (
    NO_OCR,
    RecognisedLine,
    bullet_marked,
    danish_tesseract,
    lines_to_blocks,
    recognised_lines,
)


@pytest.fixture(autouse=True, scope="module")
def _tesseract_installed() -> None:
    if danish_tesseract() is None:
        pytest.fail(
            "Tesseract with Danish is needed: apt-get install tesseract-ocr tesseract-ocr-dan"
        )


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.casefold(), b.casefold()).ratio()


def best_match(expected: str, found: list[str]) -> float:
    return max((similarity(expected, text) for text in found), default=0.0)


# Typed minutes as they are printed and scanned: a title, facts, two exercises, participants.
# Variants: the bullet character, the type size (at 20 points the minutes take two pages).
@pytest.mark.parametrize(
    ("bullet", "points", "spacing", "least_pages"),
    [("•", 12, 1.5, 1), ("-", 11, 3.0, 2)],
    ids=["dots", "dashes-pages"],
)
def test_a_scan_is_read_into_ideas_with_confidence(
    bullet: str, points: int, spacing: float, least_pages: int
) -> None:
    lines = documents.as_plain_text(bullet).splitlines()
    pdf = scans.scanned_pdf(lines, points=points, spacing=spacing, seed=points)
    pages = len(scans.page_images(lines, points=points, spacing=spacing))
    assert pages >= least_pages
    with pytest.raises(ScanFound) as found:  # without text recognition it is only recognised
        read_document("referat.pdf", pdf, ocr=False)
    assert found.value.pages == pages

    heard: list[tuple[int, int]] = []
    document = parse_document("referat.pdf", pdf, lambda done, total: heard.append((done, total)))
    assert heard == [(page, pages) for page in range(pages + 1)]

    minutes = document.minutes
    expected = documents.Expected()
    assert similarity(minutes.title, expected.title) >= 0.8, minutes.title
    assert minutes.held_on is not None and minutes.held_on.isoformat() == "2026-03-03"
    found_ideas = [idea.text for idea in minutes.ideas]
    for _section, text in expected.ideas:
        assert best_match(text, found_ideas) >= 0.8, (text, found_ideas)
    assert len(minutes.ideas) == len(expected.ideas)
    for theme in expected.themes:
        assert best_match(theme, list(minutes.themes)) >= 0.8, (theme, minutes.themes)
    names = [person.name for person in minutes.participants]
    for name, _organisation, _email in expected.participants:
        assert best_match(name, names) >= 0.8, (name, names)
    # Every idea says how sure the recognition was; the minutes give the mean.
    assert all(
        idea.confidence is not None and 50 <= idea.confidence <= 100 for idea in minutes.ideas
    )
    assert minutes.ocr_confidence is not None and 50 <= minutes.ocr_confidence <= 100
    assert document.media_type == "application/pdf"


def test_the_bounded_reader_reads_a_scan_with_progress() -> None:
    lines = ["Referat af mødet i Ældrerådet", "", "• Flere bænke langs åen i Østervang"]
    heard: list[tuple[int, int]] = []
    pdf = scans.scanned_pdf(lines, points=14)
    with pytest.raises(ScanFound):  # an upload's first reading leaves the scan to the worker
        read_bounded("scan.pdf", pdf)
    document = read_bounded("scan.pdf", pdf, ocr=True, progress=lambda *p: heard.append(p))
    assert heard == [(0, 1), (1, 1)]
    (idea,) = document.minutes.ideas
    assert similarity(idea.text, "Flere bænke langs åen i Østervang") >= 0.8, idea.text
    assert idea.confidence is not None


def test_without_tesseract_the_refusal_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pdf = scans.scanned_pdf(["Referat", "• Én idé"])
    missing = tuning.Tuning(tesseract=str(tmp_path / "no-such-tesseract"))  # IDEAFLOW_TESSERACT
    monkeypatch.setattr(tuning, "current", lambda: missing)
    with pytest.raises(MinutesRejected) as refused:
        parse_document("scan.pdf", pdf)
    assert refused.value.message == NO_OCR
    assert "tesseract-ocr-dan" in NO_OCR and "Word" in NO_OCR
    # The same in the child process, with a PATH where there is no tesseract at all.
    monkeypatch.setattr(tuning, "current", lambda: tuning.Tuning())
    python_only = tmp_path / "bin"
    python_only.mkdir()
    monkeypatch.setenv("PATH", str(python_only))
    assert shutil.which("tesseract") is None
    with pytest.raises(MinutesRejected) as in_child:
        read_bounded("scan.pdf", pdf, ocr=True)
    assert in_child.value.message == NO_OCR


def test_tesseract_without_danish_is_refused_the_same_way(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A Tesseract that knows English only: its language list lacks "dan".
    fake = tmp_path / "tesseract"
    fake.write_text("#!/bin/sh\nprintf 'List of available languages (1):\\neng\\n'\n")
    fake.chmod(0o755)
    monkeypatch.setattr(tuning, "current", lambda: tuning.Tuning(tesseract=str(fake)))
    with pytest.raises(MinutesRejected, match="tesseract-ocr-dan"):
        parse_document("scan.pdf", scans.scanned_pdf(["Referat", "• Én idé"]))
    assert os.access(fake, os.X_OK)


# --- the pieces: misread bullets, Tesseract's TSV, confidences per block ------------------------

DANISH_WORDS = st.sampled_from(
    ["Etabler", "Fartvisning", "Ældre", "Østergade", "Åen", "Borgerne", "Cykelsti", "Ny", "Vi"]
)
OCR_MARKS = ["e", "o", "«", "°", "©", "»", "*", "+", "•"]


@given(mark=st.sampled_from(OCR_MARKS), first=DANISH_WORDS, rest=st.lists(DANISH_WORDS, max_size=5))
def test_misread_bullets_become_bullets(mark: str, first: str, rest: list[str]) -> None:
    text = " ".join([first, *(word.lower() for word in rest)])
    bullet = BULLET.match(bullet_marked(f"{mark} {text}"))
    assert bullet is not None and bullet.group("text") == text


@pytest.mark.parametrize(
    "line",
    [
        "e-mail til alle deltagere",
        "eller måske en bænk",
        "o.s.v.",
        "Ordstyrer: Bo Jensen",
        "e mail",  # a lone "e" before a lower-case word is not a bullet
        "- Allerede en bullet",
    ],
)
def test_words_are_not_taken_for_bullets(line: str) -> None:
    assert bullet_marked(line) == line
    assert BULLET.match(line) is None or line.startswith("- ")


def tsv(rows: list[tuple[int, int, int, str, float]]) -> str:
    """Tesseract's TSV for words given as (block, paragraph, line, text, confidence)."""
    head = (
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\t"
        "conf\ttext"
    )
    out = [head, "1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t"]
    tops: dict[tuple[int, int, int], int] = {}
    for number, (block, paragraph, line, text, conf) in enumerate(rows, 1):
        # Lines 40 px apart, 30 px high; a new block starts two lines further down.
        if (block, paragraph, line) not in tops:
            tops[(block, paragraph, line)] = 40 * (len(tops) + 2 * (block - 1))
        top = tops[(block, paragraph, line)]
        out.append(f"4\t1\t{block}\t{paragraph}\t{line}\t0\t0\t{top}\t1\t30\t-1\t")
        out.append(f"5\t1\t{block}\t{paragraph}\t{line}\t{number}\t0\t0\t1\t1\t{conf}\t{text}")
    return "\n".join(out) + "\n"


def test_words_make_lines_with_their_mean_confidence() -> None:
    lines = recognised_lines(
        tsv(
            [
                (1, 1, 1, "Referat", 96.0),
                (1, 1, 1, "Ældrerådet", 80.0),
                (2, 1, 1, "e", 30.0),
                (2, 1, 1, "Flere", 90.0),
                (2, 1, 2, "bænke", 70.0),
            ]
        )
    )
    assert lines == [
        RecognisedLine("Referat Ældrerådet", 88.0, False),
        RecognisedLine("e Flere", 60.0, True),  # two lines' height below: a new paragraph
        RecognisedLine("bænke", 70.0, False),
    ]


@given(confidences=st.lists(st.floats(0, 100), min_size=2, max_size=6))
def test_a_wrapped_bullet_has_the_mean_confidence_of_its_lines(confidences: list[float]) -> None:
    words = ["bænke", "langs", "åen", "og", "stien", "mod", "skolen"]
    pieces = [RecognisedLine("e Flere", confidences[0], False)]
    pieces += [RecognisedLine(words[i], c, False) for i, c in enumerate(confidences[1:])]
    pieces += [RecognisedLine("Deltagere", 99.0, True)]
    blocks = lines_to_blocks(pieces)
    assert [block.kind for block in blocks] == [BlockKind.BULLET, BlockKind.TEXT]
    assert blocks[0].text == " ".join(["Flere", *words[: len(confidences) - 1]])
    assert blocks[0].confidence == pytest.approx(sum(confidences) / len(confidences), abs=0.06)
    assert blocks[1].confidence == 99.0
