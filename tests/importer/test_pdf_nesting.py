"""Sub-bullets in a PDF: set further in than the bullet above, they describe its idea."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.importer.document import parse_document

WORDS = st.sampled_from(
    "cykelsti natbus lektiecafé skaterbane besøgsven bænke byhave delebil spisefællesskab "
    "frivillige kommunen skolen biblioteket foreningerne unge ældre borgere om aftenen".split()
)
TEXTS = st.lists(WORDS, min_size=2, max_size=6).map(lambda words: " ".join(words).capitalize())


def nested_pdf(ideas: list[tuple[str, list[str]]], glyphs: tuple[str, str] = ("•", "–")) -> bytes:
    """A one-page PDF: a title, a heading, bullets at 62 pt and their sub-bullets at 84 pt."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    y = 780.0

    def line(text: str, x: float, font: str = "Helvetica", size: float = 11) -> None:
        nonlocal y
        pdf.setFont(font, size)
        pdf.drawString(x, y, text)
        y -= 16

    line("Borgermøde i Assentoft 3. marts 2026", 56, "Helvetica-Bold", 16)
    line("Idéer fra borgerne", 56, "Helvetica-Bold", 12)
    for text, details in ideas:
        pdf.setFont("Helvetica", 11)
        pdf.drawString(62, y, glyphs[0])
        line(text, 76)
        for detail in details:
            pdf.setFont("Helvetica", 11)
            pdf.drawString(84, y, glyphs[1])
            line(detail, 98)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_a_sub_bullet_describes_the_idea_above_it() -> None:
    ideas = [("Cykelbus om morgenen", ["Forældre skiftes til at køre", "Start i maj"]),
             ("Natbus i weekenden", [])]  # fmt: skip
    minutes = parse_document("referat.pdf", nested_pdf(ideas)).minutes
    assert [(idea.text, list(idea.details)) for idea in minutes.ideas] == ideas


def test_the_same_mark_further_in_is_a_sub_bullet_too() -> None:
    ideas = [("Lektiecafé på biblioteket", ["Frivillige studerende"])]
    minutes = parse_document("referat.pdf", nested_pdf(ideas, ("•", "•"))).minutes
    assert [(idea.text, list(idea.details)) for idea in minutes.ideas] == ideas


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(TEXTS, st.lists(TEXTS, max_size=3)), min_size=1, max_size=8))
def test_ideas_and_their_sub_bullets_come_out_as_they_went_in(
    ideas: list[tuple[str, list[str]]],
) -> None:
    minutes = parse_document("referat.pdf", nested_pdf(ideas)).minutes
    assert [(idea.text, list(idea.details)) for idea in minutes.ideas] == ideas
