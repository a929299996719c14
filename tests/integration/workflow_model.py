"""The stateful workflow test's model: the transition table, roles and gate data written out
independently of ``workflow.states`` and ``workflow.permissions``, and the drafts of a call."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from workflow.errors import (
    Forbidden,
    InvalidTransition,
    NotFound,
    ReferencedIdeaMerged,
    ValidationFailed,
    VersionConflict,
    WorkflowError,
)

# The transition table as documented: trigger -> (sources, destination), in the order the engine
# lists allowed triggers.
TABLE: dict[str, tuple[frozenset[str], str]] = {
    "assess": (frozenset({"proposed"}), "assessed"),
    "start_pilot": (frozenset({"assessed"}), "piloted"),
    "scale": (frozenset({"piloted"}), "scaled"),
    "reject": (frozenset({"proposed", "assessed", "piloted"}), "rejected"),
    "park": (frozenset({"proposed", "assessed"}), "parked"),
    "reopen": (frozenset({"rejected", "parked"}), "proposed"),
    "merge": (frozenset({"proposed", "assessed", "parked"}), "merged"),
}
KNOWN_TRIGGERS = tuple(TABLE)
UNKNOWN_TRIGGERS: tuple[Any, ...] = ("approve", "ASSESS", "", None, 7, ["assess"])
ROLES = {
    "admin": "admin",
    "manager": "manager",
    "owner_a": "owner",
    "owner_b": "owner",
    "viewer": "viewer",
}
USER_KEYS = tuple(ROLES)
PILOT_OWNER_ROLES = ("owner", "manager")
MISSING_IDEA_ID = 2_000_000_000  # no idea has it, yet it fits an INTEGER column
OUT_OF_RANGE_IDS = (0, -1, 2**31)  # ids no INTEGER primary key can hold
VERSION_KINDS = ("none", "current", "none", "current", "stale", "ahead", "text", "bool")
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


class _Absent:
    """Leave the field out of ``data`` altogether."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


def email_of(key: str) -> str:
    return f"{key.replace('_', '.')}@randers.dk"


def copenhagen_today() -> date:
    return datetime.now(COPENHAGEN).date()


def allowed_from(state: str) -> list[str]:
    return [name for name, (sources, _) in TABLE.items() if state in sources]


def is_blank(value: Any) -> bool:
    return value is ABSENT or value is None or (isinstance(value, str) and not value.strip())


@dataclass
class IdeaModel:
    """What the test believes about one idea."""

    owner: str | None  # a key of ROLES, or None for an unowned idea
    state: str = "proposed"
    version: int = 1
    log: list[tuple[str, str, str]] = field(default_factory=list)  # successful firings
    merged_into: int | None = None
    follow_up_on: date | None = None
    pilot_starts_on: date | None = None


@dataclass
class Payload:
    """The reason and data of one call, and what the gate will make of them."""

    reason: Any = None
    data: Any = None
    errors: set[str] = field(default_factory=set)
    new_owner: str | None = None  # start_pilot: who owns the idea after a success
    into: int | None = None
    revisit_on: date | None = None
    starts_on: date | None = None  # start_pilot: the plan's start, when well-formed


@dataclass
class Expected:
    error: type[WorkflowError] | None
    fields: set[str] = field(default_factory=set)  # ValidationFailed: the keys with messages
    dest: str | None = None


class Draft:
    """Builds a payload field by field: in ``valid`` mode only good options are drawn."""

    def __init__(self, draw: st.DataObject, valid: bool) -> None:
        self.draw = draw
        self.valid = valid
        self.payload = Payload(data={})

    def choose(self, good: list[Any], bad: list[Any]) -> tuple[Any, bool]:
        if not self.valid and bad and self.draw.draw(st.booleans()):
            return self.draw.draw(st.sampled_from(bad)), False
        return self.draw.draw(st.sampled_from(good)), True

    def field(self, name: str, good: list[Any], bad: list[Any]) -> tuple[Any, bool]:
        value, ok = self.choose(good, bad)
        if value is not ABSENT:
            self.payload.data[name] = value
        if not ok:
            self.payload.errors.add(f"data.{name}")
        return value, ok

    def reason(self, required: bool) -> None:
        if required:
            good = ["Budgettet rækker ikke i år", "  Afventer byrådet  "]
            bad = [None, "", "   ", 42, "x" * 5001]
        else:
            good = [None, "", "Godt arbejde"]
            bad = [42, ["en liste"]]
        value, ok = self.choose(good, bad)
        self.payload.reason = value
        if not ok:
            self.payload.errors.add("reason")

    def finish(self) -> Payload:
        if not self.valid:
            spoil = self.draw.draw(st.sampled_from(["none", "none", "extra", "not_mapping"]))
            if spoil == "extra":
                self.payload.data["colour"] = "blå"
                self.payload.errors.add("data.colour")
            elif spoil == "not_mapping":
                self.payload.data = [self.payload.data]
                self.payload.errors = {"data"}  # the gate stops at the shape of ``data``
        if not self.payload.data and self.draw.draw(st.booleans()):
            self.payload.data = None  # the same as an empty object
        return self.payload


def may_fire(actor: str, idea: IdeaModel, trigger: Any) -> bool:
    """Whether the model lets ``actor`` fire ``trigger`` at ``idea``."""
    role = ROLES[actor]
    if role in ("admin", "manager"):
        return True
    return role == "owner" and idea.owner == actor and trigger != "merge"


def expect(
    ideas: dict[int, IdeaModel],
    actor: str,
    idea_id: int,
    trigger: Any,
    payload: Payload,
    version: Any,
) -> Expected:
    """The outcome the model predicts, in the order ``fire_trigger`` checks."""
    idea = ideas.get(idea_id)
    if idea is None:
        return Expected(NotFound)
    if not may_fire(actor, idea, trigger):
        return Expected(Forbidden)
    if version is not None:
        if isinstance(version, bool) or not isinstance(version, int):
            return Expected(ValidationFailed, {"expected_version"})
        if version != idea.version:
            return Expected(VersionConflict)
    if not isinstance(trigger, str) or trigger not in TABLE:
        return Expected(ValidationFailed, {"trigger"})
    sources, dest = TABLE[trigger]
    if idea.state not in sources:
        return Expected(InvalidTransition)
    points_at = payload.into if isinstance(payload.data, dict) else None
    if trigger == "merge" and points_at and ideas[points_at].state == "merged":
        return Expected(ReferencedIdeaMerged)  # merge into the survivor instead
    errors = payload.errors | _rule_errors(ideas[idea_id], actor, trigger, payload)
    if errors:
        return Expected(ValidationFailed, errors)
    if trigger == "start_pilot" and ROLES[actor] == "owner" and payload.new_owner != actor:
        return Expected(Forbidden)  # only managers hand an idea to someone else
    return Expected(None, dest=dest)


def _rule_errors(idea: IdeaModel, actor: str, trigger: str, payload: Payload) -> set[str]:
    """The keys the gate's rules add: scaling a pilot that has not started needs a manager
    giving a reason (rules run only once ``data`` is an object)."""
    if trigger != "scale" or not isinstance(payload.data, dict | None):
        return set()
    starts = idea.pilot_starts_on
    if starts is None or starts <= copenhagen_today():
        return set()
    reason = payload.reason
    given = isinstance(reason, str) and bool(reason.strip()) and len(reason.strip()) <= 5000
    return set() if ROLES[actor] in ("admin", "manager") and given else {"reason"}
