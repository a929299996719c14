"""A PDF's pages as lines: rebuilt from positioned text, page furniture removed, headings marked.

Page furniture is what a word processor prints on every page: a running header ("Randers
Kommune · Referat · Ungerådet"), a footer, a page number ("Side 1 af 2"). Left in, it lands in
the middle of whatever runs over the page break (a bullet loses its second half) and the first
page's header is taken for the meeting's title.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from workflow.importer.blocks import Block, BlockKind
from workflow.importer.lines import BULLET, text_to_blocks
from workflow.importer.vocabulary import is_structural_heading, labels_in

EDGE_ROWS = 3  # the rows at the top and at the bottom of a page where furniture is looked for
MARGIN_SHARE = 0.08  # a lone page number counts in the top or bottom 8 % of the page
SMALL_SCALE = 0.9  # a line set this much smaller than the body text, in a margin, is furniture
HEADING_SCALE = 1.15  # a line set this much larger than the body text is a heading
HEADING_MAX = 120
BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
PAGE_NUMBER = re.compile(
    r"^(?:(?:side|page|pag|s|p)\.?\s*(?P<n1>\d{1,4})(?:\s*(?:af|of|ud af|/)\s*(?P<m1>\d{1,4}))?"
    r"|(?P<n2>\d{1,4})\s*(?:/|af|of)\s*(?P<m2>\d{1,4})"
    r"|[-\u2013\u2014]\s*\d{1,4}\s*[-\u2013\u2014]"
    r"|\d{1,3})$",
    re.IGNORECASE,
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # as readers.without_controls, and "\f"


# A sub-bullet is set a quarter of an inch (18 points) or so further in than its parent; at 4.5
# points a column that is a tab's width (four columns) in text.
POINTS_PER_COLUMN = 4.5


@dataclass(frozen=True)
class Row:
    """One line of a page: its text (pieces apart on the line joined by a tab) and typography."""

    text: str
    top: float
    bottom: float
    size: float  # the most common glyph size on the line
    bold: bool  # every letter and digit on it is set in a bold face
    pieces: int
    gap_before: bool = False  # a blank line's worth of space above it (on the same page)
    left: float = 0.0  # where the line starts, in points from the page's left edge
    heading: bool = False
    display: bool = False  # a heading set larger than the body text


@dataclass(frozen=True)
class Page:
    """A page's rows from top to bottom, and where its edges are (y grows upwards)."""

    rows: tuple[Row, ...]
    bottom: float
    top: float


def page_rows(layout: Any) -> Page:
    """Rebuild a page's lines from positioned text: pieces on one baseline are one line.

    Word puts a bullet glyph and its text in separate places, and pdfminer's own text flow may
    then move the bullet away from its text; sorting by position keeps them together. A
    vertical gap larger than a line's height becomes an empty line, as in other PDF extractors.
    """
    pieces = sorted(_pieces(layout), key=lambda piece: (-piece[1], piece[2]))
    grouped: list[list[tuple[float, float, float, str, list[Any]]]] = []
    for piece in pieces:
        middle = (piece[0] + piece[1]) / 2
        if grouped and grouped[-1][0][0] <= middle <= grouped[-1][0][1]:
            grouped[-1].append(piece)
        else:
            grouped.append([piece])
    rows: list[Row] = []
    for group in grouped:
        top, bottom = max(p[1] for p in group), min(p[0] for p in group)
        gap = bool(rows) and rows[-1].bottom - top > (top - bottom)
        glyphs = [char for p in group for char in p[4] if char.get_text().strip()]
        sizes = Counter(round(char.size * 2) / 2 for char in glyphs if char.get_text().isalnum())
        letters = [char for char in glyphs if char.get_text().isalnum()]
        # Pieces apart on one line are columns (a bullet and its text, a table's cells): a tab.
        text = "\t".join(_glyphs(p[3]) for p in sorted(group, key=lambda p: p[2]))
        rows.append(
            Row(
                text=_CONTROLS.sub(" ", text),
                top=top,
                bottom=bottom,
                size=sizes.most_common(1)[0][0] if sizes else 0.0,
                bold=bool(letters) and all(BOLD.search(char.fontname) for char in letters),
                pieces=len(group),
                gap_before=gap,
                left=min(p[2] for p in group) - float(layout.x0),
            )
        )
    kept = tuple(row for row in rows if row.text.strip())
    return Page(kept, float(layout.y0), float(layout.y1))


def _pieces(container: Any) -> Iterable[tuple[float, float, float, str, list[Any]]]:
    """Every line of text on the page, inside figures too: (y0, y1, x0, text, glyphs)."""
    from pdfminer.layout import LTChar, LTTextLine

    for element in container:
        if isinstance(element, LTTextLine):
            if element.get_text().strip():
                glyphs = [char for char in element if isinstance(char, LTChar)]
                yield element.y0, element.y1, element.x0, element.get_text().strip(), glyphs
        elif isinstance(element, LTChar):
            if element.get_text().strip():
                yield element.y0, element.y1, element.x0, element.get_text().strip(), [element]
        elif hasattr(element, "__iter__"):
            yield from _pieces(element)


def _glyphs(text: str) -> str:
    # pdfminer writes "(cid:N)" for a glyph it cannot map; at the start of a line it is a bullet.
    text = re.sub(r"^\(cid:\d+\)", "\u2022", text)
    return re.sub(r"\(cid:\d+\)", "", text)


# --- page furniture ---------------------------------------------------------------------------


def without_furniture(pages: list[Page]) -> list[Page]:
    """The pages without running headers, footers and page numbers.

    A line is furniture when it stands among the first (or last) rows of at least half of the
    pages, and of two at least, digits aside ("Side 1 af 2" and "Side 2 af 2" are one line). A
    page number ("Side 3", "Page 3 of 9", "3/9", "- 3 -", "3") at the very top or bottom of a
    page is furniture on any page, even in a one-page document, and so is a line in small type
    in the top or bottom margin.
    """
    body = body_size(pages)
    needed = max(2, math.ceil(len(pages) / 2))
    repeated_heads = _repeated(pages, lambda rows: rows[:EDGE_ROWS], needed)
    repeated_feet = _repeated(pages, lambda rows: rows[-EDGE_ROWS:], needed)
    result = []
    for page in pages:
        rows = list(page.rows)
        edge = min(EDGE_ROWS, len(rows))
        drop = {i for i in range(edge) if _key(rows[i]) in repeated_heads}
        drop |= {i for i in range(len(rows) - edge, len(rows)) if _key(rows[i]) in repeated_feet}
        drop |= _in_margins(rows, page, body)
        kept: list[Row] = []
        for index, row in enumerate(rows):
            if index in drop:
                continue
            if not kept:
                row = replace(row, gap_before=False)
            elif index - 1 in drop:  # the space above a removed line was no paragraph break
                previous = kept[-1]
                row = replace(row, gap_before=previous.bottom - row.top > row.top - row.bottom)
            kept.append(row)
        result.append(replace(page, rows=tuple(kept)))
    return result


def _repeated(
    pages: list[Page], edge: Callable[[tuple[Row, ...]], tuple[Row, ...]], needed: int
) -> set[str]:
    """The lines at one edge of ``needed`` pages or more, and seldom anywhere else.

    Body text can repeat at an edge too (the same wrapped tail of many similar bullets); it
    also repeats in the middle of pages, which furniture does not.
    """
    inside: Counter[str] = Counter()
    everywhere: Counter[str] = Counter()
    for page in pages:
        inside.update({_key(row) for row in edge(page.rows)})
        everywhere.update(_key(row) for row in page.rows)
    return {
        key for key, count in inside.items() if count >= needed and everywhere[key] - count < count
    }


def _key(row: Row) -> str:
    return re.sub(r"\d+", "#", " ".join(row.text.casefold().split()))


def _in_margins(rows: list[Row], page: Page, body: float) -> set[int]:
    """The page numbers, and lines smaller than the body text, among the outermost rows of a
    page and in its top or bottom margin."""
    found: set[int] = set()
    for index in (*range(min(2, len(rows))), *range(max(0, len(rows) - 2), len(rows))):
        row = rows[index]
        small = 0 < row.size < body * SMALL_SCALE  # (a line of symbols alone has no size)
        if _in_margin(row, page) and (_is_page_number(row.text) or small):
            found.add(index)
    return found


def body_size(pages: list[Page]) -> float:
    """The type size most of the text between the margins is set in."""
    inside: Counter[float] = Counter()
    anywhere: Counter[float] = Counter()
    for page in pages:
        for row in page.rows:
            anywhere[row.size] += len(row.text)
            if not _in_margin(row, page):
                inside[row.size] += len(row.text)
    sizes = inside or anywhere
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _in_margin(row: Row, page: Page) -> bool:
    margin = (page.top - page.bottom) * MARGIN_SHARE
    return row.bottom >= page.top - margin or row.top <= page.bottom + margin


def _is_page_number(text: str) -> bool:
    match = PAGE_NUMBER.match(" ".join(text.split()))
    if match is None:
        return False
    number, total = match.group("n2"), match.group("m2")
    return number is None or int(number) <= int(total)  # "12/6" is a date, "1/2" a page


# --- headings and blocks ----------------------------------------------------------------------


def mark_headings(pages: list[Page]) -> list[Page]:
    """Lines set clearly larger than the body text, or wholly bold short lines, are headings.

    A bold line straight after other bold text that is no heading (a bullet set in bold, on
    this page or at the foot of the last) goes on with that text.
    """
    bold = sum(len(row.text) for page in pages for row in page.rows if row.bold)
    plain = sum(len(row.text) for page in pages for row in page.rows if not row.bold)
    body = body_size(pages)
    bold_means_heading = bold < plain
    previous: Row | None = None

    def marked(row: Row) -> Row:
        text = row.text.strip()
        if row.pieces > 1 or len(text) > HEADING_MAX or BULLET.match(text):
            return row
        display = row.size >= body * HEADING_SCALE  # (a large title may wrap to lower case)
        in_bold_text = (
            previous is not None and previous.bold and not previous.heading and not row.gap_before
        )
        strong = bold_means_heading and row.bold and not in_bold_text and not text[0].islower()
        return replace(row, heading=display or strong, display=display)

    out = []
    for page in pages:
        rows = []
        for row in page.rows:
            previous = marked(row)
            rows.append(previous)
        out.append(replace(page, rows=tuple(rows)))
    return out


def pages_to_blocks(pages: list[Page]) -> list[Block]:
    """Headings become HEADING blocks; the text between them is read as text (bullets re-joined).

    A page break is no paragraph break: a bullet that runs over it continues on the next page.
    """
    blocks: list[Block] = []
    text: list[str] = []  # lines, each after its separator: "\n", "\n\n" for a gap, "\f"
    margin = min((row.left for page in pages for row in page.rows), default=0.0)
    heading: Row | None = None  # a heading being read, perhaps over two lines
    page_break = False

    def flush_text() -> None:
        if text:
            blocks.extend(text_to_blocks("".join(text).lstrip("\n\f")))
        text.clear()

    def flush_heading() -> None:
        nonlocal heading
        if heading is not None:
            blocks.append(Block(BlockKind.HEADING, " ".join(heading.text.split()), True))
        heading = None

    for page in pages:
        for index, row in enumerate(page.rows):
            if row.heading:
                flush_text()
                if heading is not None and _continues_heading(heading, row, index):
                    heading = replace(heading, text=f"{heading.text} {row.text}", bottom=row.bottom)
                    continue
                flush_heading()
                heading = row
                continue
            flush_heading()
            separator = "\f" if page_break else "\n\n" if row.gap_before else "\n"
            text.append(separator + _indented(row, margin))
            page_break = False
        flush_heading()
        page_break = True
    flush_text()
    return blocks


def _indented(row: Row, margin: float) -> str:
    """The row's text indented as far as it is set from the left margin (a column per
    POINTS_PER_COLUMN), so that a sub-bullet set further in reads as one in text."""
    return " " * max(round((row.left - margin) / POINTS_PER_COLUMN), 0) + row.text


def _continues_heading(heading: Row, row: Row, index: int) -> bool:
    """A large heading wrapped over two lines: the same face, no space between, no punctuation
    at the end of the first line, and a second line that starts in lower case or is neither a
    "Label: value" nor a heading by its words ("Øvelse 1")."""
    return (
        index > 0
        and heading.display
        and not row.gap_before
        and (row.text[:1].islower() or not (labels_in(row.text) or is_structural_heading(row.text)))
        and (row.size, row.bold) == (heading.size, heading.bold)
        and not heading.text.rstrip().endswith((".", ":", "?", "!"))
    )
