"""Minutes laid out with structure (headings by style or look, lists with levels, tables),
written as Word files (python-docx) and as OpenDocument text files (the XML written here)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

Cell = str | tuple[str, ...]  # a text, or a paragraph followed by bullets


@dataclass(frozen=True)
class Heading:
    """A heading: by its style ("style"), or by looking like one ("bold", "large")."""

    text: str
    look: str = "style"


@dataclass(frozen=True)
class Para:
    """A paragraph of running text."""

    text: str


@dataclass(frozen=True)
class Item:
    """A list item at ``level``; ``typed`` is a marker typed into the text ("1.") instead."""

    text: str
    level: int = 0
    numbered: bool = False
    typed: str | None = None


@dataclass(frozen=True)
class Grid:
    """A table: a header row and rows of cells."""

    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    header_marked: bool = False  # the header row is marked to repeat on each page


Part = Heading | Para | Item | Grid


# --- Word -------------------------------------------------------------------------------------


def as_docx(parts: list[Part], numbering: str = "style") -> bytes:
    """The parts as a Word file; list levels by style names ("style") or by w:numPr ("numpr")."""
    import docx
    from docx.shared import Pt

    document = docx.Document()
    for part in parts:
        if isinstance(part, Heading) and part.look == "style":
            document.add_heading(part.text, level=2)
        elif isinstance(part, Heading):
            run = document.add_paragraph().add_run(part.text)
            if part.look == "bold":
                run.bold = True
            else:
                run.font.size = Pt(18)
        elif isinstance(part, Para):
            document.add_paragraph(part.text)
        elif isinstance(part, Item):
            _docx_item(document, part, numbering)
        else:
            _docx_table(document, part)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_item(document: Any, item: Item, numbering: str) -> None:
    if item.typed:
        document.add_paragraph(f"{item.typed} {item.text}")
        return
    if numbering == "numpr":
        paragraph = document.add_paragraph(item.text, style="List Paragraph")
        set_numbering(paragraph, item.level, num_id=2 if item.numbered else 1)
        return
    name = "List Number" if item.numbered else "List Bullet"
    document.add_paragraph(item.text, style=f"{name} {item.level + 1}" if item.level else name)


def set_numbering(paragraph: Any, level: int, num_id: int = 1) -> None:
    """Give a Word paragraph list numbering at ``level`` (w:numPr with w:ilvl)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    numbering = OxmlElement("w:numPr")
    for tag, value in (("w:ilvl", level), ("w:numId", num_id)):
        element = OxmlElement(tag)
        element.set(qn("w:val"), str(value))
        numbering.append(element)
    paragraph._p.get_or_add_pPr().append(numbering)


def _docx_table(document: Any, grid: Grid) -> None:
    from docx.oxml import OxmlElement

    table = document.add_table(rows=1 + len(grid.rows), cols=len(grid.header))
    for cell, text in zip(table.rows[0].cells, grid.header, strict=True):
        cell.text = text
    if grid.header_marked:
        table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for row, values in zip(table.rows[1:], grid.rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            first, *bullets = (value,) if isinstance(value, str) else value
            cell.text = first
            for bullet in bullets:
                cell.add_paragraph(bullet, style="List Bullet")


# --- OpenDocument ---------------------------------------------------------------------------

NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'office:version="1.3"'
)
AUTOMATIC_STYLES = (
    "<office:automatic-styles>"
    '<style:style style:name="P1" style:family="paragraph" style:parent-style-name="Standard">'
    '<style:text-properties fo:font-weight="bold"/></style:style>'
    '<style:style style:name="P2" style:family="paragraph" style:parent-style-name="Standard">'
    '<style:text-properties fo:font-size="150%"/></style:style>'
    '<style:style style:name="T1" style:family="text">'
    '<style:text-properties fo:font-weight="bold"/></style:style>'
    "</office:automatic-styles>"
)
STYLES = (
    f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {NAMESPACES}><office:styles>'
    '<style:default-style style:family="paragraph"><style:text-properties fo:font-size="12pt"/>'
    "</style:default-style>"
    '<style:style style:name="Standard" style:family="paragraph"/>'
    '<style:style style:name="Heading" style:family="paragraph" '
    'style:parent-style-name="Standard"><style:text-properties fo:font-size="14pt"/>'
    "</style:style>"
    '<style:style style:name="Heading_20_2" style:display-name="Heading 2" '
    'style:family="paragraph" style:parent-style-name="Heading" '
    'style:default-outline-level="2"/>'
    "</office:styles></office:document-styles>"
)
MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
    '<manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def as_odt(parts: list[Part], headings: str = "h") -> bytes:
    """The parts as an OpenDocument text file; style headings as ``text:h`` ("h") or as
    paragraphs in a heading style ("style")."""
    body: list[str] = []
    items: list[Item] = []
    for part in [*parts, None]:
        if isinstance(part, Item) and not part.typed:
            items.append(part)
            continue
        if items:
            body.append(odt_list([(item.level, item.text) for item in items]))
            items = []
        if isinstance(part, Heading):
            body.append(_odt_heading(part, headings))
        elif isinstance(part, Para):
            body.append(f"<text:p>{escape(part.text)}</text:p>")
        elif isinstance(part, Item):
            body.append(f"<text:p>{escape(f'{part.typed} {part.text}')}</text:p>")
        elif isinstance(part, Grid):
            body.append(_odt_table(part))
    return odt_package("".join(body))


def odt_package(body: str, mimetype: str = "application/vnd.oasis.opendocument.text") -> bytes:
    """An OpenDocument package whose office:text holds ``body``."""
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {NAMESPACES}>'
        f"{AUTOMATIC_STYLES}<office:body><office:text>{body}</office:text></office:body>"
        "</office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        package.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        package.writestr("styles.xml", STYLES, compress_type=zipfile.ZIP_DEFLATED)
        package.writestr("META-INF/manifest.xml", MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _odt_heading(heading: Heading, headings: str) -> str:
    text = escape(heading.text)
    if heading.look == "bold":
        return f'<text:p><text:span text:style-name="T1">{text}</text:span></text:p>'
    if heading.look == "large":
        return f'<text:p text:style-name="P2">{text}</text:p>'
    if headings == "style":
        return f'<text:p text:style-name="Heading_20_2">{text}</text:p>'
    return f'<text:h text:outline-level="2">{text}</text:h>'


def odt_list(items: list[tuple[int, str]]) -> str:
    """Items (level, text) as nested text:list elements."""
    out, depth = ["<text:list>"], 0
    for index, (level, text) in enumerate(items):
        level = min(level, depth + 1) if index else 0
        if index and level > depth:
            out.append("<text:list>")
        else:
            if index:
                out.append("</text:list-item>")
            for _ in range(depth - level):
                out.append("</text:list></text:list-item>")
        out.append(f"<text:list-item><text:p>{escape(text)}</text:p>")
        depth = level
    out.append("</text:list-item>" + "</text:list></text:list-item>" * depth + "</text:list>")
    return "".join(out)


def _odt_cell(value: Cell) -> str:
    first, *bullets = (value,) if isinstance(value, str) else value
    paragraph = f"<text:p>{escape(first)}</text:p>"
    return f"<table:table-cell>{paragraph}{odt_list([(0, b) for b in bullets]) if bullets else ''}"


def _odt_table(grid: Grid) -> str:
    header = "".join(_odt_cell(text) + "</table:table-cell>" for text in grid.header)
    header_row = f"<table:table-row>{header}</table:table-row>"
    if grid.header_marked:
        header_row = f"<table:table-header-rows>{header_row}</table:table-header-rows>"
    rows = "".join(
        "<table:table-row>"
        + "".join(_odt_cell(value) + "</table:table-cell>" for value in values)
        + "</table:table-row>"
        for values in grid.rows
    )
    columns = f'<table:table-column table:number-columns-repeated="{len(grid.header)}"/>'
    return f'<table:table table:name="T">{columns}{header_row}{rows}</table:table>'
