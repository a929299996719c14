"""Readers per format: bytes of a .txt, .docx or .pdf file to blocks."""

from __future__ import annotations

import codecs
import io
import logging
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from workflow.importer.blocks import Block, BlockKind, normalise_space
from workflow.importer.errors import MinutesRejected
from workflow.importer.lines import BULLET, text_to_blocks

logger = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
_IANA_CHARSETS = {"utf-8-sig": "utf-8", "utf-16-le": "utf-16le", "utf-16-be": "utf-16be"}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_document(filename: str, content: bytes) -> tuple[str, list[Block]]:
    """Detect the format from the content (and name) and read it; return (media type, blocks)."""
    if not content.strip():
        raise MinutesRejected("The file is empty.")
    if len(content) > MAX_BYTES:
        raise MinutesRejected("The file is larger than 20 MB, which is more than minutes need.")
    if content.startswith(b"%PDF-"):
        return "application/pdf", text_to_blocks(without_controls(pdf_text(content)))
    if content.startswith(b"PK\x03\x04"):
        return (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            docx_blocks(content),
        )
    if content.startswith(_OLE2):
        raise MinutesRejected(
            "Old Word files (.doc) cannot be read: save the minutes as .docx or PDF."
        )
    if filename.lower().endswith((".pdf", ".docx")):
        raise MinutesRejected(
            f"The file is called {filename} but is not a readable PDF or Word file."
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
        out.append("\t".join(_pdf_glyphs(p[3]) for p in sorted(row, key=lambda p: p[2])))
        previous_bottom = bottom
    return "\n".join(out)


def _pdf_glyphs(text: str) -> str:
    # pdfminer writes "(cid:N)" for a glyph it cannot map; at the start of a line it is a bullet.
    text = re.sub(r"^\(cid:\d+\)", "\u2022", text)
    return re.sub(r"\(cid:\d+\)", "", text)


def docx_blocks(content: bytes) -> list[Block]:
    """Paragraphs and table rows of a Word file, with headings and list paragraphs marked."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    _refuse_zip_bomb(content)
    try:
        document = docx.Document(io.BytesIO(content))
        body = document.element.body
    except (PackageNotFoundError, zipfile.BadZipFile, Exception) as error:  # any broken zip
        logger.info("unreadable Word file: %s", error)
        raise MinutesRejected("The file is not a readable Word (.docx) file.") from None
    if body is None:  # a document part without <w:body>
        raise MinutesRejected("The file is not a readable Word (.docx) file.")
    blocks: list[Block] = []
    gap = False
    for kind, text in _docx_paragraphs(body):
        if not text:
            gap = True
            continue
        blocks.append(Block(kind, text, gap))
        gap = False
    return blocks


def _refuse_zip_bomb(content: bytes) -> None:
    """Refuse a Word file whose parts unpack to more than MAX_UNPACKED_BYTES: a few MB of zip
    can hold gigabytes of XML, and python-docx reads every part whole. (zipfile never reads
    more than a part's declared size, so the declared sizes are the bound.)"""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            unpacked = sum(info.file_size for info in package.infolist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return  # python-docx refuses it with the usual message
    if unpacked > MAX_UNPACKED_BYTES:
        raise MinutesRejected(
            "The Word file unpacks to more than 100 MB, which is more than minutes need."
        )


def _docx_paragraphs(body: Any) -> Iterator[tuple[BlockKind, str]]:
    for element in body.iterchildren():
        if element.tag == f"{_W}p":
            yield _docx_paragraph(element)
        elif element.tag == f"{_W}tbl":
            for row in element.iter(f"{_W}tr"):
                cells = [
                    normalise_space("".join(t.text or "" for t in cell.iter(f"{_W}t")))
                    for cell in row.iter(f"{_W}tc")
                ]
                yield BlockKind.TEXT, ", ".join(cell for cell in cells if cell)


def _docx_paragraph(paragraph: Any) -> tuple[BlockKind, str]:
    pieces = []
    for node in paragraph.iter(f"{_W}t", f"{_W}tab", f"{_W}br"):
        pieces.append(node.text or "" if node.tag == f"{_W}t" else " ")
    text = normalise_space("".join(pieces))
    properties = paragraph.find(f"{_W}pPr")
    style = ""
    numbered = False
    if properties is not None:
        style_node = properties.find(f"{_W}pStyle")
        style = (style_node.get(f"{_W}val") or "") if style_node is not None else ""
        numbered = properties.find(f"{_W}numPr") is not None
    lowered = style.lower()
    if lowered.startswith(("heading", "overskrift", "title", "titel")):
        return BlockKind.HEADING, text
    bullet = BULLET.match(text)
    if bullet:
        return BlockKind.BULLET, normalise_space(bullet.group("text"))
    if numbered or "list" in lowered or "liste" in lowered:
        return BlockKind.BULLET, text
    return BlockKind.TEXT, text
