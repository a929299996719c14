"""The data each transition demands: field specifications and the checks behind them.

A gate is the list of fields a trigger requires plus the rules that relate them. Checking a gate
turns raw JSON-like input into clean values, or into one message per failing field. Field keys are
``reason`` for the top-level reason and ``data.<name>`` for everything inside ``data``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from workflow.states import State


def N_(message: str) -> str:
    """Mark a message for translation without translating it here (the web layer does)."""
    return message


class Kind(StrEnum):
    """What sort of value a gate field holds; forms and the OpenAPI document map these."""

    SCORE = "score"
    TEXT = "text"
    DATE = "date"
    FUTURE_DATE = "future_date"
    USER_EMAIL = "user_email"
    CHOICE = "choice"
    TEXT_LIST = "text_list"
    IDEA_REF = "idea_ref"
    AMOUNT = "amount"


@dataclass(frozen=True)
class FieldSpec:
    """One input a gate asks for."""

    name: str
    kind: Kind
    label: str
    required: bool = True
    in_data: bool = True
    choices: tuple[str, ...] = ()
    refusals: tuple[
        tuple[str, str], ...
    ] = ()  # (value, why it is refused) for tempting wrong values
    max_length: int = 10_000
    assigns_owner: bool = False  # the value becomes the idea's owner: managers' business
    public: bool = True  # shown to stakeholders (emails, the public status page); forms say so

    @property
    def key(self) -> str:
        """Where the field sits in a request: ``reason`` or ``data.<name>``."""
        return f"data.{self.name}" if self.in_data else self.name


class GateContext(Protocol):
    """What a gate may ask about the world beyond its own input."""

    @property
    def today(self) -> date: ...

    @property
    def idea_id(self) -> int: ...

    @property
    def idea_owner_email(self) -> str | None: ...

    @property
    def pilot_starts_on(self) -> date | None: ...

    @property
    def actor_manages(self) -> bool:
        """Whether the person firing is a manager or an administrator."""

    def active_role(self, email: str) -> str | None:
        """The role of the active user with this email, or None."""

    def idea_state(self, idea_id: int) -> State | None:
        """The state of the idea with this id, or None when there is none."""


REQUIRED = N_("This field is required.")
TARGET_MERGED = N_("That idea is itself merged; merge into the idea it was merged into.")
MAX_LIST_ITEMS = 50
MAX_ID = 2**31 - 1  # the largest id an INTEGER primary key holds on every backend
MAX_AMOUNT = Decimal("999999999999.99")  # what a NUMERIC(14, 2) column holds
PILOT_OWNER_ROLES = ("owner", "manager")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # what JSON Schema's format "date" allows

Cleaned = dict[str, Any]
Errors = dict[str, str]
Rule = Callable[[Cleaned, Errors, GateContext], None]


def whole(raw: Any) -> int | None:
    """``raw`` as an int when JSON gave a whole number: ``1`` or ``1.0`` (JSON Schema's
    ``integer`` allows both), never ``true``; None for anything else."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    return None


def _text(raw: Any, spec: FieldSpec, ctx: GateContext) -> tuple[Any, str | None]:
    if not isinstance(raw, str):
        return None, N_("Must be text.")
    if len(raw) > spec.max_length:  # as sent, spaces included: what the OpenAPI maxLength says
        return None, N_("The text is too long.")
    return raw.strip(), None


def _score(raw: Any, spec: FieldSpec, ctx: GateContext) -> tuple[Any, str | None]:
    value = whole(raw)
    if value is None or not 1 <= value <= 5:
        return None, N_("Must be a whole number from 1 to 5.")
    return value, None


def iso_day(raw: Any) -> date | None:
    """``raw`` as a date when it is text written YYYY-MM-DD and a real day; None otherwise."""
    # fromisoformat() also reads "2025-W01-1" and "20250101"; the API promises YYYY-MM-DD.
    if not isinstance(raw, str) or not _DATE.fullmatch(raw):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _date(raw: Any, spec: FieldSpec, ctx: GateContext) -> tuple[Any, str | None]:
    value = iso_day(raw.strip()) if isinstance(raw, str) else None
    if value is None:
        return None, N_("Must be a date written YYYY-MM-DD.")
    return value, None


def _future_date(raw: Any, spec: FieldSpec, ctx: GateContext) -> tuple[Any, str | None]:
    value, error = _date(raw, spec, ctx)
    if error is None and value <= ctx.today:
        return None, N_("Must be a date after today.")
    return value, error


def _user_email(raw: Any, spec: FieldSpec, ctx: GateContext) -> tuple[Any, str | None]:
    if not isinstance(raw, str) or not _EMAIL.match(raw.strip()):
        return None, N_("Must be an email address.")
    email = raw.strip().lower()
    if ctx.active_role(email) not in PILOT_OWNER_ROLES:
        return None, N_("No active owner or manager has this email address.")
    return email, None


def _choice(raw: Any, spec: FieldSpec, ctx: GateContext) -> tuple[Any, str | None]:
    for value, why in spec.refusals:
        if raw == value:
            return None, why
    if raw not in spec.choices:
        return None, N_("Must be one of the listed choices.")
    return raw, None


def _text_list(raw: Any, spec: FieldSpec, ctx: GateContext) -> tuple[Any, str | None]:
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        return None, N_("Must be a list of texts.")
    # Limits apply to the list as sent (what the OpenAPI maxItems and maxLength say); blank
    # items are then left out, and one must remain.
    if len(raw) > MAX_LIST_ITEMS or any(len(item) > spec.max_length for item in raw):
        return None, N_("The list is too long.")
    items = [item.strip() for item in raw if item.strip()]
    if not items:
        return None, N_("Name at least one place or unit.")
    return items, None


def _idea_ref(raw: Any, spec: FieldSpec, ctx: GateContext) -> tuple[Any, str | None]:
    value = whole(raw)
    if value is None or not 1 <= value <= MAX_ID:
        return None, N_("Must be the id of an idea.")
    if value == ctx.idea_id:
        return None, N_("An idea cannot be merged into itself.")
    if ctx.idea_state(value) is None:
        return None, N_("There is no idea with this id.")
    return value, None


def _amount(raw: Any, spec: FieldSpec, ctx: GateContext) -> tuple[Any, str | None]:
    wrong = N_("Must be an amount in kroner, 0 or more.")
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None, wrong
    try:
        exact = Decimal(str(raw))  # str() of a float is the shortest text that reads back as it
        value = exact.quantize(Decimal("0.01"))  # what gets stored
    except InvalidOperation:  # too many digits, or infinite
        return None, wrong
    # The range is checked on the amount as sent, as the OpenAPI minimum and maximum say:
    # -0.001 is below 0 even though it rounds to 0.00.
    if not value.is_finite() or exact < 0:
        return None, wrong
    if exact > MAX_AMOUNT:
        return None, N_("The amount is too large.")
    return value, None


_CLEANERS = {
    Kind.TEXT: _text,
    Kind.SCORE: _score,
    Kind.DATE: _date,
    Kind.FUTURE_DATE: _future_date,
    Kind.USER_EMAIL: _user_email,
    Kind.CHOICE: _choice,
    Kind.TEXT_LIST: _text_list,
    Kind.IDEA_REF: _idea_ref,
    Kind.AMOUNT: _amount,
}


def _is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def check_gate(
    fields: tuple[FieldSpec, ...],
    rules: tuple[Rule, ...],
    reason: Any,
    data: Any,
    ctx: GateContext,
) -> tuple[Cleaned, Errors]:
    """Check raw input against a gate; return the clean values and the per-field errors."""
    errors: Errors = {}
    cleaned: Cleaned = {}
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        return {}, {"data": N_("Must be an object.")}
    known = {spec.name for spec in fields if spec.in_data}
    for name in data:
        if name not in known:
            errors[f"data.{name}"] = N_("This step does not take this field.")
    if not any(spec.name == "reason" and not spec.in_data for spec in fields):
        fields = (*fields, REASON_OPTIONAL)
    for spec in fields:
        raw = data.get(spec.name) if spec.in_data else reason
        if _is_blank(raw):
            if spec.required:
                errors[spec.key] = REQUIRED
            continue
        value, error = _CLEANERS[spec.kind](raw, spec, ctx)
        if error is not None:
            errors[spec.key] = error
        else:
            cleaned[spec.name] = value
    for rule in rules:
        rule(cleaned, errors, ctx)
    return cleaned, errors


REASON_OPTIONAL = FieldSpec(
    "reason", Kind.TEXT, N_("Comment"), required=False, in_data=False, max_length=5000
)
REASON_REQUIRED = FieldSpec("reason", Kind.TEXT, N_("Reason"), in_data=False, max_length=5000)


def ends_after_start(cleaned: Cleaned, errors: Errors, ctx: GateContext) -> None:
    """A pilot ends after it starts."""
    starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
    if starts is not None and ends is not None and ends <= starts:
        errors["data.ends_on"] = N_("Must be after the start date.")


PILOT_NOT_STARTED = N_(
    "The pilot has not started yet. Only a manager may scale it up early, and must give the "
    "reason in the comment."
)


def pilot_has_started(cleaned: Cleaned, errors: Errors, ctx: GateContext) -> None:
    """Scaling needs a pilot that has started, or a manager overriding with a reason."""
    starts = ctx.pilot_starts_on
    if starts is None or starts <= ctx.today:
        return
    if not (ctx.actor_manages and cleaned.get("reason")):
        errors["reason"] = PILOT_NOT_STARTED


def pilot_owner_defaults_to_idea_owner(cleaned: Cleaned, errors: Errors, ctx: GateContext) -> None:
    """Without ``owner`` the pilot is run by the idea's owner; an unowned idea must name one."""
    if "owner" in cleaned or "data.owner" in errors:
        return
    owner = ctx.idea_owner_email
    if owner is None:
        errors["data.owner"] = N_("The idea has no owner: name who runs the pilot.")
    elif ctx.active_role(owner) not in PILOT_OWNER_ROLES:
        errors["data.owner"] = N_("The idea's owner is not an active owner or manager: name one.")
    else:
        cleaned["owner"] = owner
