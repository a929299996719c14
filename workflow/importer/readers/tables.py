"""Tables in Word and OpenDocument files: a table of proposals gives ideas, any other its rows.

A table whose header row (the first row, or the rows the file marks as header) names proposals
in a column ("Forslag", "Idéer", "Tiltag", "Handlinger", "Løsninger", "Proposals", ...) gives
one idea per row below it: the text of that column, with the row's other columns kept as notes
("Gruppe": "2"). In that cell, paragraphs are joined into one text and a bulleted list under a
paragraph is the idea's description; a cell of bullets only is one idea per bullet. Other
tables (a list of participants, say) give one line per row, its cells joined by commas.
"""

from __future__ import annotations

import re
import unicodedata

from workflow.importer.blocks import Block, BlockKind, normalise_space
from workflow.importer.lines import BULLET
from workflow.importer.readers.layout import Cell, Paragraph, Row, Table

HEADER_ROWS_SEARCHED = 3  # a title row may sit above the header row
_PROPOSAL_WORD = re.compile(
    r"^(?:\w*forslag(?:et|ene)?|ide(?:en|er|erne)?|ideas?|\w*tiltag(?:et|ene)?|"
    r"aktion(?:en|er|erne)?|\w*indsats(?:en|er|erne)?|handling(?:en|er|erne)?|"
    r"\w*løsning(?:en|er|erne)?|initiativ(?:et|er|erne)?|proposals?|actions?|suggestions?|"
    r"solutions?)$"
)


def names_proposals(header: str) -> bool:
    """Whether a column header names proposals ("Forslag", "Idéer", "Løsningsforslag", ...)."""
    folded = "".join(
        char
        for char in unicodedata.normalize("NFD", header.casefold())
        if not unicodedata.combining(char)
    )
    folded = unicodedata.normalize("NFC", folded)
    return any(_PROPOSAL_WORD.match(word) for word in re.findall(r"\w+", folded))


def table_blocks(table: Table) -> list[Block]:
    """The blocks of one table: ideas with notes for a table of proposals, else a line a row."""
    rows = [row for row in table.rows if any(cell_text(cell) for cell in row.cells)]
    found = _proposal_header(rows)
    if found is None:
        return [Block(BlockKind.TEXT, row_text(row)) for row in rows]
    at, column = found
    header = rows[at]
    names = _column_names(header)
    blocks = [Block(BlockKind.TEXT, row_text(row)) for row in rows[:at]]
    blocks.append(Block(BlockKind.PROPOSALS, names[column]))
    header_texts = [cell_text(cell) for cell in header.cells]
    for row in rows[at + 1 :]:
        if [cell_text(cell) for cell in row.cells] == header_texts:
            continue  # the header row again, as after a page break
        blocks.extend(_idea_blocks(row, names, column))
    return blocks


def _proposal_header(rows: list[Row]) -> tuple[int, int] | None:
    """(index of the header row, its proposals column), if a table of proposals."""
    marked = [index for index, row in enumerate(rows) if row.header]
    candidates = marked[:HEADER_ROWS_SEARCHED] or range(min(len(rows), HEADER_ROWS_SEARCHED))
    for index in candidates:
        for cell in rows[index].cells:
            if names_proposals(cell_text(cell)):
                return index, cell.column
    return None


def _column_names(header: Row) -> dict[int, str]:
    names: dict[int, str] = {}
    for cell in header.cells:
        for column in range(cell.column, cell.column + max(cell.span, 1)):
            names[column] = cell_text(cell)
    return names


def _idea_blocks(row: Row, names: dict[int, str], column: int) -> list[Block]:
    cells = [cell for cell in row.cells if cell_text(cell)]
    if not cells:
        return []
    idea = next((cell for cell in cells if cell.column <= column < cell.column + cell.span), None)
    idea = idea or cells[0]
    notes = tuple(
        (names.get(cell.column, ""), cell_text(cell)) for cell in cells if cell is not idea
    )
    plain = [text for text, listed in _paragraphs(idea.paragraphs) if not listed]
    listed = [text for text, listed in _paragraphs(idea.paragraphs) if listed]
    if plain:
        return [
            Block(BlockKind.BULLET, " ".join(plain), notes=notes),
            *(Block(BlockKind.BULLET, text, level=1) for text in listed),
        ]
    return [Block(BlockKind.BULLET, text, notes=notes) for text in listed]


def _paragraphs(paragraphs: list[Paragraph]) -> list[tuple[str, bool]]:
    """A cell's non-empty paragraphs as (text, is a list item), typed bullets taken off."""
    out = []
    for paragraph in paragraphs:
        if not paragraph.text:
            continue
        bullet = BULLET.match(paragraph.text)
        text = normalise_space(bullet.group("text")) if bullet else paragraph.text
        if text:
            out.append((text, bullet is not None or paragraph.list_level is not None))
    return out


def cell_text(cell: Cell) -> str:
    """A cell's text: paragraphs joined by a space, list items by a semicolon."""
    out = ""
    for text, listed in _paragraphs(cell.paragraphs):
        out = f"{out}{'; ' if listed else ' '}{text}" if out else text
    return out


def row_text(row: Row) -> str:
    """A row as one line, its non-empty cells joined by commas."""
    return ", ".join(text for text in (cell_text(cell) for cell in row.cells) if text)
