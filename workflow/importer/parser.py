"""Blocks to a meeting: header facts, themes, ideas with their provenance, and participants."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from workflow.importer.blocks import Block, BlockKind
from workflow.importer.dates import find_date, parse_date
from workflow.importer.titles import short_title
from workflow.importer.vocabulary import (
    AGENDA_SECTION,
    EXERCISE,
    IDEA_SECTION,
    PARTICIPANT_SECTION,
    THEME_SECTION,
    is_structural_heading,
    labels_in,
)

EMAIL = re.compile(r"[\w.+'-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
FACT_MAX = 300
DATE_LINE_MAX = 60
HEADING_MAX = 120
HEADER_ROW = re.compile(r"^\W*(navn|name)\b.*\b(organisation|org|e-?mail|mail|forening)", re.I)
GENERIC_TITLE = re.compile(r"^(referat|opsamling|notat|minutes|mødereferat)\W*$", re.I)


@dataclass(frozen=True)
class ParsedIdea:
    """An idea as the minutes state it.

    ``details`` are its sub-bullets, ``notes`` the other columns of the table row it came from
    (``("Næste skridt", "Møde i marts")``), ``confidence`` text recognition's confidence (0-100)
    when the idea was read from a scan.
    """

    title: str
    text: str
    exercise: str | None
    section: str | None
    position: int
    details: tuple[str, ...] = ()
    notes: tuple[tuple[str, str], ...] = ()
    confidence: float | None = None

    @property
    def description(self) -> str:
        """The idea's text with its sub-bullets, one per line, below it."""
        return "\n".join([self.text, *(f"- {detail}" for detail in self.details)])


@dataclass(frozen=True)
class ParsedParticipant:
    """Someone the minutes list as present."""

    name: str
    organisation: str | None
    email: str | None


@dataclass(frozen=True)
class ParsedMinutes:
    """Everything the importer takes from one document."""

    title: str
    held_on: date | None
    location: str | None
    host: str | None
    recorder: str | None
    themes: tuple[str, ...]
    ideas: tuple[ParsedIdea, ...]
    participants: tuple[ParsedParticipant, ...]
    unrecognised: tuple[str, ...] = ()  # text the parser could not place, in document order
    ocr_confidence: float | None = None  # mean recognition confidence when read from a scan


@dataclass
class _Reading:
    """The parser's place in the document."""

    title: str | None = None
    facts: dict[str, str] = field(default_factory=dict)
    exercise: str | None = None
    section: str | None = None
    kind: str = "ideas"  # what the bullets of the current section are: ideas/themes/...
    themes: list[str] = field(default_factory=list)
    ideas: list[ParsedIdea] = field(default_factory=list)
    participants: list[ParsedParticipant] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)
    parent: bool = False  # the last block was an idea that a sub-bullet would belong to
    # A heading nothing has followed yet (where in ``unrecognised`` it would go, its text): a
    # sentence read as a heading, or a table row, is unplaced text unless something follows.
    empty_heading: tuple[int, str] | None = None


def parse_blocks(blocks: list[Block]) -> ParsedMinutes:
    """Read a document's blocks as minutes; what it cannot place is listed as unrecognised.

    Minutes without ideas are parsed all the same (their text comes back as ``unrecognised``):
    whether that is an error is the importer's decision, since a person can still pick lines.
    """
    reading = _Reading()
    for block in blocks:
        if block.kind is BlockKind.BULLET:
            _bullet(reading, block)
        elif block.kind is BlockKind.PROPOSALS:
            _proposals(reading, block.text)
        else:
            reading.parent = False
            _line(reading, block)
    _close_section(reading)
    title = reading.title or "Møde"
    confidences = [block.confidence for block in blocks if block.confidence is not None]
    return ParsedMinutes(
        title=title,
        held_on=find_date([title, reading.facts.get("date", ""), *reading.facts.values()]),
        location=reading.facts.get("location"),
        host=reading.facts.get("host"),
        recorder=reading.facts.get("recorder"),
        themes=tuple(dict.fromkeys(reading.themes)),
        ideas=tuple(reading.ideas),
        participants=tuple(_unique(reading.participants)),
        unrecognised=tuple(reading.unrecognised),
        ocr_confidence=round(sum(confidences) / len(confidences), 1) if confidences else None,
    )


def _find_email(text: str) -> re.Match[str] | None:
    return EMAIL.search(text) if "@" in text else None  # no pattern work on lines without "@"


def _line(reading: _Reading, block: Block) -> None:
    if reading.kind == "participants":
        raw = block.text  # columns (tabs) tell name from organisation
    text = " ".join(block.text.split())
    labelled = labels_in(text)
    if labelled is not None:
        fields, value = labelled
        if "participants" in fields:
            _enter_section(reading, text.split(":")[0], "participants")
            for part in _inline_participants(value):
                _participant(reading, part)
            return
        for name in fields:
            if value:
                reading.facts.setdefault(name, value[:FACT_MAX])
        return
    if reading.title is None or GENERIC_TITLE.match(reading.title):
        # A bare "Referat" names no meeting: the next line does.
        reading.title = text[:300] if reading.title is None else f"{reading.title} – {text}"[:300]
        return
    if _in_header(reading) and len(text) <= DATE_LINE_MAX and parse_date(text):
        reading.facts.setdefault("date", text[:FACT_MAX])  # "12. juni 2025" under the title
        return
    if reading.kind == "participants" and not (
        block.kind is BlockKind.HEADING or (is_structural_heading(text) and not _find_email(text))
    ):
        _participant(reading, raw)
        return
    if block.kind is BlockKind.HEADING or _looks_like_heading(text):
        if EXERCISE.search(text):
            _close_section(reading)
            reading.exercise, reading.section = text, None
            reading.kind = _kind_of(text, default="ideas")
        elif not (text.startswith("(") and text.endswith(")")):  # "(spørgsmål 1 på slide)"
            _enter_section(reading, text, _kind_of(text, default=_kind_of(reading.exercise or "")))
        return
    reading.unrecognised.append(text)


def _proposals(reading: _Reading, header: str) -> None:
    """A table of proposals: its rows are ideas, under the heading above it when that heads
    ideas already, else under the column's name ("Forslag")."""
    reading.parent = False
    if reading.kind != "ideas" or reading.section is None:
        _enter_section(reading, header, "ideas")


def _close_section(reading: _Reading) -> None:
    """A heading with nothing under it was text after all (a sentence, a table's row)."""
    if reading.empty_heading is not None:
        reading.unrecognised.insert(*reading.empty_heading)
        reading.empty_heading = None


def _in_header(reading: _Reading) -> bool:
    return reading.exercise is None and reading.section is None and not reading.ideas


def _enter_section(reading: _Reading, heading: str, kind: str) -> None:
    _close_section(reading)
    reading.empty_heading = (len(reading.unrecognised), heading)
    reading.section, reading.kind = heading, kind


def _kind_of(heading: str, default: str = "ideas") -> str:
    if PARTICIPANT_SECTION.search(heading):
        return "participants"
    if AGENDA_SECTION.search(heading):
        return "agenda"
    if IDEA_SECTION.search(heading):
        return "ideas"
    if THEME_SECTION.search(heading):
        return "themes"
    return default


def _looks_like_heading(text: str) -> bool:
    return len(text) <= HEADING_MAX and (
        not text.endswith(".") or is_structural_heading(text) or text.endswith("..")
    )


def _bullet(reading: _Reading, block: Block) -> None:
    text = block.text
    if not any(char.isalnum() for char in text):
        return  # a stray bullet with nothing in it
    reading.empty_heading = None
    if reading.kind == "themes":
        reading.themes.append(text)
    elif reading.kind == "participants":
        _participant(reading, text)
    elif reading.kind == "ideas":
        if block.level > 0 and reading.parent:  # a sub-bullet describes the idea above it
            parent = reading.ideas[-1]
            reading.ideas[-1] = replace(parent, details=(*parent.details, text))
            return
        reading.ideas.append(
            ParsedIdea(
                title=short_title(text),
                text=text,
                exercise=reading.exercise,
                section=reading.section,
                position=len(reading.ideas) + 1,
                notes=block.notes,
                confidence=block.confidence,
            )
        )
        reading.parent = True
    else:  # an agenda's items: not ideas, but a person may still pick them
        reading.unrecognised.append(text)


def _inline_participants(value: str) -> list[str]:
    """Split "Deltagere: A (Org), B (Org)" or "A, Org; B, Org" or "A, B, C" into people."""
    if ";" in value:
        return value.split(";")
    if re.search(r"\)\s*,", value):
        return re.split(r"(?<=\))\s*,\s*", value)
    return value.split(",")


def _participant(reading: _Reading, line: str) -> None:
    """Read "Name, Organisation, email" (or "Name (Organisation) email", tabs, dashes...)."""
    reading.empty_heading = None
    if HEADER_ROW.search(line) and not _find_email(line):
        return  # "Navn, Organisation, E-mail": a table's header row
    email_match = _find_email(line)
    email = email_match.group(0).lower().strip(".") if email_match else None
    rest = line.replace(email_match.group(0), " ") if email_match else line
    rest = re.sub(r"[<>\[\]]", " ", rest)
    parts = [p.strip(" .") for p in re.split(r"[,;\t|()]|\s[–—-]\s", rest)]
    parts = [" ".join(p.split()) for p in parts if p.strip(" .")]
    if not parts:
        if email is None:
            return
        parts = [email.split("@")[0]]
    name, organisation = parts[0][:200], ", ".join(parts[1:])[:300] or None
    reading.participants.append(ParsedParticipant(name, organisation, email))


def _unique(participants: list[ParsedParticipant]) -> list[ParsedParticipant]:
    seen: set[str] = set()
    result = []
    for person in participants:
        key = person.email or f"{person.name.casefold()}|{(person.organisation or '').casefold()}"
        if key not in seen:
            seen.add(key)
            result.append(person)
    return result
