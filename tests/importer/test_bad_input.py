"""Files that are not minutes: each ends in MinutesRejected with one clear sentence."""

from __future__ import annotations

import io
import random
import re
import zipfile
from pathlib import Path

import pytest
from reportlab.pdfgen.canvas import Canvas

from tests.importer import documents
from workflow.importer.document import parse_document, require_ideas
from workflow.importer.errors import MinutesRejected
from workflow.importer.readers import MAX_BYTES

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "interessentmoede-2025-06-12.txt"


def rejection(filename: str, content: bytes) -> str:
    """The message the importer gives; fails the test on any other outcome."""
    with pytest.raises(MinutesRejected) as caught:
        require_ideas(parse_document(filename, content))
    error = caught.value
    assert error.code == "invalid_minutes"
    assert str(error) == error.message
    assert_one_sentence(error.message)
    return error.message


def assert_one_sentence(message: str) -> None:
    assert message == message.strip()
    assert "\n" not in message
    assert message[0].isupper()
    assert message.endswith(".")
    # No second sentence: no ". X", "! X" or "? X" inside.
    assert not re.search(r"[.!?]\s+[A-ZÆØÅ]", message[:-1]), message


def test_random_bytes() -> None:
    content = random.Random(20250612).randbytes(8192)
    message = rejection("referat.txt", content)
    assert "not text, Word or PDF" in message


@pytest.mark.parametrize("filename", ["referat.txt", "referat", "referat.bin"])
def test_binary_data(filename: str) -> None:
    assert "cannot be read as minutes" in rejection(filename, bytes(range(256)) * 16)


def test_empty_file() -> None:
    assert rejection("referat.txt", b"") == "The file is empty."


@pytest.mark.parametrize("content", [b" ", b"\n\n\n", b"  \t\r\n  \r\n", b"\x0b\x0c"])
def test_whitespace_only(content: bytes) -> None:
    assert "empty" in rejection("referat.txt", content)


@pytest.mark.parametrize(
    "content", ["   \n\n".encode("utf-16"), b"\xef\xbb\xbf", b"\xef\xbb\xbf  \n \n"]
)
def test_whitespace_behind_a_byte_order_mark(content: bytes) -> None:
    message = rejection("referat.txt", content)
    assert "empty" in message


def test_prose_without_bullets() -> None:
    prose = (
        "Referat af mødet i styregruppen\n\n"
        "Vi talte om trafikken i byen, og alle var enige om, at noget må gøres. "
        "Næste møde holdes i august, hvor kommunen fremlægger en plan.\n\n"
        "Mødet sluttede kl. 16.\n"
    )
    message = rejection("referat.txt", prose.encode())
    assert "No ideas were found" in message
    unrecognised = parse_document("referat.txt", prose.encode()).minutes.unrecognised
    assert any("trafikken i byen" in text for text in unrecognised)
    assert "Mødet sluttede kl. 16." in unrecognised


def test_a_file_larger_than_20_mb() -> None:
    sample = SAMPLE.read_bytes()
    content = sample * (MAX_BYTES // len(sample) + 1)
    assert len(content) > MAX_BYTES
    assert "20 MB" in rejection("referat.txt", content)


def test_exactly_20_mb_is_not_refused_for_its_size() -> None:
    content = b"a" * MAX_BYTES
    assert "20 MB" not in rejection("referat.txt", content)  # refused as prose instead
    assert MAX_BYTES == 20 * 1024 * 1024


@pytest.mark.parametrize("filename", ["referat.doc", "referat.docx", "referat.txt"])
def test_an_old_word_file(filename: str) -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"Word.Document.8" + bytes(2000)
    message = rejection(filename, ole)
    assert "Old Word files (.doc)" in message
    assert "save the minutes as .docx, .odt or PDF" in message


def test_a_text_file_named_pdf() -> None:
    message = rejection("referat.pdf", SAMPLE.read_bytes())
    assert "referat.pdf" in message
    assert "not a readable PDF or Word file" in message


def test_a_text_file_named_docx() -> None:
    message = rejection("Referat.DOCX", SAMPLE.read_bytes())
    assert "Referat.DOCX" in message
    assert "not a readable PDF or Word file" in message


def test_a_broken_zip_named_docx() -> None:
    content = b"PK\x03\x04" + random.Random(7).randbytes(600)
    assert "not a readable Word (.docx) file" in rejection("referat.docx", content)


def test_a_zip_that_is_not_a_word_file() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("referat.txt", "• Cykelsti\n")
    assert "not a readable Word (.docx) file" in rejection("referat.docx", buffer.getvalue())


def test_a_word_file_cut_in_half() -> None:
    content = documents.as_docx()
    assert "not a readable Word (.docx) file" in rejection(
        "referat.docx", content[: len(content) // 2]
    )


def test_empty_pages_are_refused_without_starting_text_recognition(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from workflow.importer.readers import scan

    def no_tesseract(*_: object, **__: object) -> None:
        raise AssertionError("Tesseract started for pages with nothing on them")

    monkeypatch.setattr(scan, "_tesseract", no_tesseract)
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.showPage()
    canvas.showPage()
    canvas.save()
    assert "The PDF has no text" in rejection("referat.pdf", buffer.getvalue())


def test_a_scan_of_a_blank_page() -> None:
    # A page with a filled box and no text: text recognition runs and finds nothing to read.
    message = rejection("scanning.pdf", documents.scanned_pdf())
    assert message == "Text recognition found no text in the scan, so it cannot be read."


@pytest.mark.parametrize("fraction", [0.2, 0.5, 0.8, 0.95])
def test_a_pdf_truncated_midway(fraction: float) -> None:
    content = documents.as_pdf()
    message = rejection("referat.pdf", content[: int(len(content) * fraction)])
    assert "PDF is damaged" in message


@pytest.mark.parametrize(
    "content", [b"%PDF-", b"%PDF-1.7\n", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj"]
)
def test_a_pdf_header_without_a_document(content: bytes) -> None:
    assert "PDF is damaged" in rejection("referat.pdf", content)


def test_a_password_protected_pdf() -> None:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, encrypt="hemmelig")
    pdf.drawString(56, 800, "• Cykelsti")
    pdf.showPage()
    pdf.save()
    assert "password" in rejection("referat.pdf", buffer.getvalue())


def test_only_an_agenda() -> None:
    text = (
        "Møde i styregruppen 12.06.2025\n\nDagsorden\n"
        "• Velkomst\n• Godkendelse af referat\n• Status på projekterne\n• Eventuelt\n"
    )
    message = rejection("referat.txt", text.encode())
    assert "No ideas were found" in message
    minutes = parse_document("referat.txt", text.encode()).minutes
    assert minutes.unrecognised[-4:] == (
        "Velkomst",
        "Godkendelse af referat",
        "Status på projekterne",
        "Eventuelt",
    )


def test_only_participants() -> None:
    text = "Møde 12.06.2025\n\nDeltagere\n• Anne Sørensen, Randers Kommune, anne@randers.dk\n"
    assert "No ideas were found" in rejection("referat.txt", text.encode())


def test_an_agenda_as_a_word_file() -> None:
    import docx

    document = docx.Document()
    document.add_heading("Styregruppemøde", level=1)
    document.add_heading("Dagsorden", level=2)
    for item in ("Velkomst", "Status", "Eventuelt"):
        document.add_paragraph(item, style="List Number")
    buffer = io.BytesIO()
    document.save(buffer)
    assert "No ideas were found" in rejection("dagsorden.docx", buffer.getvalue())


def test_a_text_file_that_is_mostly_control_characters() -> None:
    content = b"\x01\x02\x03\x04 \xe2\x80\xa2 Cykelsti\n" * 50
    assert "not text, Word or PDF" in rejection("referat.txt", content)


def test_a_utf16_file_with_a_broken_character() -> None:
    good = SAMPLE.read_text(encoding="utf-8").encode("utf-16-le")
    content = b"\xff\xfe" + good[:100] + b"\x00\xd8" + good[100:]  # a lone surrogate
    assert "not text, Word or PDF" in rejection("referat.txt", content)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_control_characters_do_not_reach_the_parsed_texts(encoding: str) -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace("Unge uden for", "Unge\x00uden\x07for")
    try:
        minutes = parse_document("referat.txt", text.encode(encoding)).minutes
    except MinutesRejected:
        return  # refusing the file is as good
    fields = [minutes.title, *minutes.themes, *(idea.text for idea in minutes.ideas)]
    assert not [field for field in fields if re.search(r"[\x00-\x08\x0b-\x1f]", field)]
