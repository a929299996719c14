"""Minutes set on pages the way word processors print them: a running header, a footer with the
page number, headings in bold or larger type, bullets wrapped over lines and over page breaks."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

TOP, BOTTOM, LEADING = 770.0, 80.0, 15.0


@dataclass(frozen=True)
class Section:
    """A heading and its bullets; a bullet is a text (wrapped to the width) or its lines."""

    heading: str
    bullets: Sequence[str | Sequence[str]]
    font: str = "Helvetica-Bold"
    size: float = 12


@dataclass(frozen=True)
class Paged:
    """A document and how it is printed."""

    title: str
    sections: Sequence[Section]
    header: Sequence[str] = ()  # lines at the top of every page
    footer: Callable[[int, int], str] | None = None  # (page, pages) -> the footer's text
    footer_left: str | None = None  # text left of the footer on the same line
    width: int = 70  # characters per line of a bullet
    breaks: Collection[int] = ()  # body lines (counted from 0) that start a new page
    before_title: Sequence[str] = ()  # body lines above the title
    after_title: Sequence[str] = field(default_factory=lambda: ["Dato: 12. juni 2025"])
    bold_lines: Collection[str] = ()  # bullet lines set in bold


@dataclass(frozen=True)
class _Line:
    text: str
    x: float = 56
    font: str = "Helvetica"
    size: float = 11
    bullet: bool = False
    space: float = 0  # extra space above the line


def body_lines(document: Paged) -> list[_Line]:
    """The document's lines in order, as they would be set (before pagination)."""
    lines = [_Line(text) for text in document.before_title]
    lines.append(_Line(document.title, font="Helvetica-Bold", size=16))
    lines += [_Line(text) for text in document.after_title]
    for section in document.sections:
        lines.append(_Line(section.heading, font=section.font, size=section.size, space=10))
        for bullet in section.bullets:
            pieces = (
                textwrap.wrap(bullet, document.width) if isinstance(bullet, str) else list(bullet)
            )
            for number, piece in enumerate(pieces):
                font = "Helvetica-Bold" if piece in document.bold_lines else "Helvetica"
                lines.append(_Line(piece, x=76, font=font, bullet=number == 0))
    return lines


def paginate(document: Paged) -> list[list[_Line]]:
    """The body lines page by page: a page ends where it is full or at a forced break."""
    pages: list[list[_Line]] = [[]]
    y = TOP
    for index, line in enumerate(body_lines(document)):
        step = LEADING + line.space
        if pages[-1] and (index in document.breaks or y - step < BOTTOM):
            pages.append([])
            y = TOP
        pages[-1].append(line)
        y -= step
    return pages


def render(document: Paged) -> bytes:
    """The document as a PDF."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pages = paginate(document)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for number, lines in enumerate(pages, start=1):
        y = 815.0
        for text in document.header:
            pdf.setFont("Helvetica", 8)
            pdf.drawString(56, y, text)
            y -= 11
        if document.footer is not None:
            pdf.setFont("Helvetica", 8)
            if document.footer_left:
                pdf.drawString(56, 30, document.footer_left)
            pdf.drawRightString(540, 30, document.footer(number, len(pages)))
        y = TOP
        for line in lines:
            if line is not lines[0]:
                y -= line.space
            pdf.setFont(line.font, line.size)
            if line.bullet:
                pdf.drawString(62, y, "•")
            pdf.drawString(line.x, y, line.text)
            y -= LEADING
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def page_count(document: Paged) -> int:
    """How many pages the document is printed on."""
    return len(paginate(document))


def break_before(document: Paged, text: str) -> int:
    """The index of the body line ``text`` (to start a page there)."""
    return next(i for i, line in enumerate(body_lines(document)) if line.text == text)
