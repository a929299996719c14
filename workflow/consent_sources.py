"""Where a contact's permission came from: kept in one fixed wording, read back as kind and detail.

The wording is stored (it is a record, and must not change with the reader's language); pages
translate it by kind (``web.consent_sources``).
"""

from __future__ import annotations

from typing import Literal

SourceKind = Literal["minutes", "api", "meeting_page", "idea_page", "minutes_list"]
_PREFIXES: dict[SourceKind, str] = {
    "minutes": "listed in the minutes of ",
    "api": "added through the API by ",
    "meeting_page": "added on the meeting page by ",
    "idea_page": "added on the idea page by ",
}
# Written by migration 0004 for participants kept before sources were recorded.
MINUTES_LIST = "participant list in the minutes"
SOURCE_LENGTH = 200


def recorded(kind: SourceKind, detail: str) -> str:
    """The stored wording for a permission of ``kind`` (the meeting's title, or who added it)."""
    if kind == "minutes":
        detail = f"“{detail}”"
    return f"{_PREFIXES[kind]}{detail}"[:SOURCE_LENGTH]


def read(source: str) -> tuple[SourceKind, str] | None:
    """The kind and detail of a stored wording, or None for a wording this version did not write."""
    if source == MINUTES_LIST:
        return "minutes_list", ""
    for kind, prefix in _PREFIXES.items():
        if source.startswith(prefix):
            detail = source.removeprefix(prefix)
            return kind, detail.strip("“”") if kind == "minutes" else detail
    return None
