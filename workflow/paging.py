"""A page of a longer list: the items shown and how many there are in all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from workflow.gates import MAX_ID, N_

Item = TypeVar("Item")


@dataclass(frozen=True)
class Page(Generic[Item]):
    """One page of a list."""

    items: list[Item]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max((self.total + self.per_page - 1) // self.per_page, 1)


def whole_number(raw: Any, name: str, errors: dict[str, str]) -> int | None:
    """``raw`` as a whole number of 1 or more (capped at MAX_ID); None, with ``errors[name]``
    set, when it is not one. Page numbers, page sizes and ids from query strings."""
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = 0
    if isinstance(raw, bool) or value < 1:
        errors[name] = N_("Must be a whole number of 1 or more.")
        return None
    return min(value, MAX_ID)
