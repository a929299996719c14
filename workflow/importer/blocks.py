"""The common shape every reader produces: a document as a list of blocks in reading order."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class BlockKind(StrEnum):
    """What a block is, as far as the reader can tell."""

    HEADING = "heading"  # known to be a heading (Word heading styles)
    BULLET = "bullet"  # one whole bullet point, wrapped lines already joined
    TEXT = "text"  # any other line or paragraph; the parser decides what it is
    PROPOSALS = "proposals"  # a table's header naming proposals: the rows below are ideas


@dataclass(frozen=True)
class Block:
    """One heading, bullet point or line of text."""

    kind: BlockKind
    text: str
    gap_before: bool = False  # a blank line (or more) separates it from the block before
    level: int = 0  # a bullet's nesting depth: 0 at the top, 1 for its sub-bullets, ...
    notes: tuple[tuple[str, str], ...] = ()  # (column, value) of a table row read as an idea
    confidence: float | None = None  # text recognition's confidence (0-100) in scanned text


def normalise_space(text: str) -> str:
    """Collapse every run of white space (including no-break spaces) to one space and strip."""
    return " ".join(text.split())
