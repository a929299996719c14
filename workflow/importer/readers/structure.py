"""What Word and OpenDocument files have in common once read: paragraphs (with their style's
verdict, list depth and typography) and tables, in reading order, turned into blocks.

A paragraph is a heading when its style says so (a heading or title style, or an outline
level), or by its look: a short line (at most 120 characters, no full stop at the end) that is
all bold, or whose type is clearly larger (a fifth or more) than the body text's most common
size. Bold counts only where the body text is mostly not bold.
"""

from __future__ import annotations

from collections import Counter

from workflow.importer.blocks import Block, BlockKind, normalise_space
from workflow.importer.lines import BULLET
from workflow.importer.readers.layout import Paragraph, Table
from workflow.importer.readers.tables import table_blocks

HEADING_MAX = 120
LARGER = 1.2  # "clearly larger": this many times the body's size


def body_blocks(items: list[Paragraph | Table]) -> list[Block]:
    """The blocks of a document read as paragraphs and tables."""
    body_size, bold_marks_headings = _body_typography(items)
    blocks: list[Block] = []
    gap = False
    above = -1  # the level of the list item just above; -1 when the block above is none
    for item in items:
        if isinstance(item, Table):
            blocks.extend(table_blocks(item))
            gap, above = False, -1
            continue
        if not item.text:
            gap = True
            continue
        kind, text, level = _classify(item, body_size, bold_marks_headings)
        if item.list_level is not None and kind is BlockKind.BULLET:
            # A list item is at most one level below the list item above it: the first item
            # of a list (after a heading, a paragraph or a typed bullet) is at the top.
            level = min(level, above + 1)
            above = level
        else:
            above = -1
        if text:
            blocks.append(Block(kind, text, gap, level))
        gap = False
    return blocks


def _classify(
    paragraph: Paragraph, body_size: float | None, bold_marks_headings: bool
) -> tuple[BlockKind, str, int]:
    text = paragraph.text
    if paragraph.heading:
        return BlockKind.HEADING, text, 0
    bullet = BULLET.match(text)
    if paragraph.list_level is not None:
        stripped = normalise_space(bullet.group("text")) if bullet else text
        return BlockKind.BULLET, stripped, paragraph.list_level
    if bullet:
        return BlockKind.BULLET, normalise_space(bullet.group("text")), 0
    if _looks_like_heading(paragraph, body_size, bold_marks_headings):
        return BlockKind.HEADING, text, 0
    return BlockKind.TEXT, text, 0


def _looks_like_heading(
    paragraph: Paragraph, body_size: float | None, bold_marks_headings: bool
) -> bool:
    text = paragraph.text
    if len(text) > HEADING_MAX or (text.endswith(".") and not text.endswith("..")):
        return False
    if not any(char.isalpha() for char in text):
        return False
    size = paragraph.size
    larger = body_size is not None and size is not None and size >= body_size * LARGER
    return larger or (paragraph.bold and bold_marks_headings)


def _body_typography(items: list[Paragraph | Table]) -> tuple[float | None, bool]:
    """The body text's most common size (by characters), and whether bold stands out in it."""
    sizes: Counter[float] = Counter()
    bold = plain = 0
    for item in items:
        if isinstance(item, Table) or not item.text or item.heading:
            continue
        if item.size is not None:
            sizes[item.size] += len(item.text)
        if item.bold:
            bold += len(item.text)
        else:
            plain += len(item.text)
    body_size = sizes.most_common(1)[0][0] if sizes else None
    return body_size, bold < plain
