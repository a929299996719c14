"""A page of a longer list: the items shown and how many there are in all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from workflow.gates import MAX_ID, N_

Item = TypeVar("Item")
MAX_DIGITS = 18  # bigger numbers are no page and no id (and int() of 5,000 digits raises)


@dataclass(frozen=True)
class Page(Generic[Item]):
    """One page of a list."""

    items: list[Item]
    total: int
    page: int
    per_page: int
    total_is_lower_bound: bool = False  # ``total`` was counted up to a limit and there are more

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max((self.total + self.per_page - 1) // self.per_page, 1)


def bounded_count(session: Session, query: Select[Any], limit: int) -> tuple[int, bool]:
    """How many rows ``query`` gives, counted up to ``limit``; and whether there are more. A
    count of every matching row grows with the table; this reads at most ``limit + 1``."""
    counted = select(func.count()).select_from(query.limit(limit + 1).subquery())
    total = int(session.scalar(counted) or 0)
    return min(total, limit), total > limit


def whole_number(raw: Any, name: str, errors: dict[str, str]) -> int | None:
    """``raw`` as a whole number from 1 to MAX_ID; None, with ``errors[name]`` set, when it is
    not one. Page numbers, page sizes and ids from query strings: text must be
    ASCII digits (``int()`` also takes "٣", " 3" and "3_0", and raises on 5,000 digits)."""
    value = parse_whole(raw)
    if value is None or value < 1:
        errors[name] = N_("Must be a whole number of 1 or more.")
        return None
    if value > MAX_ID:  # no page or id is this large
        errors[name] = N_("The number is too large.")
        return None
    return value


def parse_whole(raw: Any) -> int | None:
    """An int as it is, or text of at most 18 ASCII digits as an int; None for anything else."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.isascii() and raw.isdecimal() and len(raw) <= MAX_DIGITS:
        return int(raw)
    return None
