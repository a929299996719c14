"""OpenDocument text (.odt): content.xml read as a stream, with the styles it relies on.

``text:h`` and paragraphs in heading styles are headings; a paragraph in a ``text:list`` is a
list item whose depth is how deeply its list is nested; tables read as in Word files.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from workflow.importer.blocks import Block, normalise_space
from workflow.importer.errors import MinutesRejected
from workflow.importer.readers.layout import Cell, Paragraph, Row, Table
from workflow.importer.readers.odt_styles import (
    DRAW,
    OFFICE,
    TABLE,
    TEXT,
    OdfStyles,
    q,
    read_odf_styles,
)
from workflow.importer.readers.structure import body_blocks
from workflow.importer.readers.tables import row_text
from workflow.importer.readers.zipped import (
    END,
    MAX_PARAGRAPHS,
    MAX_TABLE_ROWS,
    NOT_ODT,
    START,
    TOO_MANY_PARAGRAPHS,
    TOO_MANY_ROWS,
    Event,
    Package,
    part_events,
)

CONTENT = "content.xml"
STYLES = "styles.xml"
_PARAGRAPHS = (q(TEXT, "p"), q(TEXT, "h"))
# Text that is not the document's running text: notes, comments, tracked deletions, generated
# indexes, frames (images, text boxes).
_SKIPPED = frozenset(
    [q(TEXT, name) for name in ("note", "tracked-changes", "table-of-content",
                                "alphabetical-index", "illustration-index", "bibliography",
                                "object-index", "user-index", "table-index", "sequence-decls",
                                "variable-decls", "user-field-decls")]
    + [q(OFFICE, "annotation"), q(OFFICE, "forms"), q(DRAW, "frame"), q(DRAW, "custom-shape")]
)  # fmt: skip
_MAX_REPEAT = 1000
_PARAGRAPH_TAGS = tuple(f"<text:{tag}{end}".encode() for tag in "ph" for end in "> /")


def odt_blocks(package: Package) -> list[Block]:
    """Paragraphs and tables of an OpenDocument text file as blocks."""
    if not package.has(CONTENT):
        raise MinutesRejected(NOT_ODT)
    package.check_size(CONTENT, STYLES, paragraph_tags=_PARAGRAPH_TAGS)
    styles = OdfStyles()
    if package.has(STYLES):
        try:
            read_odf_styles(part_events(package, STYLES), styles)
        except MinutesRejected:  # broken styles: the text can still be read
            styles = OdfStyles()
    return body_blocks(_Reader(styles).read(part_events(package, CONTENT)))


@dataclass
class _Para:
    heading: bool
    list_level: int | None
    bold: bool | None
    size: float
    runs: list[tuple[str, bool, float]] = field(default_factory=list)


@dataclass
class _Table:
    rows: list[Row] = field(default_factory=list)
    header: bool = False  # inside table:table-header-rows
    row: Row | None = None
    column: int = 0
    cell: Cell | None = None
    spans: dict[int, tuple[int, list[Paragraph]]] = field(default_factory=dict)  # rows left


class _Reader:
    """The state of reading content.xml."""

    def __init__(self, styles: OdfStyles) -> None:
        self.styles = styles
        self.items: list[Paragraph | Table] = []
        self.paragraphs: list[_Para] = []
        self.spans: list[tuple[bool | None, float]] = []  # text style (bold, size) in force
        self.lists: list[Paragraph | None] = []  # per open list item: its paragraph so far
        self.tables: list[_Table] = []
        self.skipping = 0
        self.count = 0
        self.rows = 0

    def read(self, events: Iterator[Event]) -> list[Paragraph | Table]:
        """The document's paragraphs and tables."""
        # content.xml's own (automatic) styles come before the body
        if not read_odf_styles(events, self.styles):
            raise MinutesRejected(NOT_ODT)
        for kind, name, value in events:
            if self.skipping:
                self.skipping += 1 if kind == START else -1 if kind == END else 0
            elif kind == START:
                assert isinstance(value, dict)
                self._start(name, value)
            elif kind == END:
                self._end(name)
            elif self.paragraphs:
                bold, size = self.spans[-1]
                self.paragraphs[-1].runs.append((name, bool(bold), size))
        return self.items

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        if name in _SKIPPED:
            self.skipping = 1
        elif name in _PARAGRAPHS:
            self._start_paragraph(name, attributes)
        elif name == q(TEXT, "span") and self.paragraphs:
            style = attributes.get(q(TEXT, "style-name"))
            bold, size = self.spans[-1]
            text_bold = self.styles.bold("text", style)
            text_size = self.styles.size_of("text", style, size)
            self.spans.append((bold if text_bold is None else text_bold, text_size or size))
        elif name == q(TEXT, "s") and self.paragraphs:
            count = attributes.get(q(TEXT, "c"), "1")
            self._text(" " * min(int(count) if count.isdigit() else 1, 100))
        elif name in (q(TEXT, "tab"), q(TEXT, "line-break")) and self.paragraphs:
            self._text(" ")
        elif name == q(TEXT, "list"):
            self.lists.append(None)
        elif name in (q(TEXT, "list-item"), q(TEXT, "list-header")) and self.lists:
            self.lists[-1] = None
        elif name == q(TABLE, "table"):
            self.tables.append(_Table())
        elif self.tables:
            self._table_start(name, attributes)

    def _text(self, text: str) -> None:
        bold, size = self.spans[-1]
        self.paragraphs[-1].runs.append((text, bool(bold), size))

    def _start_paragraph(self, name: str, attributes: dict[str, str]) -> None:
        style = attributes.get(q(TEXT, "style-name"))
        styles = self.styles
        heading = name == q(TEXT, "h") or styles.is_heading(style)
        level: int | None = None
        if self.lists and not heading:
            level = min(len(self.lists) - 1, 8)
        elif styles.is_listed(style) and not heading:
            level = 0
        size = styles.size_of("paragraph", style, styles.size) or styles.size
        bold = styles.bold("paragraph", style)
        self.paragraphs.append(_Para(heading, level, bold, size))
        self.spans.append((bold, size))

    def _end(self, name: str) -> None:
        if name in _PARAGRAPHS and self.paragraphs:
            self.spans.pop()
            self._add(self._paragraph(self.paragraphs.pop()))
        elif name == q(TEXT, "span") and self.paragraphs and len(self.spans) > 1:
            self.spans.pop()
        elif name == q(TEXT, "list") and self.lists:
            self.lists.pop()
            if self.lists:
                self.lists[-1] = None  # text after a nested list is not its parent's first line
        elif name == q(TABLE, "table") and self.tables:
            self._end_table()
        elif self.tables:
            self._table_end(name)

    def _paragraph(self, para: _Para) -> Paragraph:
        self.count += 1
        if self.count > MAX_PARAGRAPHS:
            raise MinutesRejected(TOO_MANY_PARAGRAPHS)
        inked = [(bold, size) for text, bold, size in para.runs if text.strip()]
        return Paragraph(
            text=normalise_space("".join(text for text, _, _ in para.runs)),
            heading=para.heading,
            list_level=para.list_level,
            bold=bool(inked) and all(bold for bold, _ in inked),
            size=min((size for _, size in inked), default=None),
        )

    def _add(self, paragraph: Paragraph) -> None:
        if self.lists and paragraph.list_level is not None and paragraph.text:
            first = self.lists[-1]
            if first is not None:  # a list item's second paragraph continues its first
                first.text = f"{first.text} {paragraph.text}"
                return
            self.lists[-1] = paragraph
        table = self.tables[-1] if self.tables else None
        if table is not None and table.cell is not None:
            table.cell.paragraphs.append(paragraph)
        elif not self.tables:
            self.items.append(paragraph)

    def _table_start(self, name: str, attributes: dict[str, str]) -> None:
        table = self.tables[-1]
        if name == q(TABLE, "table-header-rows"):
            table.header = True
        elif name == q(TABLE, "table-row"):
            table.row, table.column = Row(header=table.header), 0
        elif name == q(TABLE, "table-cell") and table.row is not None:
            span = _count(attributes.get(q(TABLE, "number-columns-spanned")))
            table.cell = Cell(table.column, span)
            down = _count(attributes.get(q(TABLE, "number-rows-spanned")))
            if down > 1:
                table.spans[table.column] = (down - 1, table.cell.paragraphs)
            repeated = _count(attributes.get(q(TABLE, "number-columns-repeated")))
            table.column += max(span, repeated)
        elif name == q(TABLE, "covered-table-cell") and table.row is not None:
            left, paragraphs = table.spans.get(table.column, (0, []))
            if left > 0:  # covered by a cell above: the cell above's text, for its column
                table.row.cells.append(Cell(table.column, 1, list(paragraphs)))
                table.spans[table.column] = (left - 1, paragraphs)
            table.column += _count(attributes.get(q(TABLE, "number-columns-repeated")))

    def _table_end(self, name: str) -> None:
        table = self.tables[-1]
        if name == q(TABLE, "table-header-rows"):
            table.header = False
        elif name == q(TABLE, "table-cell") and table.cell is not None and table.row is not None:
            table.row.cells.append(table.cell)
            table.cell = None
        elif name == q(TABLE, "table-row") and table.row is not None:
            self.rows += 1
            if self.rows > MAX_TABLE_ROWS:
                raise MinutesRejected(TOO_MANY_ROWS)
            table.rows.append(table.row)
            table.row = None

    def _end_table(self) -> None:
        table = self.tables.pop()
        outer = self.tables[-1].cell if self.tables else None
        if outer is not None:  # a table in a cell: its rows as lines of the cell
            outer.paragraphs.extend(Paragraph(row_text(row)) for row in table.rows)
        elif not self.tables:
            self.items.append(Table(table.rows))


def _count(value: str | None) -> int:
    return max(1, min(int(value), _MAX_REPEAT)) if value and value.isdigit() else 1
