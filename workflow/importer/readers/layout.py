"""The shape Word and OpenDocument files are read into: paragraphs and tables, in order."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Paragraph:
    """One paragraph as the reader found it."""

    text: str
    heading: bool = False  # its style (or outline level) makes it a heading
    list_level: int | None = None  # its depth in a list; None when it is no list item
    bold: bool = False  # all of its text is bold
    size: float | None = None  # the smallest type size of its text, in points


@dataclass
class Cell:
    """A table cell: the grid column it starts in, how many it spans, its paragraphs."""

    column: int
    span: int = 1
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass
class Row:
    """A table row; ``header`` when the file marks it as a header row (repeated on each page)."""

    cells: list[Cell] = field(default_factory=list)
    header: bool = False


@dataclass
class Table:
    """A table's rows."""

    rows: list[Row] = field(default_factory=list)
