"""From a file's bytes to parsed minutes, with the fingerprint that makes imports idempotent."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from workflow.importer.parser import ParsedMinutes, parse_blocks
from workflow.importer.readers import read_document


@dataclass(frozen=True)
class ParsedDocument:
    """A document read and understood."""

    filename: str
    media_type: str
    minutes: ParsedMinutes
    content_hash: str  # of the text as read, so a re-saved or re-encoded copy is the same document


def parse_document(filename: str, content: bytes) -> ParsedDocument:
    """Read and parse a minutes document; raises ``MinutesRejected`` with one clear sentence."""
    media_type, blocks = read_document(filename, content)
    minutes = parse_blocks(blocks)
    canonical = "\n".join(f"{block.kind.value}:{block.text}" for block in blocks)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return ParsedDocument(filename, media_type, minutes, digest)
