"""Word (.docx): the document part read as a stream, paragraph by paragraph and row by row.

Headings come from heading styles (and styles based on them or with an outline level), list
paragraphs from numbering (its level is the bullet's depth) or list styles ("List Bullet 2" is
depth 1). Nothing is held but the paragraphs' text and a few properties, and the parts are read
within the caps in ``zipped``.
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field

from workflow.importer.blocks import Block, normalise_space
from workflow.importer.errors import MinutesRejected
from workflow.importer.readers.docx_styles import (
    W_NAMESPACES,
    Styles,
    half_points,
    on,
    read_styles,
    w_attr,
)
from workflow.importer.readers.layout import Cell, Paragraph, Row, Table
from workflow.importer.readers.structure import body_blocks
from workflow.importer.readers.tables import row_text
from workflow.importer.readers.zipped import (
    END,
    MAX_PARAGRAPHS,
    MAX_TABLE_ROWS,
    NOT_DOCX,
    START,
    TOO_MANY_PARAGRAPHS,
    TOO_MANY_ROWS,
    Event,
    Package,
    part_events,
)

logger = logging.getLogger(__name__)

_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_RUN_SPACES = {"tab": " ", "br": " ", "cr": " ", "noBreakHyphen": "-"}
# Content that repeats or replaces what is read elsewhere: a drawing's fallback, and the
# properties a paragraph, run or table had before a tracked change.
_SKIPPED = frozenset(
    {"Fallback", "pPrChange", "rPrChange", "sectPrChange", "tblPrChange", "trPrChange",
     "tcPrChange"}
)  # fmt: skip
_READ = frozenset(
    {"body", "p", "r", "t", "pPr", "rPr", "b", "sz", "rStyle", "pStyle", "outlineLvl", "ilvl",
     "numId", "tbl", "tr", "tblHeader", "gridBefore", "tc", "gridSpan", "vMerge", *_RUN_SPACES}
)  # fmt: skip
# The elements the reader looks at, by their expanded names: any other is passed over at once.
_TAGS = {
    **{f"{namespace}}}{tag}": tag for namespace in W_NAMESPACES for tag in _READ | _SKIPPED},
    f"{_MC}}}Fallback": "Fallback",
}


def docx_blocks(package: Package) -> list[Block]:
    """Paragraphs and tables of a Word file as blocks."""
    document = _main_part(package)
    styles_part = _related(package, document, "/styles") or "word/styles.xml"
    package.check_size(document, styles_part, paragraph_tags=(b"<w:p>", b"<w:p ", b"<w:p/>"))
    styles = Styles()
    if package.has(styles_part):
        try:
            styles = read_styles(part_events(package, styles_part))
        except MinutesRejected:  # broken styles: the paragraphs' style names are still there
            logger.info("unreadable styles in a Word file")
    return body_blocks(_Reader(styles).read(part_events(package, document)))


def _main_part(package: Package) -> str:
    name = _related(package, "", "/officeDocument") or "word/document.xml"
    if not package.has(name):
        raise MinutesRejected(NOT_DOCX)
    return name


def _related(package: Package, source: str, kind: str) -> str | None:
    """The part a relation of ``kind`` from part ``source`` ("" for the package) points at."""
    folder, base = posixpath.split(source)
    rels = posixpath.join(folder, "_rels", f"{base}.rels")
    if not package.has(rels):
        return None
    for event, name, attributes in part_events(package, rels):
        if event != START or name != f"{_RELS}}}Relationship" or not isinstance(attributes, dict):
            continue
        target = attributes.get("Target")
        if target and attributes.get("Type", "").endswith(kind):
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join(folder, target))
    return None


@dataclass
class _Run:
    text: list[str] = field(default_factory=list)
    bold: bool | None = None
    size: float | None = None
    style: str | None = None


@dataclass
class _Para:
    texts: list[str] = field(default_factory=list)
    bold: bool = True  # all of its text so far is bold
    inked: bool = False  # it has visible text
    size: float | None = None  # the smallest size of its text so far
    style: str | None = None
    outline: bool = False
    level: int | None = None
    numbered: bool | None = None  # None: as the style says; False: numbering taken off


@dataclass
class _Table:
    rows: list[Row] = field(default_factory=list)
    above: dict[int, list[Paragraph]] = field(default_factory=dict)  # for vertically merged
    row: Row | None = None
    column: int = 0
    cell: Cell | None = None
    merged: bool = False  # the open cell continues the one above


class _Reader:
    """The state of reading one document part."""

    def __init__(self, styles: Styles) -> None:
        self.styles = styles
        self.items: list[Paragraph | Table] = []
        self.paragraphs: list[_Para] = []
        self.tables: list[_Table] = []
        self.run: _Run | None = None
        self.path: list[str | None] = []  # the open elements of interest (None: others)
        self.in_ppr = self.in_rpr = 0  # inside paragraph or run properties
        self.in_text = False
        self.skipping = 0  # depth inside content that is a duplicate (mc:Fallback)
        self.count = 0
        self.rows = 0
        self.body = False

    def read(self, events: Iterator[Event]) -> list[Paragraph | Table]:
        """The body's paragraphs and tables."""
        for kind, name, value in events:
            if self.skipping:
                self.skipping += 1 if kind == START else -1 if kind == END else 0
            elif kind == START:
                assert isinstance(value, dict)
                self._start(name, value)
            elif kind == END:
                self._end(name)
            elif self.in_text and self.run is not None and isinstance(name, str):
                self.run.text.append(name)
        if not self.body:
            raise MinutesRejected(NOT_DOCX)
        return self.items

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        tag = _TAGS.get(name)
        if tag is None:  # most elements: nothing to do but keep the place
            self.path.append(None)
            return
        if tag in _SKIPPED:
            self.skipping = 1
            return
        self.path.append(tag)
        if tag == "pPr":
            self.in_ppr += 1
        elif tag == "rPr":
            self.in_rpr += 1
        elif tag == "body":
            self.body = True
        elif tag == "p":
            self.paragraphs.append(_Para())
        elif tag == "r" and self.paragraphs:
            self.run = _Run()
        elif tag == "t" and self.run is not None:
            self.in_text = True
        elif tag in _RUN_SPACES and self.run is not None and not self.in_ppr:
            self.run.text.append(_RUN_SPACES[tag])
        elif self.run is not None and self.in_rpr:
            self._run_property(tag, w_attr(attributes, "val"))
        elif self.paragraphs and self.in_ppr and not self.in_rpr:
            self._paragraph_property(tag, w_attr(attributes, "val"))
        elif tag == "tbl":
            self.tables.append(_Table())
        elif self.tables:
            self._table_start(tag, w_attr(attributes, "val"))

    def _run_property(self, tag: str, value: str | None) -> None:
        assert self.run is not None
        if tag == "b":
            self.run.bold = on(value)
        elif tag == "sz":
            self.run.size = half_points(value)
        elif tag == "rStyle":
            self.run.style = value

    def _paragraph_property(self, tag: str, value: str | None) -> None:
        paragraph = self.paragraphs[-1]
        if tag == "pStyle":
            paragraph.style = value
        elif tag == "outlineLvl":
            paragraph.outline = value is not None and value.isdigit() and int(value) < 9
        elif tag == "ilvl" and value and value.isdigit():
            paragraph.level = min(int(value), 8)
        elif tag == "numId":
            paragraph.numbered = value != "0"

    def _table_start(self, tag: str, value: str | None) -> None:
        table = self.tables[-1]
        if tag == "tr":
            table.row, table.column = Row(), 0
        elif tag == "tblHeader" and table.row is not None:
            table.row.header = on(value)
        elif tag == "gridBefore" and table.row is not None and value and value.isdigit():
            table.column += min(int(value), 1000)
        elif tag == "tc" and table.row is not None:
            table.cell, table.merged = Cell(table.column), False
        elif tag == "gridSpan" and table.cell is not None and value and value.isdigit():
            table.cell.span = max(1, min(int(value), 1000))
        elif tag == "vMerge" and table.cell is not None:
            table.merged = value is None or value == "continue"

    def _end(self, name: str) -> None:
        tag = self.path.pop() if self.path else None
        if tag is None:
            return
        if tag == "pPr":
            self.in_ppr -= 1
        elif tag == "rPr":
            self.in_rpr -= 1
        elif tag == "t":
            self.in_text = False
        elif tag == "r" and self.run is not None and self.paragraphs:
            self._end_run(self.run)
            self.run = None
        elif tag == "p" and self.paragraphs:
            self._add(self._paragraph(self.paragraphs.pop()))
        elif tag in ("tc", "tr", "tbl") and self.tables:
            self._table_end(tag)

    def _end_run(self, run: _Run) -> None:
        text = "".join(run.text)
        if not text:
            return
        paragraph = self.paragraphs[-1]
        paragraph.texts.append(text)
        if text.isspace():
            return
        styles = self.styles
        style = paragraph.style or styles.default_paragraph
        bold = run.bold
        if bold is None:
            bold = styles.bold_of(run.style)
        if bold is None:
            bold = styles.bold_of(style)
        size = run.size or styles.size_of(run.style) or styles.size_of(style) or styles.size
        paragraph.inked = True
        paragraph.bold = paragraph.bold and (styles.bold if bold is None else bold)
        if size is not None and (paragraph.size is None or size < paragraph.size):
            paragraph.size = size

    def _paragraph(self, para: _Para) -> Paragraph:
        self.count += 1
        if self.count > MAX_PARAGRAPHS:
            raise MinutesRejected(TOO_MANY_PARAGRAPHS)
        text = normalise_space("".join(para.texts))
        styles = self.styles
        style = para.style or styles.default_paragraph
        level: int | None = None
        if para.numbered:
            level = para.level if para.level is not None else styles.list_level(style) or 0
        elif para.numbered is None:
            level = styles.list_level(style)
            if level is not None and para.level is not None:
                level = para.level
        return Paragraph(
            text=text,
            heading=para.outline or styles.is_heading(style),
            list_level=level,
            bold=para.inked and para.bold,
            size=para.size,
        )

    def _add(self, paragraph: Paragraph) -> None:
        table = self.tables[-1] if self.tables else None
        if table is not None and table.cell is not None:
            table.cell.paragraphs.append(paragraph)
        elif not self.tables:
            self.items.append(paragraph)

    def _table_end(self, tag: str) -> None:
        table = self.tables[-1]
        if tag == "tc" and table.cell is not None and table.row is not None:
            cell = table.cell
            if table.merged and not any(p.text for p in cell.paragraphs):
                cell.paragraphs = list(table.above.get(cell.column, []))
            table.above[cell.column] = cell.paragraphs
            table.row.cells.append(cell)
            table.column += cell.span
            table.cell = None
        elif tag == "tr" and table.row is not None:
            self.rows += 1
            if self.rows > MAX_TABLE_ROWS:
                raise MinutesRejected(TOO_MANY_ROWS)
            table.rows.append(table.row)
            table.row = None
        elif tag == "tbl":
            self.tables.pop()
            outer = self.tables[-1].cell if self.tables else None
            if outer is not None:  # a table in a cell: its rows as lines of the cell
                outer.paragraphs.extend(Paragraph(row_text(row)) for row in table.rows)
            elif not self.tables:
                self.items.append(Table(table.rows))
