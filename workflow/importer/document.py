"""From a file's bytes to parsed minutes, with the fingerprint that makes imports idempotent."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from workflow.importer.errors import MinutesRejected, NoIdeasFound
from workflow.importer.parser import ParsedIdea, ParsedMinutes, ParsedParticipant, parse_blocks
from workflow.importer.readers import Progress, read_document


@dataclass(frozen=True)
class ParsedDocument:
    """A document read and understood."""

    filename: str
    media_type: str
    minutes: ParsedMinutes
    content_hash: str  # of the text as read, so a re-saved or re-encoded copy is the same document

    def to_json(self) -> dict[str, Any]:
        """The parsed document as JSON, to keep a preview without reading the file again."""
        minutes = asdict(self.minutes)
        minutes["held_on"] = self.minutes.held_on.isoformat() if self.minutes.held_on else None
        return {
            "filename": self.filename,
            "media_type": self.media_type,
            "content_hash": self.content_hash,
            "minutes": minutes,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ParsedDocument:
        """The document ``to_json`` described."""
        raw = data["minutes"]
        minutes = ParsedMinutes(
            title=raw["title"],
            held_on=date.fromisoformat(raw["held_on"]) if raw["held_on"] else None,
            location=raw["location"],
            host=raw["host"],
            recorder=raw["recorder"],
            themes=tuple(raw["themes"]),
            ideas=tuple(
                ParsedIdea(
                    **{
                        **idea,
                        "details": tuple(idea.get("details", ())),
                        "notes": tuple(tuple(note) for note in idea.get("notes", ())),
                    }
                )
                for idea in raw["ideas"]
            ),
            participants=tuple(ParsedParticipant(**person) for person in raw["participants"]),
            unrecognised=tuple(raw.get("unrecognised", ())),
            ocr_confidence=raw.get("ocr_confidence"),
        )
        return cls(data["filename"], data["media_type"], minutes, data["content_hash"])


def parse_document(
    filename: str, content: bytes, progress: Progress | None = None, *, ocr: bool = True
) -> ParsedDocument:
    """Read and parse a minutes document; raises ``MinutesRejected`` with one clear sentence.

    A scan is read by text recognition (``progress(done, total)`` per page), or with ``ocr``
    False refused as ``ScanFound`` for reading in the background.
    """
    media_type, blocks = read_document(filename, content, progress, ocr=ocr)
    if not blocks:
        raise MinutesRejected("The file is empty.")
    minutes = parse_blocks(blocks)
    canonical = "\n".join(f"{block.kind.value}:{block.text}" for block in blocks)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return ParsedDocument(filename, media_type, minutes, digest)


def require_ideas(document: ParsedDocument) -> ParsedDocument:
    """The document when it holds ideas; ``NoIdeasFound`` (with what was not placed) if not."""
    if not document.minutes.ideas:
        raise NoIdeasFound(document.minutes.unrecognised)
    return document
