"""Readers per format: a file's bytes to blocks, the format told by the bytes."""

from __future__ import annotations

import codecs
import re

from workflow.importer.blocks import Block
from workflow.importer.errors import MinutesRejected
from workflow.importer.lines import text_to_blocks
from workflow.importer.readers.docx import docx_blocks
from workflow.importer.readers.odt import odt_blocks
from workflow.importer.readers.pdf import pdf_blocks
from workflow.importer.readers.scan import Progress, ScanFound, is_scan, page_count, scan_blocks
from workflow.importer.readers.zipped import DOCX, MAX_UNPACKED_BYTES, open_package

MAX_BYTES = 20 * 1024 * 1024
_IANA_CHARSETS = {"utf-8-sig": "utf-8", "utf-16-le": "utf-16le", "utf-16-be": "utf-16be"}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_document(
    filename: str, content: bytes, progress: Progress | None = None, *, ocr: bool = True
) -> tuple[str, list[Block]]:
    """Detect the format from the content (and name) and read it; return (media type, blocks).

    A PDF without text is a scan: it is read by text recognition (``progress`` hears of each
    page), or, with ``ocr`` False, ``ScanFound`` is raised for the caller to read it elsewhere.
    """
    if not content.strip():
        raise MinutesRejected("The file is empty.")
    if len(content) > MAX_BYTES:
        raise MinutesRejected("The file is larger than 20 MB, which is more than minutes need.")
    if content.startswith(b"%PDF-") and is_scan(content):
        if not ocr:
            raise ScanFound(page_count(content))
        return "application/pdf", scan_blocks(content, progress)
    if content.startswith(b"%PDF-"):
        return "application/pdf", pdf_blocks(content)
    if content.startswith(b"PK\x03\x04"):
        media_type, package = open_package(filename, content)
        with package.archive:
            read = docx_blocks if media_type == DOCX else odt_blocks
            return media_type, read(package)
    if content.startswith(_OLE2):
        raise MinutesRejected(
            "Old Word files (.doc) cannot be read: save the minutes as .docx, .odt or PDF and "
            "upload that file."
        )
    if content.lstrip()[:5].lower() == b"{\\rtf":
        raise MinutesRejected(
            "Rich Text files (.rtf) cannot be read: save the minutes as .docx, .odt or PDF and "
            "upload that file."
        )
    if filename.lower().endswith((".pdf", ".docx", ".odt")):
        raise MinutesRejected(
            "The file is called %(name)s but is not a readable PDF or Word file.", name=filename
        )
    encoding = text_encoding(content)
    charset = _IANA_CHARSETS.get(encoding, encoding)
    return f"text/plain; charset={charset}", text_to_blocks(decode_text(content, encoding))


def text_encoding(content: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (with a BOM, or plainly so) or else Windows-1252."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):  # fmt: skip
        if content.startswith(bom):
            return encoding
    if len(content) >= 4 and content.count(b"\x00") >= len(content) // 4:
        even_nuls = content[0::2].count(b"\x00")
        return "utf-16-be" if even_nuls > len(content) // 4 else "utf-16-le"
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return "windows-1252"
    return "utf-8"


def decode_text(content: bytes, encoding: str | None = None) -> str:
    """Decode text (in ``encoding``, or the one ``text_encoding`` finds) for reading."""
    try:
        text = content.decode(encoding or text_encoding(content))
    except UnicodeDecodeError:
        raise MinutesRejected(
            "The file is not text, Word or PDF, so it cannot be read as minutes."
        ) from None
    if _control_share(text) > 0.01:
        raise MinutesRejected("The file is not text, Word or PDF, so it cannot be read as minutes.")
    return without_controls(text)


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def without_controls(text: str) -> str:
    """Control characters (NUL and the like, which PostgreSQL text refuses) become spaces."""
    return _CONTROLS.sub(" ", text)


def _control_share(text: str) -> float:
    controls = sum(1 for char in text if ord(char) < 32 and char not in "\t\n\r\f\v")
    return controls / max(len(text), 1)


__all__ = [
    "MAX_BYTES",
    "MAX_UNPACKED_BYTES",
    "Progress",
    "ScanFound",
    "decode_text",
    "docx_blocks",
    "odt_blocks",
    "pdf_blocks",
    "read_document",
    "text_encoding",
    "without_controls",
]
