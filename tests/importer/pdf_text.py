"""A PDF's text as the reader rebuilds it, for tests that look at lines rather than blocks."""

from __future__ import annotations

from workflow.importer.readers.pdf import pdf_pages
from workflow.importer.readers.pdf_limits import PdfLimits


def pdf_text(content: bytes, limits: PdfLimits | None = None) -> str:
    """A line per row, an empty line for a gap, a form feed between pages; no page furniture."""
    return "\f".join(
        "\n".join(("\n" + row.text) if row.gap_before else row.text for row in page.rows)
        for page in pdf_pages(content, limits or PdfLimits())
    )
