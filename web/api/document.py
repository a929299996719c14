"""What each API operation takes and answers, declared next to its view with ``@documented``.

``web.api.openapi`` assembles the OpenAPI document from these declarations and the contract
models' JSON Schemas; nothing else describes the API.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

from workflow.contracts.base import Error

View = TypeVar("View", bound=Callable[..., Any])
Schema = dict[str, Any]
NOT_JSON = "The body is not JSON, or is nested more than 20 levels deep."


@dataclass(frozen=True)
class Answer:
    """One documented response: a model's JSON, other content, or nothing."""

    description: str
    model: type[BaseModel] | None = None
    headers: Schema = field(default_factory=dict)
    content: Schema | None = None  # for answers that are not a model's JSON (downloads)


@dataclass(frozen=True)
class Operation:
    """One documented operation (path in OpenAPI's ``{name}`` form)."""

    path: str
    method: str
    operation_id: str
    summary: str
    answers: dict[str, Answer]
    description: str | None = None
    body: type[BaseModel] | None = None
    body_media_type: str = "application/json"
    query: type[BaseModel] | None = None
    public: bool = False  # no token needed


OPERATIONS: list[Operation] = []


def error(description: str) -> Answer:
    """A documented error answer."""
    return Answer(description, Error)


def documented(
    method: str,
    path: str,
    operation_id: str,
    summary: str,
    answers: dict[str, Answer],
    **details: Any,
) -> Callable[[View], View]:
    """Record the operation a view serves, for the OpenAPI document."""

    def record(view: View) -> View:
        OPERATIONS.append(Operation(path, method, operation_id, summary, answers, **details))
        return view

    return record
