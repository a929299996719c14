"""``column IN (values)`` with a statement text that does not change with the values."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, Integer, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine


def among(
    session: Session,
    column: Any,
    values: Collection[Any],
    of: type[TypeEngine[Any]] | TypeEngine[Any] = Integer,
) -> ColumnElement[bool]:
    """``column`` is one of ``values`` (ids unless ``of`` says): on PostgreSQL ``= ANY`` of one
    array parameter, so the statement is the same text for any number of values and the driver
    parses it once (an expanded IN is a new statement for every count: 0.8 ms more for a list's
    look-up of 56 ids); elsewhere an expanded IN."""
    if session.get_bind().dialect.name == "postgresql":
        array = bindparam("values", list(values), type_=ARRAY(of), unique=True)
        return column == any_(array)  # type: ignore[no-any-return]
    return column.in_(list(values))  # type: ignore[no-any-return]
