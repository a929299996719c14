"""Reading HTML form posts into the plain values the services validate.

The services do all validation (the same rules as the API); this module only turns strings
from a form into the shapes the services expect, leaving anything odd as it is so that the
service names the field that is wrong. A gate form is read by the types of the same contract
model the API's transition body is (``workflow.contracts.transitions``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, get_args

from pydantic import BaseModel
from werkzeug.datastructures import MultiDict

from workflow.contracts.ideas import NewIdea
from workflow.contracts.transitions import TRANSITION_MODELS
from workflow.gates import FieldSpec
from workflow.states import TriggerSpec

_WHOLE = re.compile(r"\s*([0-9]{1,18})\s*")  # ASCII digits; int() of 5,000 digits raises


@dataclass(frozen=True)
class GateInput:
    """A gate form's post: the reason, the data and the version the user saw."""

    reason: str | None
    data: dict[str, Any]
    expected_version: int | None
    raw: dict[str, str]  # what was typed, to show again next to an error


def field_id(spec: FieldSpec) -> str:
    """The HTML id (and name) of a gate field: ``reason`` or ``data-<name>``."""
    return spec.key.replace(".", "-")


def gate_input(trigger: TriggerSpec, form: MultiDict[str, str]) -> GateInput:
    """The values a gate form posted, read by the types of the trigger's contract model (the
    body the API takes to fire it), converted for ``fire_trigger``."""
    data: dict[str, Any] = {}
    raw: dict[str, str] = {}
    for name, json_type in _data_types(trigger.name).items():
        text = form.get(f"data-{name}", "")
        raw[f"data-{name}"] = text
        value = _value(json_type, text)
        if value is not None:
            data[name] = value
    raw["reason"] = form.get("reason", "")
    reason = raw["reason"] if raw["reason"].strip() else None
    return GateInput(reason, data, expected_version(form), raw)


@cache
def _data_types(trigger: str) -> dict[str, str]:
    """Each ``data`` field of the trigger's contract model and its JSON type."""
    data = TRANSITION_MODELS[trigger].model_fields["data"].annotation
    fields = _typed_fields(next(m for m in _models(data) if m is not type(None)))
    return {name: str(schema.get("type", "string")) for name, schema in fields.items()}


def _models(annotation: Any) -> tuple[Any, ...]:
    return get_args(annotation) or (annotation,)


@cache
def _typed_fields(model: type[BaseModel]) -> dict[str, dict[str, Any]]:
    """Each field of a contract model with its JSON Schema (the non-null one, when nullable)."""
    properties = model.model_json_schema()["properties"]
    return {name: _not_null(schema) for name, schema in properties.items()}


def _not_null(schema: Mapping[str, Any]) -> dict[str, Any]:
    for option in schema.get("anyOf", [schema]):
        if option.get("type") != "null":
            return dict(option)
    return dict(schema)


def expected_version(form: Mapping[str, str]) -> int | None:
    """The idea version the form was made from (None when missing)."""
    return whole_number(form.get("expected_version", ""))


def whole_number(text: str) -> int | None:
    """``text`` as a whole number when it is one written in (at most 18) ASCII digits, else None
    (the service then says what is wrong; Unicode digits such as "²" or "٣" are not numbers)."""
    match = _WHOLE.fullmatch(text)
    return int(match.group(1)) if match else None


def _value(json_type: str, text: str) -> Any:
    if not text.strip():
        return None
    if json_type == "integer" and (number := whole_number(text)) is not None:
        return number
    if json_type == "number":
        return _amount(text)
    if json_type == "array":
        return [line.strip() for line in text.splitlines() if line.strip()]
    return text


def _amount(text: str) -> Any:
    # Danes write 125.000,50 kr.; a lone comma is a decimal comma.
    cleaned = text.replace("kr.", "").replace("kr", "").replace(" ", "").strip()
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return text


def idea_fields(form: MultiDict[str, str], *, with_owner: bool) -> dict[str, Any]:
    """The editable fields of an idea form, named and typed by the contract model of the API's
    new idea (themes: ticked names, and new ones one per line or comma-separated; a date or
    address: stripped, or None)."""
    fields: dict[str, Any] = {}
    for name, schema in _typed_fields(NewIdea).items():
        if name == "owner" and not with_owner:
            continue
        text = form.get(name, "")
        if schema.get("type") == "array":
            # Ticked choices are whole names (a name may hold a comma); new ones are typed one
            # per line or comma-separated, in ``<name>_new`` or (an older form) in ``<name>``.
            ticked = [t.strip() for value in form.getlist(name) for t in value.split("\n")]
            typed = re.split(r"[\n,]", form.get(f"{name}_new", ""))
            if len(form.getlist(name)) == 1 and "\n" in text:
                ticked, typed = [], [*re.split(r"[\n,]", text), *typed]
            fields[name] = list(dict.fromkeys(t.strip() for t in [*ticked, *typed] if t.strip()))
        elif "format" in schema:
            fields[name] = text.strip() or None
        else:
            fields[name] = text
    return fields


def field_errors(fields: Mapping[str, str]) -> dict[str, str]:
    """Service error keys (``data.impact``) as the form's field ids (``data-impact``)."""
    return {key.replace(".", "-"): message for key, message in fields.items()}
