"""The request bodies that fire triggers, one model per row of the transition table.

Each trigger's model is built from its ``TriggerSpec``: its ``data`` holds exactly the fields
its gate demands, typed by their ``Kind``. ``Transition`` is the union the endpoint takes,
told apart by ``trigger``. ``workflow.gates.check_gate`` still checks a request (one message
per field, and the rules a schema cannot say); these models say what it accepts.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Field, RootModel, create_model
from pydantic.config import JsonDict

from workflow.contracts.base import EXPECTED_VERSION, NOT_BLANK_PATTERN, Id, Input, not_blank
from workflow.gates import MAX_AMOUNT, MAX_LIST_ITEMS, FieldSpec, Kind
from workflow.states import TRIGGERS, TriggerSpec

REASON_MAX = 5000
_SAYS_SOMETHING: JsonDict = {"type": "string", "minLength": 1, "pattern": NOT_BLANK_PATTERN}


def field_type(spec: FieldSpec) -> Any:
    """The type of one gate field, with the constraints its check applies."""
    kind, title = spec.kind, spec.label
    if kind is Kind.SCORE:
        return Annotated[int, Field(ge=1, le=5, title=title)]
    if kind is Kind.TEXT:
        # An optional text left blank counts as left out; a required one must say something.
        if spec.required:
            return Annotated[not_blank(spec.max_length), Field(title=title)]
        return Annotated[str, Field(max_length=spec.max_length, title=title)]
    if kind is Kind.DATE:
        return Annotated[date, Field(title=title)]
    if kind is Kind.FUTURE_DATE:
        return Annotated[date, Field(title=title, description="After today (422 otherwise).")]
    if kind is Kind.USER_EMAIL:
        about = "An active owner or manager (422 otherwise)."
        email: JsonDict = {"format": "email"}
        return Annotated[str, Field(title=title, description=about, json_schema_extra=email)]
    if kind is Kind.CHOICE:
        return Annotated[Literal[spec.choices], Field(title=title)]
    if kind is Kind.TEXT_LIST:
        item = Annotated[str, Field(max_length=spec.max_length)]
        about = "Blank items are left out; at least one must remain."
        return Annotated[
            list[item],
            Field(
                min_length=1,
                max_length=MAX_LIST_ITEMS,
                title=title,
                description=about,
                json_schema_extra={"contains": _SAYS_SOMETHING},
            ),
        ]
    if kind is Kind.IDEA_REF:
        about = "Another idea that exists and is not merged (422 otherwise)."
        return Annotated[Id, Field(title=title, description=about)]
    if kind is Kind.AMOUNT:
        return Annotated[float, Field(ge=0, le=float(MAX_AMOUNT), title=title)]
    raise ValueError(f"No contract type for {kind}")


def _data_model(trigger: TriggerSpec) -> type[Input]:
    fields: dict[str, Any] = {}
    for spec in trigger.fields:
        if not spec.in_data:
            continue
        kind = field_type(spec)
        # Left out, null or (text) blank: an optional field is not given.
        fields[spec.name] = (kind, ...) if spec.required else (kind | None, None)
    return create_model(f"Transition_{trigger.name}_data", __base__=Input, **fields)


def transition_model(trigger: TriggerSpec) -> type[Input]:
    """The request body that fires ``trigger``, with exactly the fields its gate demands."""
    data = _data_model(trigger)
    needs_data = any(spec.required for spec in trigger.fields if spec.in_data)
    reason: Any = (
        (not_blank(REASON_MAX), ...)
        if trigger.requires_reason
        else (Annotated[str, Field(max_length=REASON_MAX)] | None, None)
    )
    sources = ", ".join(state.value for state in trigger.sources)
    about = f"{trigger.label}: {sources} -> {trigger.dest.value}." + (
        "" if trigger.owner_may_fire else " Managers only."
    )
    fields: dict[str, Any] = {
        "trigger": (Literal[trigger.name], ...),
        "expected_version": (int | None, Field(None, description=EXPECTED_VERSION)),
        "reason": reason,
        # Without fields it must have, null is no data at all (as is leaving it out).
        "data": (data, ...) if needs_data else (data | None, None),
    }
    return create_model(f"Transition_{trigger.name}", __base__=Input, __doc__=about, **fields)


TRANSITION_MODELS: dict[str, type[Input]] = {t.name: transition_model(t) for t in TRIGGERS}

# The top-level keys a transition body may hold, whichever the trigger.
TRANSITION_FIELDS = frozenset(name for m in TRANSITION_MODELS.values() for name in m.model_fields)


class Transition(RootModel[Any]):
    """Fire a trigger; its gate's data are required."""

    root: Annotated[
        Union[tuple(TRANSITION_MODELS.values())],  # type: ignore[valid-type]  # noqa: UP007
        Field(discriminator="trigger"),
    ]


def gate_models() -> list[type[BaseModel]]:
    """Every model of the transition endpoint, for the OpenAPI document."""
    return [Transition, *TRANSITION_MODELS.values()]
