"""PDF: positioned text rebuilt into lines, then read as text."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from typing import Any

from workflow.importer.errors import MinutesRejected

logger = logging.getLogger(__name__)

POINTS_PER_SPACE = 4.5
MAX_INDENT = 80


def pdf_text(content: bytes) -> str:
    """The text of a PDF, line by line; a PDF without a text layer (a scan) is refused."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    try:
        text = "\f".join(_pdf_page_lines(page) for page in _pdf_pages(content))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise MinutesRejected(
            "The PDF is password-protected; save it without a password."
        ) from None
    except MinutesRejected:
        raise
    except Exception as error:  # a broken PDF can fail in many ways inside pdfminer
        logger.info("unreadable PDF: %s", error)
        raise MinutesRejected("The PDF is damaged or not a PDF, so it cannot be read.") from None
    if not text.strip():
        raise MinutesRejected(
            "The PDF has no text (it looks like a scan): export the minutes from Word, or run "
            "text recognition (OCR) first."
        )
    return text


def _pdf_pages(content: bytes) -> Iterator[Any]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams

    return extract_pages(io.BytesIO(content), laparams=LAParams(line_margin=0.3))


def _pdf_page_lines(page: Any) -> str:
    """Rebuild a page's lines from positioned text: pieces on one baseline are one line.

    Word puts a bullet glyph and its text in separate places, and pdfminer's own text flow may
    then move the bullet away from its text; sorting by position keeps them together. A
    vertical gap larger than a line's height becomes an empty line, as in other PDF extractors.
    """
    from pdfminer.layout import LTChar, LTTextContainer, LTTextLine

    pieces = []
    for element in page:
        lines = element if isinstance(element, LTTextContainer) else [element]
        for line in lines:
            if isinstance(line, LTTextLine | LTChar) and line.get_text().strip():
                pieces.append((line.y0, line.y1, line.x0, line.get_text().strip()))
    pieces.sort(key=lambda piece: (-piece[1], piece[2]))
    rows: list[list[tuple[float, float, float, str]]] = []
    for piece in pieces:
        middle = (piece[0] + piece[1]) / 2
        if rows and rows[-1][0][0] <= middle <= rows[-1][0][1]:
            rows[-1].append(piece)
        else:
            rows.append([piece])
    out: list[str] = []
    previous_bottom: float | None = None
    for row in rows:
        top, bottom = max(p[1] for p in row), min(p[0] for p in row)
        if previous_bottom is not None and previous_bottom - top > (top - bottom):
            out.append("")
        # Pieces apart on one line are columns (a bullet and its text, a table's cells): a tab.
        # The line's left edge becomes leading spaces, so a sub-bullet is indented under its
        # bullet as in typed text (Word's quarter-inch step between list levels is 4 spaces).
        ordered = sorted(row, key=lambda p: p[2])
        indent = " " * max(0, min(int(ordered[0][2] / POINTS_PER_SPACE), MAX_INDENT))
        out.append(indent + "\t".join(_pdf_glyphs(p[3]) for p in ordered))
        previous_bottom = bottom
    return "\n".join(out)


def _pdf_glyphs(text: str) -> str:
    # pdfminer writes "(cid:N)" for a glyph it cannot map; at the start of a line it is a bullet.
    text = re.sub(r"^\(cid:\d+\)", "\u2022", text)
    return re.sub(r"\(cid:\d+\)", "", text)
