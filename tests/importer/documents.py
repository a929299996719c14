"""Minutes written the way other municipal staff write them, rendered as text, Word and PDF."""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass, field

TITLE = "Referat af borgermøde om trafiksikkerhed, 3. marts 2026"
FACTS = [
    ("Sted", "Langå Kulturhus, Bredgade 2"),
    ("Ordstyrer", "Bo Jensen"),
    ("Referent", "Mette Holm"),
]
THEMES = [
    "Børn cykler til skole ad Randersvej uden cykelsti",
    "Biler kører for hurtigt gennem Langå by – især om morgenen",
    "Busforbindelsen til Randers er for dårlig om aftenen, så de unge tager bilen i stedet for "
    "bussen",
]
IDEA_SECTIONS = [
    (
        "Løsningsforslag fra grupperne",
        [
            "Etabler en sikker skolevej langs Randersvej. Kommunen og grundejerforeningen kan "
            "dele udgiften, og forældrene vil gerne hjælpe med at male afmærkningen.",
            "Fartvisningstavler ved indkørslen til byen",
            "Cykelbus: forældre skiftes til at følge de mindste børn i skole på cykel – "
            "”Cykelbussen” kører fra Stationspladsen kl. 7.40.",
        ],
    ),
    (
        "Det kan vi selv gøre",
        [
            "Borgerforeningen arrangerer en trafikdag på skolen i maj.",
            "Vi kan dele en app til samkørsel for unge, der skal til Randers om aftenen.",
        ],
    ),
]
PARTICIPANTS = [
    ("Anne Sørensen", "Langå Borgerforening", "anne@langaa-borger.dk"),
    ("Jens Ærø", "Langå Skole", "jens.aero@randers.dk"),
    ("Sofie Østergaard", "Forældrebestyrelsen", None),
]


@dataclass(frozen=True)
class Expected:
    """What the importer must find in these minutes."""

    title: str = TITLE
    themes: list[str] = field(default_factory=lambda: list(THEMES))
    ideas: list[tuple[str, str]] = field(
        default_factory=lambda: [
            (section, text) for section, texts in IDEA_SECTIONS for text in texts
        ]
    )
    participants: list[tuple[str, str | None, str | None]] = field(
        default_factory=lambda: list(PARTICIPANTS)
    )


def _participant_line(name: str, organisation: str, email: str | None) -> str:
    return ", ".join(part for part in (name, organisation, email) if part)


def as_pdf_text() -> str:
    """The minutes as text pulled out of a PDF: wrapped lines, blank lines between pieces."""
    out = [f" {TITLE} ", *(f"{label.upper()}: {value} " for label, value in FACTS), ""]
    out += ["Øvelse 1: Hvad står i vejen for en tryg trafik? ", " "]
    for theme in THEMES:
        lines = textwrap.wrap(theme, 70)
        out.append(f"\uf0b7 {lines[0]} ")
        out += [f"\n{line} " for line in lines[1:]]
    out += [" ", "Øvelse 2: Hvad gør vi nu? ", " "]
    for section, ideas in IDEA_SECTIONS:
        out += [f"{section} ", " "]
        for idea in ideas:
            lines = textwrap.wrap(idea, 70)
            out.append(f"\uf0b7 {lines[0]} ")
            out += [f"{line} " for line in lines[1:]]
        out.append(" ")
    out += ["Deltagere ", *(_participant_line(*p) for p in PARTICIPANTS)]
    return "\n".join(out) + "\n"


def as_plain_text(bullet: str = "•") -> str:
    """The minutes as someone would type them: whole lines, a chosen bullet character."""
    out = [TITLE, *(f"{label}: {value}" for label, value in FACTS), ""]
    out += ["Øvelse 1: Hvad står i vejen for en tryg trafik?", ""]
    out += [f"{bullet} {theme}" for theme in THEMES]
    out += ["", "Øvelse 2: Hvad gør vi nu?", ""]
    for section, ideas in IDEA_SECTIONS:
        out += [section, *(f"{bullet} {idea}" for idea in ideas), ""]
    out += ["Deltagere", *(_participant_line(*p) for p in PARTICIPANTS)]
    return "\n".join(out) + "\n"


def as_docx() -> bytes:
    """The minutes as a Word file: heading styles, list paragraphs and a participants table."""
    import docx

    document = docx.Document()
    document.add_heading(TITLE, level=1)
    for label, value in FACTS:
        document.add_paragraph(f"{label}: {value}")
    document.add_heading("Øvelse 1: Hvad står i vejen for en tryg trafik?", level=2)
    for theme in THEMES:
        document.add_paragraph(theme, style="List Bullet")
    document.add_heading("Øvelse 2: Hvad gør vi nu?", level=2)
    for section, ideas in IDEA_SECTIONS:
        document.add_heading(section, level=3)
        for idea in ideas:
            paragraph = document.add_paragraph(style="List Bullet")
            first, _, rest = idea.partition(". ")
            paragraph.add_run(first + (". " if rest else ""))
            if rest:  # a soft line break inside the bullet, as people type them
                paragraph.add_run().add_break()
                paragraph.add_run(rest)
        document.add_paragraph("")
    document.add_heading("Deltagere", level=2)
    table = document.add_table(rows=0, cols=3)
    for name, organisation, email in PARTICIPANTS:
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = name, organisation, email or ""
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def as_pdf() -> bytes:
    """The minutes as a text PDF (like Word's "save as PDF"), bullets wrapped over lines."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    y = 800.0

    def line(text: str, x: float = 56, size: int = 11, font: str = "Helvetica") -> None:
        nonlocal y
        if y < 60:
            pdf.showPage()
            y = 800.0
        pdf.setFont(font, size)
        pdf.drawString(x, y, text)
        y -= size * 1.45

    def bullets(texts: list[str]) -> None:
        for text in texts:
            pieces = textwrap.wrap(text, 80)
            pdf.setFont("Helvetica", 11)
            pdf.drawString(62, y, "•")
            for piece in pieces:
                line(piece, x=76)

    line(TITLE, size=14, font="Helvetica-Bold")
    for label, value in FACTS:
        line(f"{label}: {value}")
    line("")
    line("Øvelse 1: Hvad står i vejen for en tryg trafik?", size=12, font="Helvetica-Bold")
    bullets(THEMES)
    line("")
    line("Øvelse 2: Hvad gør vi nu?", size=12, font="Helvetica-Bold")
    for section, ideas in IDEA_SECTIONS:
        line(section, font="Helvetica-Bold")
        bullets(ideas)
        line("")
    line("Deltagere", size=12, font="Helvetica-Bold")
    for person in PARTICIPANTS:
        line(_participant_line(*person))
    pdf.save()
    return buffer.getvalue()


def scanned_pdf() -> bytes:
    """A PDF with a page but no text layer, like a scan."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.rect(50, 400, 400, 300, fill=1)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
