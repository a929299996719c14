"""The two kinds of contract model and the value types they share."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema, create_model

from workflow.gates import MAX_ID
from workflow.states import STATES

# The characters Python's str.strip() removes (str.isspace()), as the body of a character
# class. Spelled out, because ``\s`` means other characters in JSON Schema's ECMA-262 patterns
# (U+FEFF is space there; U+001C to U+001F and U+0085 are not). tests/unit pins the list.
SPACE = (
    "\\u0009\\u000a\\u000b\\u000c\\u000d\\u001c\\u001d\\u001e\\u001f\\u0020\\u0085\\u00a0"
    "\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
)
# Text that must say something: not empty and not only white space (the server strips it).
NOT_BLANK_PATTERN = f"[^{SPACE}]"
BLANK_PATTERN = f"^[{SPACE}]*$"
MAX_PER_PAGE = 100
EXPECTED_VERSION = (
    "The version the change is based on: 409 if the idea has moved on since. "
    "Null or left out: no check."
)


class Input(BaseModel):
    """A request body or query: exactly the fields named, nothing else."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Output(BaseModel):
    """An answer body: every field always present (null where there is nothing)."""

    model_config = ConfigDict(
        from_attributes=True, frozen=True, json_schema_serialization_defaults_required=True
    )

    @classmethod
    def of(cls, result: Any) -> Self:
        """The answer for a service's read model (an object with the same attribute names)."""
        return cls.model_validate(result)

    def dump(self) -> dict[str, Any]:
        """The answer as JSON-ready data."""
        return self.model_dump(mode="json")


def _moment(value: datetime) -> str:
    return value.isoformat()


def _amount(value: Decimal | float | int) -> int | float:
    exact = Decimal(str(value))
    return int(exact) if exact == exact.to_integral_value() else float(exact)


def not_blank(max_length: int) -> Any:
    """Text that must say something, at most ``max_length`` characters as sent."""
    return Annotated[str, Field(min_length=1, max_length=max_length, pattern=NOT_BLANK_PATTERN)]


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PageNumber = Annotated[int, Field(ge=1, le=MAX_ID)]
PerPage = Annotated[int, Field(ge=1, le=MAX_PER_PAGE)]
Count = Annotated[int, Field(ge=0)]
Email = Annotated[str, Field(json_schema_extra={"format": "email"})]
Day = date
# Timestamps keep Python's isoformat() (``+00:00``), as the API always wrote them.
Moment = Annotated[
    datetime,
    PlainSerializer(_moment, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
Amount = Annotated[
    Decimal,
    PlainSerializer(_amount, return_type=Any),
    WithJsonSchema({"type": "number"}),
]
StateName = Annotated[str, WithJsonSchema({"type": "string", "enum": list(STATES)})]


class ErrorDetail(Output):
    """What went wrong; the fields after ``message`` only where they apply."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=False)
    code: str
    message: str
    fields: dict[str, str] | None = None
    allowed_triggers: list[str] | None = None
    state: str | None = None
    current_version: int | None = None


class Error(Output):
    """Every 4xx and 5xx answer."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=False)
    error: ErrorDetail


class ClosedOutput(Output):
    """An answer object that never holds other keys."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="forbid")


_COUNTS: dict[str, Any] = dict.fromkeys(STATES, (Count, ...))
StateCounts: type[Output] = create_model(
    "StateCounts",
    __base__=ClosedOutput,
    __doc__="How many of the ideas are in each state.",
    **_COUNTS,
)
