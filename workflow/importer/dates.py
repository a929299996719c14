"""Meeting dates as Danish minutes write them: 12.06.25, 12.06.2025, 12/6-2025, 12. juni 2025."""

from __future__ import annotations

import re
from collections.abc import Iterable
from contextlib import suppress
from datetime import date

MONTHS = {
    "januar": 1, "jan": 1, "january": 1,
    "februar": 2, "feb": 2, "february": 2,
    "marts": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "maj": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "october": 10, "oct": 10,
    "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})(?!\d)")
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_WORDS = re.compile(r"(?<!\d)(\d{1,2})\.?\s+([a-zæøå]+)\.?\s+(\d{4})(?!\d)", re.IGNORECASE)


def parse_date(text: str) -> date | None:
    """The first date written in ``text``, or None."""
    candidates: list[tuple[int, date]] = []
    for match in _ISO.finditer(text):
        _add(candidates, match.start(), int(match[1]), int(match[2]), int(match[3]))
    for match in _NUMERIC.finditer(text):
        year = int(match[3]) + (2000 if len(match[3]) == 2 else 0)
        _add(candidates, match.start(), year, int(match[2]), int(match[1]))
    for match in _WORDS.finditer(text):
        month = MONTHS.get(match[2].lower())
        if month:
            _add(candidates, match.start(), int(match[3]), month, int(match[1]))
    return min(candidates)[1] if candidates else None


def find_date(texts: Iterable[str]) -> date | None:
    """The first date found in the first text that holds one."""
    for text in texts:
        found = parse_date(text)
        if found is not None:
            return found
    return None


def _add(candidates: list[tuple[int, date]], at: int, year: int, month: int, day: int) -> None:
    with suppress(ValueError):  # 31.02 and the like are not dates
        candidates.append((at, date(year, month, day)))
