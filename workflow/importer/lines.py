"""Plain text (typed, or extracted from a PDF) to blocks: bullets found, wrapped lines re-joined.

Text taken out of a PDF breaks a bullet's sentence over several lines, often with empty lines
between the pieces. Whether a line that follows a bullet continues it or starts something new is
decided from what a reader would use: a lower-case start continues; a finished sentence
continues; a short line that names a part of the minutes ("Spørgsmål/andet", "Vi kan…") or that
introduces the next bullets is a heading; a line after an unfinished sentence continues it.
"""

from __future__ import annotations

import re

from workflow.importer.blocks import Block, BlockKind, normalise_space
from workflow.importer.vocabulary import is_structural_heading, labels_in

# "12. juni 2025" at the start of a line is a date, not item 12 of a numbered list.
MONTH_WORDS = r"(?:jan|feb|mar|apr|maj|may|jun|jul|aug|sep|okt|oct|nov|dec)[a-z]*\b"
# Symbol-font bullet (U+F0B7), •, ▪, ●, ◦, ‣, ⁃, ■, □, ➢, ∙, · always; -, *, –, — and numbering
# ("1." / "1)", a lower-case letter or roman numeral and "." or ")": "a)", "iv.") only with a space
# after them. "a. m." and "f. eks." are abbreviations, not item a or f.
_ROMAN = r"ii{1,2}|iv|vi{0,3}|ix|xi{0,3}"
BULLET = re.compile(
    r"^\s*(?P<mark>[\uf0b7\uf0a7\uf076\u2022\u25aa\u25cf\u25e6\u2023\u2043\u25a0\u25a1\u27a2\u2219\u00b7]"
    r"|[-*\u2013\u2014](?=\s)|\d{1,2}[.)](?=\s+(?!" + MONTH_WORDS + r")\D)"
    r"|(?-i:(?:[a-z]|" + _ROMAN + r")\)(?=\s))"
    r"|(?-i:(?:[a-z]|" + _ROMAN + r")\.(?=\s+(?![a-zæøå]{1,4}\.)\S)))\s*(?P<text>.*)$",
    re.IGNORECASE,
)
# Word's second-level bullet, saved as text, is a letter o: a bullet only under another bullet.
SUB_BULLET_O = re.compile(r"^\s*(?P<mark>o)\s+(?P<text>\S.*)$")
TAB_WIDTH = 4
HEADING_MAX = 100
SUSPENDED_HYPHEN_WORDS = frozenset({"og", "eller", "samt", "til", "som", "and", "or"})
_SENTENCE_END = (".", "!", "?", "…", ":", ";", "”", '"', "»", ")")
_LOWER_START = re.compile(r"^[a-zæøåäöüéèà]")
_CONTINUES = re.compile(r"^[a-zæøåäöüéèà0-9(,;:)\]–\-/&+]")


def text_to_blocks(text: str) -> list[Block]:
    """Split text into blocks, joining each bullet's wrapped lines into one text."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").split("\n")
    soft_blank_lines = _pdf_extracted(lines)
    following = _next_filled_lines(lines)
    blocks: list[Block] = []
    bullet: list[str] | None = None  # the pieces of the bullet being read
    bullet_gap = False
    bullet_level = 0
    mark = ""  # the kind of the last bullet's mark ("•", "1.", "a)")
    levels = Levels()
    gap = 0  # 0: none, 1: empty line(s), 2: a paragraph break

    def flush() -> None:
        nonlocal bullet
        text = _joined(bullet or [])
        if text:
            blocks.append(Block(BlockKind.BULLET, text, bullet_gap, bullet_level))
        bullet = None

    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            # In text pulled out of a PDF, empty lines fall inside wrapped sentences and only lines
            # of spaces part paragraphs; in typed text every blank line parts paragraphs.
            gap = max(gap, 2 if line or not soft_blank_lines else 1)
            continue
        match = BULLET.match(line) or (bullet is not None and levels.under(line))
        if match and bullet is not None and _wrapped_word(match.group("mark"), bullet, gap, mark):
            match = None
        if match:
            mark = _mark_kind(match.group("mark"))
            flush()
            bullet, bullet_gap, gap = [normalise_space(match.group("text"))], gap > 0, 0
            bullet_level = levels.place(indentation(line), _mark_kind(match.group("mark")))
            continue
        if bullet is not None and _continues(_tail(bullet), stripped, gap, following[index]):
            bullet.append(normalise_space(stripped))
            gap = 0
            continue
        flush()
        levels.open.clear()
        blocks.append(Block(BlockKind.TEXT, _keep_columns(stripped), gap > 0))
        gap = 0
    flush()
    return blocks


def indentation(line: str) -> int:
    """How far a line is indented, in columns (a tab counts as four)."""
    width = 0
    for char in line:
        if char == "\t":
            width += TAB_WIDTH
        elif char.isspace():
            width += 1
        else:
            break
    return width


def _wrapped_word(mark: str, bullet: list[str], gap: int, last_kind: str) -> bool:
    """Whether a line starting "i. " or "a. " goes on with the bullet above rather than being
    item i or a: it follows an unfinished sentence directly, in a list not lettered that way
    (the Danish "i" ends many a wrapped line: "... som vi bor i. Næste ...")."""
    kind = _mark_kind(mark)
    return (
        kind == "a."
        and gap == 0
        and last_kind != kind
        and not _tail(bullet).endswith(_SENTENCE_END)
    )


def _mark_kind(mark: str) -> str:
    """Numbering by its kind ("1.", "a)"); any other mark as itself."""
    if mark[:1].isdigit():
        return "1" + mark[-1]
    if mark[:1].isalpha() and len(mark) > 1:
        return "a" + mark[-1]
    return mark


class Levels:
    """The bullets' depths in text: a bullet indented at least a tab's width further than the
    bullet above it, or indented further with another mark (a "–" under a "•", "a)" under
    "1."), is one level deeper; one indented as far as an open level is at that level."""

    def __init__(self) -> None:
        self.open: list[tuple[int, str]] = []  # (indentation, mark) of each open level

    def place(self, indent: int, mark: str) -> int:
        """The depth of a bullet with this indentation and mark."""
        while self.open:
            if _deeper(indent, mark, *self.open[-1]):
                break
            if len(self.open) == 1 or _deeper(indent, mark, *self.open[-2]):
                return len(self.open) - 1  # a sibling of the last bullet
            self.open.pop()
        self.open.append((indent, mark))
        return len(self.open) - 1

    def under(self, line: str) -> re.Match[str] | None:
        """An "o" bullet indented under the list's first bullet (Word's second level, as text)."""
        match = SUB_BULLET_O.match(line)
        if match and self.open and indentation(line) > self.open[0][0]:
            return match
        return None


def _deeper(indent: int, mark: str, parent_indent: int, parent_mark: str) -> bool:
    return indent - parent_indent >= TAB_WIDTH or (indent > parent_indent and mark != parent_mark)


def _next_filled_lines(lines: list[str]) -> list[str]:
    """For each line, the next line that is not blank ("" at the end), in one pass."""
    following = [""] * len(lines)
    upcoming = ""
    for index in range(len(lines) - 1, -1, -1):
        following[index] = upcoming
        if lines[index].strip():
            upcoming = lines[index]
    return following


def _pdf_extracted(lines: list[str]) -> bool:
    """True for text in the style PDF extractors write: lines of spaces, trailing spaces."""
    filled = [line for line in lines if line.strip()]
    trailing = sum(1 for line in filled if line != line.rstrip())
    return any(line and line.isspace() for line in lines) or trailing * 2 > len(filled)


def _tail(pieces: list[str]) -> str:
    """The end of the bullet read so far (its last non-empty piece)."""
    return next((piece for piece in reversed(pieces) if piece), "")


def _joined(pieces: list[str]) -> str:
    """A bullet's wrapped pieces as one text.

    A line ending in a hyphen inside a word ("SOSU-" / "uddannelsen") is joined without a space;
    a Danish suspended hyphen ("børne-" / "og ungeområdet") keeps its space.
    """
    parts: list[str] = []
    for piece in pieces:
        if not piece:
            continue
        if parts and _hyphenated(parts[-1], piece):
            parts.append(piece)
        else:
            parts.extend((" ", piece) if parts else (piece,))
    return "".join(parts)


def _hyphenated(before: str, piece: str) -> bool:
    return (
        before.endswith("-")
        and len(before) > 1
        and before[-2].isalpha()
        and piece[:1].islower()
        and piece.split(" ", 1)[0] not in SUSPENDED_HYPHEN_WORDS
    )


def _keep_columns(line: str) -> str:
    """White space normalised, but a tab between columns ("Name<tab>Organisation") kept."""
    return "\t".join(normalise_space(column) for column in line.split("\t") if column.strip())


def _continues(bullet_text: str, line: str, gap: int, next_line: str) -> bool:
    """Whether ``line``, after a bullet whose text so far is ``bullet_text``, continues it."""
    if gap >= 2:  # after a paragraph break only a lower-case start still continues the sentence
        return bool(_LOWER_START.match(line))
    if _CONTINUES.match(line):
        return True
    if labels_in(line) is not None:
        return False
    if line.endswith(".") and not line.endswith("..") and gap < 2:
        return True
    short = len(line) <= HEADING_MAX
    if short and is_structural_heading(line):
        return False
    if not bullet_text.endswith(_SENTENCE_END) and gap < 2:
        return True
    if short and BULLET.match(next_line) and not line.endswith("."):
        return False
    return gap == 0
