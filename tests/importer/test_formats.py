"""The same minutes as PDF, Word, PDF-extracted text and typed text; encodings; bullet styles."""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from tests.importer import documents
from workflow.importer.document import ParsedDocument, parse_document
from workflow.importer.parser import ParsedMinutes
from workflow.importer.readers import decode_text, read_document

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "interessentmoede-2025-06-12.txt"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT = "text/plain; charset=utf-8"

RENDERINGS: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "pdf": ("referat.pdf", documents.as_pdf, PDF),
    "docx": ("referat.docx", documents.as_docx, DOCX),
    "pdf-extracted text": ("referat.txt", lambda: documents.as_pdf_text().encode(), TEXT),
    "typed text": ("referat.txt", lambda: documents.as_plain_text().encode(), TEXT),
}


def assert_expected(minutes: ParsedMinutes) -> None:
    expected = documents.Expected()
    assert minutes.title == expected.title
    assert list(minutes.themes) == expected.themes
    assert [(idea.section, idea.text) for idea in minutes.ideas] == expected.ideas
    assert [(p.name, p.organisation, p.email) for p in minutes.participants] == (
        expected.participants
    )


@pytest.mark.parametrize("rendering", list(RENDERINGS))
def test_every_rendering_gives_the_expected_minutes(rendering: str) -> None:
    filename, render, media_type = RENDERINGS[rendering]
    document = parse_document(filename, render())
    assert document.media_type == media_type
    minutes = document.minutes
    assert_expected(minutes)
    assert minutes.held_on == date(2026, 3, 3)
    assert (minutes.location, minutes.host, minutes.recorder) == (
        "Langå Kulturhus, Bredgade 2",
        "Bo Jensen",
        "Mette Holm",
    )
    assert [idea.position for idea in minutes.ideas] == [1, 2, 3, 4, 5]
    assert {idea.exercise for idea in minutes.ideas} == {"Øvelse 2: Hvad gør vi nu?"}
    assert minutes.ideas[0].title == "Etabler en sikker skolevej langs Randersvej"
    assert minutes.ideas[2].title.startswith("Cykelbus: forældre skiftes")


def test_the_format_is_found_from_the_content_not_the_name() -> None:
    assert parse_document("referat", documents.as_pdf()).media_type == PDF
    assert parse_document("referat.txt", documents.as_docx()).media_type == DOCX
    assert parse_document("REFERAT.PDF", documents.as_pdf()).media_type == PDF
    assert_expected(parse_document("upload.bin", documents.as_docx()).minutes)


def test_read_document_gives_blocks_in_reading_order() -> None:
    media_type, blocks = read_document("referat.docx", documents.as_docx())
    assert media_type == DOCX
    texts = [block.text for block in blocks]
    assert texts[0] == documents.TITLE
    assert texts.index("Deltagere") > texts.index("Det kan vi selv gøre")


# --- encodings and line ends ----------------------------------------------------------------

ENCODINGS: dict[str, Callable[[str], bytes]] = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8 with BOM": lambda text: text.encode("utf-8-sig"),
    "utf-16 LE with BOM": lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    "utf-16 BE with BOM": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    "utf-16 LE without BOM": lambda text: text.encode("utf-16-le"),
    "utf-16 BE without BOM": lambda text: text.encode("utf-16-be"),
    "cp1252": lambda text: text.encode("cp1252"),
}
LINE_ENDS = {"LF": "\n", "CRLF": "\r\n", "CR": "\r"}


def cp1252_safe(text: str) -> str:
    """The Symbol-font bullet does not exist in Windows-1252; Word would have written •."""
    return text.replace("\uf0b7", "•")


TEXTS: dict[str, Callable[[], str]] = {
    "sample": lambda: cp1252_safe(SAMPLE.read_text(encoding="utf-8")),
    "pdf-extracted": lambda: cp1252_safe(documents.as_pdf_text()),
    "typed": documents.as_plain_text,
}


@pytest.mark.parametrize("line_end", list(LINE_ENDS))
@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize("source", list(TEXTS))
def test_encodings_and_line_ends_read_the_same(source: str, encoding: str, line_end: str) -> None:
    text = TEXTS[source]()
    reference = parse_document("referat.txt", text.encode("utf-8"))
    content = ENCODINGS[encoding](text.replace("\n", LINE_ENDS[line_end]))
    document = parse_document("referat.txt", content)
    assert document.minutes == reference.minutes
    # The fingerprint is of the text as read: a re-encoded copy is the same document.
    assert document.content_hash == reference.content_hash


def test_the_sample_with_word_bullets_in_cp1252_is_the_sample() -> None:
    original = parse_document("sample.txt", SAMPLE.read_bytes())
    windows = parse_document("sample.txt", cp1252_safe(SAMPLE.read_text("utf-8")).encode("cp1252"))
    assert windows.minutes == original.minutes
    assert windows.content_hash == original.content_hash
    assert len(windows.minutes.themes) == 9
    assert len(windows.minutes.ideas) == 21


@pytest.mark.parametrize(
    ("content", "text"),
    [
        (b"\xef\xbb\xbfMinutes", "Minutes"),
        (codecs.BOM_UTF16_LE + "Æblegård".encode("utf-16-le"), "Æblegård"),
        (codecs.BOM_UTF16_BE + "Æblegård".encode("utf-16-be"), "Æblegård"),
        ("Æblegård – ”citat”".encode("utf-16-le"), "Æblegård – ”citat”"),
        ("Æblegård – ”citat”".encode("utf-16-be"), "Æblegård – ”citat”"),
        ("Æblegård – ”citat” • …".encode("cp1252"), "Æblegård – ”citat” • …"),
        ("Æblegård – ”citat”".encode(), "Æblegård – ”citat”"),
    ],
)
def test_decode_text(content: bytes, text: str) -> None:
    assert decode_text(content) == text


def test_danish_letters_survive_every_encoding() -> None:
    text = "Møde på Ærø\n\nIdéer\n• Åben skolegård for børn – ”hele året”\n"
    for encode in ENCODINGS.values():
        (idea,) = parse_document("x.txt", encode(text)).minutes.ideas
        assert idea.text == "Åben skolegård for børn – ”hele året”"


# --- bullet styles --------------------------------------------------------------------------

BULLET_STYLES = {
    "symbol font U+F0B7": "\uf0b7",
    "bullet •": "•",
    "square ▪": "▪",
    "hyphen -": "-",
    "asterisk *": "*",
    "en dash –": "–",
    "black circle ●": "●",
    "wingdings square U+F0A7": "\uf0a7",
}


@pytest.mark.parametrize("style", list(BULLET_STYLES))
def test_each_bullet_style(style: str) -> None:
    minutes = parse_document("referat.txt", documents.as_plain_text(BULLET_STYLES[style]).encode())
    assert_expected(minutes.minutes)


@pytest.mark.parametrize("style", list(BULLET_STYLES))
def test_bullet_styles_with_tabs_indents_and_wrapped_lines(style: str) -> None:
    bullet = BULLET_STYLES[style]
    text = (
        "Borgermøde 12.06.2025\n\nForslag\n"
        f"{bullet}\tCykelsti langs Randersvej\n"
        f"   {bullet}  Fartvisningstavler ved indkørslen til byen, så bilerne\n"
        "     sænker farten om morgenen\n"
    )
    minutes = parse_document("referat.txt", text.encode()).minutes
    assert [idea.text for idea in minutes.ideas] == [
        "Cykelsti langs Randersvej",
        "Fartvisningstavler ved indkørslen til byen, så bilerne sænker farten om morgenen",
    ]


def test_mixed_bullet_styles_in_one_document() -> None:
    text = "Møde\n\nEmner\n\uf0b7 Trafik\n• Støj\n\nForslag\n- Cykelsti\n* Bus\n– Tog\n▪ Færge\n"
    minutes = parse_document("referat.txt", text.encode()).minutes
    assert minutes.themes == ("Trafik", "Støj")
    assert [idea.text for idea in minutes.ideas] == ["Cykelsti", "Bus", "Tog", "Færge"]


# --- Word and PDF files made here -----------------------------------------------------------


def word_file() -> bytes:
    """Minutes as another office writes them: Title style, numbered and typed bullets."""
    import docx

    document = docx.Document()
    document.add_paragraph("Referat af dialogmøde om ældreliv 12.06.2025", style="Title")
    document.add_paragraph("Sted: Randers Bibliotek")
    document.add_paragraph("Facilitator: Lone Bak")
    document.add_heading("Udfordringer", level=2)
    document.add_paragraph("Ensomhed blandt ældre", style="List Number")
    document.add_paragraph("– Lange ventelister til ”Madklubben”")
    document.add_heading("Det kan vi selv gøre", level=2)
    document.add_paragraph("• Besøgsvenner fra foreningerne")
    document.add_paragraph("Spisefællesskaber på skolerne", style="List Bullet 2")
    document.add_heading("Spørgsmål/andet", level=2)
    document.add_heading("Deltagere", level=2)
    table = document.add_table(rows=0, cols=3)
    for row in [
        ("Navn", "Organisation", "E-mail"),
        ("Dorte Ege", "Ældrerådet", "dorte@aeldreraad.dk"),
        ("Erik Fog", "Ældresagen", ""),
    ]:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = value
    document.add_paragraph("Åse Ørum, Frivilligcentret")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_word_file_with_headings_bullets_and_participants() -> None:
    document = parse_document("dialogmøde.docx", word_file())
    minutes = document.minutes
    assert document.media_type == DOCX
    assert minutes.title == "Referat af dialogmøde om ældreliv 12.06.2025"
    assert minutes.held_on == date(2025, 6, 12)
    assert (minutes.location, minutes.host) == ("Randers Bibliotek", "Lone Bak")
    assert minutes.themes == ("Ensomhed blandt ældre", "Lange ventelister til ”Madklubben”")
    # A list item is at most one level below the list item above it, and a typed "•" is no list
    # item: "List Bullet 2" under it is a bullet of its own.
    assert [(idea.section, idea.text, idea.position) for idea in minutes.ideas] == [
        ("Det kan vi selv gøre", "Besøgsvenner fra foreningerne", 1),
        ("Det kan vi selv gøre", "Spisefællesskaber på skolerne", 2),
    ]
    assert [(p.name, p.organisation, p.email) for p in minutes.participants] == [
        ("Dorte Ege", "Ældrerådet", "dorte@aeldreraad.dk"),
        ("Erik Fog", "Ældresagen", None),
        ("Åse Ørum", "Frivilligcentret", None),
    ]


def pdf_over_two_pages(count: int = 40) -> bytes:
    """Many two-line bullets, so that at least one is split by the page break."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    y = 800.0

    def line(text: str, x: float = 56, font: str = "Helvetica") -> None:
        nonlocal y
        if y < 60:
            pdf.showPage()
            y = 800.0
        pdf.setFont(font, 11)
        pdf.drawString(x, y, text)
        y -= 16

    line("Borgermøde 12. juni 2025", font="Helvetica-Bold")
    line("Referent: Mette Holm")
    line("")
    line("Forslag", font="Helvetica-Bold")
    for number in range(1, count + 1):
        pdf.setFont("Helvetica", 11)
        if y < 60:
            pdf.showPage()
            y = 800.0
        pdf.drawString(62, y, "•")
        line(f"Idé nummer {number}: cykelstier og bedre belysning langs", x=76)
        line("stierne, så børnene kommer trygt i skole – også om vinteren", x=76)
    pdf.save()
    return buffer.getvalue()


def test_a_pdf_whose_bullets_run_over_a_page_break() -> None:
    minutes = parse_document("forslag.pdf", pdf_over_two_pages()).minutes
    assert minutes.held_on == date(2025, 6, 12)
    assert minutes.recorder == "Mette Holm"
    assert [idea.text for idea in minutes.ideas] == [
        f"Idé nummer {number}: cykelstier og bedre belysning langs stierne, så børnene kommer "
        "trygt i skole – også om vinteren"
        for number in range(1, 41)
    ]
    assert {idea.section for idea in minutes.ideas} == {"Forslag"}


def pdf_with_columns() -> bytes:
    """A PDF whose lines are drawn in pieces: a date right of the title, a table of people."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("Helvetica", 11)
    pdf.drawString(56, 800, "Referat af borgermøde")
    pdf.drawString(400, 800, "12.06.2025")
    pdf.drawString(56, 770, "Øvelse 1")
    pdf.drawString(150, 770, "Udfordringer")
    pdf.drawString(62, 750, "•")
    pdf.drawString(76, 750, "Trafik")
    pdf.drawString(56, 720, "Forslag")
    pdf.drawString(62, 700, "•")
    pdf.drawString(76, 700, "Cykelsti")
    pdf.drawString(56, 670, "Deltagere")
    pdf.drawString(56, 650, "Anne Sørensen")
    pdf.drawString(200, 650, "Randers Kommune")
    pdf.drawString(350, 650, "anne@randers.dk")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_a_pdf_table_of_participants_keeps_its_columns() -> None:
    minutes = parse_document("referat.pdf", pdf_with_columns()).minutes
    assert minutes.held_on == date(2025, 6, 12)
    assert minutes.themes == ("Trafik",)
    assert [idea.text for idea in minutes.ideas] == ["Cykelsti"]
    assert [(p.name, p.organisation, p.email) for p in minutes.participants] == [
        ("Anne Sørensen", "Randers Kommune", "anne@randers.dk")
    ]


def test_a_pdf_line_drawn_in_pieces_gives_a_title_with_normal_spaces() -> None:
    minutes = parse_document("referat.pdf", pdf_with_columns()).minutes
    assert minutes.title == "Referat af borgermøde 12.06.2025"
    assert minutes.ideas[0].exercise == "Øvelse 1 Udfordringer"


def test_parse_document_returns_the_document_and_a_fingerprint() -> None:
    document = parse_document("referat.pdf", documents.as_pdf())
    assert isinstance(document, ParsedDocument)
    assert document.filename == "referat.pdf"
    assert len(document.content_hash) == 64
    assert int(document.content_hash, 16) >= 0
    again = parse_document("kopi.pdf", documents.as_pdf())
    assert again.content_hash == document.content_hash
