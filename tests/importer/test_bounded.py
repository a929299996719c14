"""Reading in a child process under limits: the same result as reading in-process, and a
pathological file refused within its time or memory, in one sentence."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.importer import documents
from workflow import tuning
from workflow.importer.bounded import TOO_LARGE, TOO_SLOW, read_bounded
from workflow.importer.document import parse_document
from workflow.importer.errors import MinutesRejected

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "interessentmoede-2025-06-12.txt"
RENDERINGS: dict[str, Callable[[], bytes]] = {
    "referat.txt": lambda: documents.as_plain_text().encode(),
    "referat.docx": documents.as_docx,
    "referat.pdf": documents.as_pdf,
    "interessentmoede.txt": SAMPLE.read_bytes,
}


@pytest.mark.parametrize("name", list(RENDERINGS))
def test_the_child_reads_what_the_process_reads(name: str) -> None:
    content = RENDERINGS[name]()
    assert read_bounded(name, content) == parse_document(name, content)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("tom.txt", b"  \n", "The file is empty."),
        ("gammel.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "Old Word files"),
        ("brudt.pdf", b"%PDF-1.4\n% cut off\n", "The PDF is damaged"),
    ],
)
def test_a_refusal_in_the_child_is_the_same_sentence(
    name: str, content: bytes, reason: str
) -> None:
    with pytest.raises(MinutesRejected) as in_process:
        parse_document(name, content)
    with pytest.raises(MinutesRejected) as in_child:
        read_bounded(name, content)
    assert in_child.value.message == in_process.value.message
    assert in_child.value.message.startswith(reason)


def many_bullets(count: int) -> bytes:
    """Minutes with ``count`` bullet points (300,000 make about 6 MB)."""
    lines = "".join(f"• Idé {number} om stier\n" for number in range(count))
    return ("Referat af et meget langt møde\n\n" + lines).encode()


def many_paragraphs_docx(count: int) -> bytes:
    """A small Word file (well under 1 MB zipped) of ``count`` bulleted paragraphs."""
    paragraph = (
        '<w:p><w:pPr><w:pStyle w:val="ListParagraph"/><w:numPr><w:ilvl w:val="0"/>'
        '<w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>Idé om stier</w:t></w:r></w:p>'
    )
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = f"<w:document {ns}><w:body>{paragraph * count}</w:body></w:document>"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxml'
            'formats-package.relationships+xml"/><Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
            'document.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": body,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, text in parts.items():
            package.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "make", "reason"),
    [
        ("lang.txt", lambda: many_bullets(300_000), TOO_SLOW),
        # A Word file is counted while it is unpacked: its paragraphs' cap comes first.
        ("lang.docx", lambda: many_paragraphs_docx(300_000), "more than 20,000 paragraphs"),
    ],
)
def test_a_pathological_file_is_refused_when_its_time_is_up(
    name: str, make: Callable[[], bytes], reason: str
) -> None:
    content = make()
    started = time.monotonic()
    with pytest.raises(MinutesRejected) as refused:
        read_bounded(name, content, seconds=1.5)
    elapsed = time.monotonic() - started
    assert reason in refused.value.message
    # Refused within seconds (a generous bound: the machine may be busy), never after minutes.
    assert elapsed < 15, f"refused only after {elapsed:.1f} s"


def test_a_file_that_needs_too_much_memory_is_refused() -> None:
    limit = 150 * 1024 * 1024
    # The same limit reads real minutes; 300,000 bullets need more.
    assert read_bounded(SAMPLE.name, SAMPLE.read_bytes(), memory_bytes=limit).minutes.ideas
    with pytest.raises(MinutesRejected) as refused:
        read_bounded("lang.txt", many_bullets(300_000), seconds=60, memory_bytes=limit)
    assert refused.value.message == TOO_LARGE


def test_the_time_limit_comes_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tuning, "current", lambda: tuning.Tuning(read_seconds=1))
    started = time.monotonic()
    with pytest.raises(MinutesRejected, match="took too long"):
        read_bounded("lang.txt", many_bullets(300_000))
    assert time.monotonic() - started < 5
