"""Core statements run on the driver's own cursor, for the few statements on a hot path.

SQLAlchemy's ``Connection.execute`` costs 30-50 µs per statement in execution contexts,
parameter handling and result set-up: several times what SQLite takes to run a small INSERT.
A ``DriverStatement`` is the same Core statement compiled once per dialect; at run time its
parameters go through the columns' own bind processors (the same conversions SQLAlchemy makes)
and straight to the cursor of the connection the unit of work holds, inside its transaction.
Listeners of ``before_cursor_execute`` still see each statement, and driver errors are raised as
SQLAlchemy's (``IntegrityError``, ``OperationalError``, ...), as from ``execute``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Connection, exc
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement

_Processor = Callable[[Any], Any] | None


class DriverStatement:
    """A statement compiled for one dialect, with its parameters' names and converters."""

    def __init__(self, statement: ClauseElement, dialect: Dialect, keys: Sequence[str]) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect, column_keys=list(keys)))
        self.sql = compiled.string
        self.positional = bool(compiled.positional)
        # Every parameter by the name the SQL uses, with the value bound in the statement, if any.
        bound = compiled.construct_params(_check=False)
        names = compiled.positiontup if self.positional else list(bound)
        self.names: tuple[str, ...] = tuple(names or ())
        self.fixed = {name: value for name, value in bound.items() if value is not None}
        by_name = {name: bind for bind, name in compiled.bind_names.items()}
        self.processors: tuple[_Processor, ...] = tuple(
            by_name[name].type.dialect_impl(dialect).bind_processor(dialect) for name in self.names
        )
        # Columns left out that have a default in Python (a flush would compute it too).
        self.defaults: dict[str, Callable[[], Any]] = {}
        for column in getattr(compiled, "insert_prefetch", ()):
            default = column.default
            if default is not None and default.is_callable:
                self.defaults[column.key] = functools.partial(default.arg, None)
            elif default is not None and default.is_scalar:
                self.fixed[column.key] = default.arg

        # A SELECT's columns: their names and types; their converters of what the driver
        # returns are made from the first answer's column type codes (PostgreSQL needs them).
        selected = list(getattr(statement, "selected_columns", ()))
        self.columns: tuple[str, ...] = tuple(column.key for column in selected)
        self.types = tuple(column.type.dialect_impl(dialect) for column in selected)
        self.dialect = dialect
        self.converters: tuple[_Processor, ...] | None = None

    def first(self, connection: Connection, values: Mapping[str, Any]) -> dict[str, Any] | None:
        """Run a SELECT; its first row by column name, converted as SQLAlchemy would, or None."""
        cursor = self.run(connection, values)
        try:
            row = cursor.fetchone()
            if row is None:
                return None
            if self.converters is None:
                self.converters = tuple(
                    kind.result_processor(self.dialect, described[1])
                    for kind, described in zip(self.types, cursor.description, strict=True)
                )
        finally:
            cursor.close()
        return {
            name: value if convert is None or value is None else convert(value)
            for name, convert, value in zip(self.columns, self.converters, row, strict=True)
        }

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        """The values in the driver's form: converted, in order (or by name)."""
        converted = []
        for name, processor in zip(self.names, self.processors, strict=True):
            if name in values:
                value = values[name]
            elif name in self.defaults:
                value = self.defaults[name]()
            else:
                value = self.fixed.get(name)
            converted.append(value if processor is None or value is None else processor(value))
        if self.positional:
            return converted
        return dict(zip(self.names, converted, strict=True))

    def run(self, connection: Connection, values: Mapping[str, Any]) -> Any:
        """Execute on the connection's driver cursor (in its transaction); return the cursor."""
        parameters = self.parameters(values)
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        if connection._has_events or connection.engine._has_events:
            connection.dispatch.before_cursor_execute(
                connection, cursor, self.sql, parameters, None, False
            )
        try:
            cursor.execute(self.sql, parameters)
        except connection.dialect.loaded_dbapi.Error as error:
            raise exc.DBAPIError.instance(
                self.sql, parameters, error, connection.dialect.loaded_dbapi.Error
            ) from error
        return cursor


@functools.cache
def compiled_for(
    statement: ClauseElement, dialect: Dialect, keys: frozenset[str]
) -> DriverStatement:
    """The statement compiled for ``dialect`` with these parameter keys, built once."""
    return DriverStatement(statement, dialect, sorted(keys))
