"""The sample meeting saved as Word and as PDF (as staff would) imports exactly like its text."""

from __future__ import annotations

import io
import textwrap

from tests.importer.test_sample_minutes import IDEAS, IDEAS_SECTION, STRENGTHS, THEMES, WE_CAN
from workflow.importer.document import parse_document
from workflow.importer.parser import ParsedMinutes

HEADER = [
    "Opsamling på interessentmøde (12.06.25)",
    "STED: THORLOUNGE, CEPHEUS PARK",
    "BORDVÆRT OG REFERENT: ANNE ERLANDSEN",
]
SECTIONS: list[tuple[str | None, str | None, list[str]]] = [
    ("Opsamling på øvelse 1 (mini-tragt)", "Vigtige emner/temaer, som bordets deltagere hæftede "
     "sig ved", THEMES),
    (None, "Spørgsmål/andet", []),
    ("Opsamling på øvelse 2 (dialog ved bordene)", IDEAS_SECTION,
     [text for section, text in IDEAS if section == IDEAS_SECTION]),
    (None, WE_CAN, [text for section, text in IDEAS if section == WE_CAN]),
    (None, STRENGTHS, [text for section, text in IDEAS if section == STRENGTHS]),
]  # fmt: skip


def as_word() -> bytes:
    """Bold paragraphs for headings (no heading styles), list paragraphs for bullets."""
    import docx

    document = docx.Document()
    for line in HEADER:
        document.add_paragraph(line)
    for exercise, section, bullets in SECTIONS:
        for heading in filter(None, (exercise, section)):
            document.add_paragraph().add_run(heading).bold = True
        for text in bullets:
            document.add_paragraph(text, style="List Paragraph" if "List Paragraph" in [
                s.name for s in document.styles] else "List Bullet")  # fmt: skip
        document.add_paragraph("")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def as_pdf() -> bytes:
    """Word's "save as PDF" look: a bullet glyph set apart from its text, long bullets wrapped."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    y = 800.0

    def write(text: str, x: float = 56, bold: bool = False) -> None:
        nonlocal y
        if y < 60:
            pdf.showPage()
            y = 800.0
        pdf.setFont("Helvetica-Bold" if bold else "Helvetica", 10)
        pdf.drawString(x, y, text)
        y -= 14

    for line in HEADER:
        write(line, bold=True)
    for exercise, section, bullets in SECTIONS:
        y -= 10
        for heading in filter(None, (exercise, section)):
            write(heading, bold=True)
        for text in bullets:
            pdf.setFont("Helvetica", 10)
            pdf.drawString(64, y, "•")
            for piece in textwrap.wrap(text, 95):
                write(piece, x=82)
    pdf.save()
    return buffer.getvalue()


def check(minutes: ParsedMinutes) -> None:
    assert minutes.title == "Opsamling på interessentmøde (12.06.25)"
    assert str(minutes.held_on) == "2025-06-12"
    assert (minutes.location, minutes.host, minutes.recorder) == (
        "THORLOUNGE, CEPHEUS PARK",
        "ANNE ERLANDSEN",
        "ANNE ERLANDSEN",
    )
    assert list(minutes.themes) == THEMES
    assert [(idea.section, idea.text) for idea in minutes.ideas] == IDEAS


def test_the_sample_as_a_word_file() -> None:
    check(parse_document("interessentmøde.docx", as_word()).minutes)


def test_the_sample_as_a_pdf() -> None:
    check(parse_document("interessentmøde.pdf", as_pdf()).minutes)
