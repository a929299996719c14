"""Text helpers that respect Danish: case folding for keys and search."""

from __future__ import annotations

import unicodedata


def casefold_key(text: str) -> str:
    """A comparison key: NFC-normalised, case-folded, whitespace collapsed (Æ/æ, Ø/ø, Å/å alike)."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def search_text(*parts: str) -> str:
    """What free-text search looks in: the parts as one case-folded text."""
    return "\n".join(casefold_key(part) for part in parts if part)


def like_pattern(query: str) -> str:
    """A LIKE pattern (escape character ``\\``) matching ``query`` anywhere, case-folded."""
    escaped = casefold_key(query).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def counted(number: int, noun: str) -> str:
    """``1 idea``, ``2 ideas``: a count with an English noun in the right number."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
