"""An idea read for one step, as plain columns: one Core statement, no identity map, no loaders.

The ORM's joined load of an idea, its owner, meeting and latest records costs several times the
statement (row processors set up per execution, identity map, unique rows). A step needs each
value once: the row's columns are set on objects outside the session as their loaded state
(``set_committed_value``), so what the step changes afterwards is their history, as on a loaded
object, and the compare-and-set UPDATE writes it.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, Table, bindparam, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from workflow.driver_statements import compiled_for
from workflow.models import Assessment, Base, Evaluation, Idea, Meeting, PilotPlan, User
from workflow.repositories.ideas import THEME_NAMES, IdeaWithRecords, latest_of_idea

_M = TypeVar("_M", bound=Base)

_IDEAS: Table = Idea.__table__  # type: ignore[assignment]
_USERS: Table = User.__table__  # type: ignore[assignment]
_OWNER = _USERS.alias("owner")
_PILOT_OWNER = _USERS.alias("pilot_owner")
_MEETINGS: Table = Meeting.__table__  # type: ignore[assignment]
_PARTS: dict[str, tuple[type[Base], Any]] = {
    "o_": (User, _OWNER),
    "m_": (Meeting, _MEETINGS),
    "a_": (Assessment, Assessment.__table__),
    "p_": (PilotPlan, PilotPlan.__table__),
    "po_": (User, _PILOT_OWNER),
    "e_": (Evaluation, Evaluation.__table__),
}


def _labelled() -> list[ColumnElement[Any]]:
    columns: list[ColumnElement[Any]] = list(_IDEAS.c)
    for prefix, (_, table) in _PARTS.items():
        columns.extend(column.label(prefix + column.key) for column in table.c)
    return [*columns, THEME_NAMES.label("theme_names")]


_A, _P, _E = (model.__table__ for model in (Assessment, PilotPlan, Evaluation))
# Built once: composing this statement costs more than running it.
_FOR_STEP = (
    select(*_labelled())
    .select_from(
        _IDEAS.outerjoin(_OWNER, _OWNER.c.id == _IDEAS.c.owner_id)
        .outerjoin(_MEETINGS, _MEETINGS.c.id == _IDEAS.c.meeting_id)
        .outerjoin(_A, latest_of_idea(Assessment))
        .outerjoin(_P, latest_of_idea(PilotPlan))
        .outerjoin(_PILOT_OWNER, _PILOT_OWNER.c.id == _P.c.owner_id)
        .outerjoin(_E, latest_of_idea(Evaluation))
    )
    .where(_IDEAS.c.id == bindparam("idea_id"))
)
_KEYS: dict[type[Base], tuple[str, ...]] = {
    model: tuple(column.key for column in model.__table__.c)
    for model in (Idea, User, Meeting, Assessment, PilotPlan, Evaluation)
}

_NO_KEYS: frozenset[str] = frozenset()
_MAKERS = {model: inspect(model).class_manager.new_instance for model in _KEYS}


def idea_for_step(session: Session, idea_id: int) -> IdeaWithRecords | None:
    """The idea with its owner, meeting, themes' names and latest records, outside the session
    (written back by the step's own statements); None when there is no such idea."""
    connection = session.connection()
    values = compiled_for(_FOR_STEP, connection.dialect, _NO_KEYS).first(
        connection, {"idea_id": idea_id}
    )
    if values is None:
        return None
    idea = _detached(Idea, values, "")
    set_committed_value(idea, "owner", _part(User, values, "o_"))
    set_committed_value(idea, "meeting", _part(Meeting, values, "m_"))
    pilot_plan = _part(PilotPlan, values, "p_")
    if pilot_plan is not None:
        set_committed_value(pilot_plan, "owner", _part(User, values, "po_"))
    names = values["theme_names"]
    return IdeaWithRecords(
        idea,
        tuple(json.loads(names)) if names else (),
        _part(Assessment, values, "a_"),
        pilot_plan,
        _part(Evaluation, values, "e_"),
    )


def _part(model: type[_M], values: Any, prefix: str) -> _M | None:
    return None if values[prefix + "id"] is None else _detached(model, values, prefix)


def _detached(model: type[_M], values: Any, prefix: str) -> _M:
    """An object outside the session whose columns read as loaded from ``values``."""
    instance = cast(_M, _MAKERS[model]())  # no __init__: nothing set, nothing to undo
    for key in _KEYS[model]:
        set_committed_value(instance, key, values[prefix + key])
    return instance
