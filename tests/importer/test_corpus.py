"""The corpus (tests/corpus/minutes): every document gives exactly what it was written from."""

from __future__ import annotations

import json
from difflib import SequenceMatcher
from typing import Any

import pytest

from tests.corpus.build import ENTRIES, FOLDER, Entry, expectation_json, expected_path
from workflow.importer.document import parse_document, require_ideas
from workflow.importer.parser import ParsedMinutes

OCR_ALIKE = 0.85  # how close recognised text must be to what was printed


def found(minutes: ParsedMinutes) -> dict[str, Any]:
    """The parsed minutes in the shape of an expectation."""
    return {
        "title": minutes.title,
        "date": minutes.held_on.isoformat() if minutes.held_on else None,
        "location": minutes.location,
        "themes": list(minutes.themes),
        "ideas": [
            {
                "text": idea.text,
                "section": idea.section,
                "details": list(idea.details),
                "notes": [list(note) for note in idea.notes],
            }
            for idea in minutes.ideas
        ],
        "participants": [
            {"name": p.name, "organisation": p.organisation, "email": p.email}
            for p in minutes.participants
        ],
        "unrecognised": list(minutes.unrecognised),
        "ocr": minutes.ocr_confidence is not None,
    }


def alike(read: str, printed: str) -> bool:
    """Recognised text close enough to the printed text (case and spacing aside)."""

    def plain(text: str) -> str:
        return " ".join(text.casefold().split())

    return SequenceMatcher(None, plain(read), plain(printed)).ratio() >= OCR_ALIKE


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.filename for entry in ENTRIES])
def test_the_stored_files_are_the_ones_the_corpus_writes(entry: Entry) -> None:
    """The files in the folder match their expectations (run ``python -m tests.corpus.build``
    after changing the corpus)."""
    assert (FOLDER / entry.filename).is_file()
    stored = expected_path(entry.filename).read_text("utf-8")
    assert stored == expectation_json(entry.expected)


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.filename for entry in ENTRIES])
def test_each_document_imports_exactly(entry: Entry) -> None:
    content = (FOLDER / entry.filename).read_bytes()
    expected = json.loads(expected_path(entry.filename).read_text("utf-8"))
    actual = found(require_ideas(parse_document(entry.filename, content)).minutes)
    if not expected["ocr"]:
        assert actual == expected
        return
    # Text recognition may misread a letter: the structure must be exact, the text close.
    assert actual["ocr"] and len(actual["ideas"]) == len(expected["ideas"])
    for read, printed in zip(actual["ideas"], expected["ideas"], strict=True):
        assert alike(read["text"], printed["text"]), (read, printed)
        assert alike(read["section"] or "", printed["section"] or "")
    assert alike(actual["title"], expected["title"])
    assert actual["date"] == expected["date"]


def test_the_corpus_covers_every_layout() -> None:
    suffixes = {entry.filename.rsplit(".", 1)[1] for entry in ENTRIES}
    assert suffixes == {"docx", "odt", "txt", "pdf"}
    expectations = [entry.expected for entry in ENTRIES]
    assert any(idea["notes"] for e in expectations for idea in e["ideas"])  # tables
    assert any(idea["details"] for e in expectations for idea in e["ideas"])  # nesting
    assert any(e["ocr"] for e in expectations)  # a scan
    assert any(e["unrecognised"] for e in expectations)  # text left for a person
    stored = {path.name for path in FOLDER.iterdir()}
    written = {entry.filename for entry in ENTRIES}
    assert stored == written | {f"{name}.expected.json" for name in written}
