"""PDF: positioned text rebuilt into lines, page furniture removed, headings told by typography."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from workflow.importer.blocks import Block
from workflow.importer.errors import MinutesRejected
from workflow.importer.readers.pdf_layout import (
    Page,
    mark_headings,
    page_rows,
    pages_to_blocks,
    without_furniture,
)
from workflow.importer.readers.pdf_limits import (
    TOO_MANY_PAGES,
    PdfBudget,
    PdfLimits,
    PdfRefused,
    bounded_aggregator,
    bounded_interpreter,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")

NO_TEXT = (
    "The PDF has no text (it looks like a scan): export the minutes from Word, or run "
    "text recognition (OCR) first."
)


def pdf_blocks(content: bytes, limits: PdfLimits | None = None) -> list[Block]:
    """The blocks of a PDF: headings (by type size and weight), bullets and lines of text."""
    return pages_to_blocks(mark_headings(pdf_pages(content, limits or PdfLimits())))


def pdf_pages(content: bytes, limits: PdfLimits) -> list[Page]:
    """Every page's lines without furniture; a scan, a locked or damaged PDF is refused."""
    pages = _guarded(lambda budget: _read_pages(content, budget), limits)
    if not any(page.rows for page in pages):
        raise MinutesRejected(NO_TEXT)
    return without_furniture(pages)


def _guarded(read: Callable[[PdfBudget], T], limits: PdfLimits) -> T:
    """Run ``read`` within the limits, turning pdfminer's many failures into one sentence."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    with PdfBudget.active(limits) as budget:
        try:
            result = read(budget)
        except (PDFPasswordIncorrect, PDFEncryptionError):
            raise MinutesRejected(
                "The PDF is password-protected; save it without a password."
            ) from None
        except MinutesRejected:
            raise
        except Exception as error:  # a broken PDF can fail in many ways inside pdfminer
            if budget.refusal is not None:  # a limit, reached where pdfminer caught it
                raise PdfRefused(budget.refusal) from None
            logger.info("unreadable PDF: %s", error)
            raise MinutesRejected(
                "The PDF is damaged or not a PDF, so it cannot be read."
            ) from None
        budget.check()  # a limit reached where pdfminer caught it and went on
    return result


def _read_pages(content: bytes, budget: PdfBudget) -> list[Page]:
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfinterp import PDFResourceManager
    from pdfminer.pdfparser import PDFParser

    document = PDFDocument(PDFParser(io.BytesIO(content)))
    pages = _page_list(document, budget.limits.max_pages)
    resources = PDFResourceManager(caching=True)
    # boxes_flow=None: no grouping of text boxes into a reading order, which is quadratic in
    # the boxes on a page; lines are put in order by position instead.
    device = bounded_aggregator(
        resources, LAParams(line_margin=0.3, boxes_flow=None, all_texts=True)
    )
    interpreter = bounded_interpreter(resources, device)
    out = []
    for page in pages:
        budget.start_page()
        interpreter.process_page(page)
        out.append(page_rows(device.get_result()))
    return out


def _page_list(document: Any, max_pages: int) -> list[Any]:
    """The pages from the page tree, refused (before any is read) when there are too many."""
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdftypes import resolve1

    tree = resolve1(document.catalog.get("Pages"))
    declared = resolve1(tree.get("Count")) if isinstance(tree, dict) else None
    if isinstance(declared, int) and declared > max_pages:
        raise MinutesRejected(TOO_MANY_PAGES)
    pages = []
    for page in PDFPage.create_pages(document):  # the declared count may be wrong
        pages.append(page)
        if len(pages) > max_pages:
            raise MinutesRejected(TOO_MANY_PAGES)
    return pages
