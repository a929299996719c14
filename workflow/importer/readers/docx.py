"""Word (.docx): paragraphs and table rows, with headings and list paragraphs marked."""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Iterator
from typing import Any

from workflow.importer.blocks import Block, BlockKind, normalise_space
from workflow.importer.errors import MinutesRejected
from workflow.importer.lines import BULLET

logger = logging.getLogger(__name__)

MAX_UNPACKED_BYTES = 100 * 1024 * 1024
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


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
