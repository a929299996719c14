"""From a file's bytes to parsed minutes, with the fingerprint that makes imports idempotent."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter

from workflow.importer.errors import MinutesRejected, NoIdeasFound
from workflow.importer.parser import ParsedMinutes, parse_blocks
from workflow.importer.readers import Progress, read_document


@dataclass(frozen=True)
class ParsedDocument:
    """A document read and understood."""

    filename: str
    media_type: str
    minutes: ParsedMinutes
    content_hash: str  # of the text as read, so a re-saved or re-encoded copy is the same document


# A parsed document kept as JSON (a preview waiting to be imported, or the answer of the bounded
# reader's child process) and read back; fields older records lack take their defaults.
_STORED: TypeAdapter[ParsedDocument] = TypeAdapter(ParsedDocument)


def document_json(document: ParsedDocument) -> dict[str, Any]:
    """The parsed document as JSON, to keep a preview without reading the file again."""
    stored: dict[str, Any] = _STORED.dump_python(document, mode="json")
    return stored


def document_from_json(data: Any) -> ParsedDocument:
    """The document ``document_json`` described."""
    return _STORED.validate_python(data)


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
