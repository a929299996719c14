"""Edits as history: who changed which of an idea's fields, from what to what, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from workflow.models import IdeaEdit, User
from workflow.permissions import Actor
from workflow.services.ideas import load_idea
from workflow.uow import UnitOfWork

FIELD_ORDER = ("title", "owner", "follow_up_on", "themes", "description")


@dataclass(frozen=True)
class FieldChange:
    """One field of an edit: its value before and after (owners also by name)."""

    field: str
    before: Any
    after: Any
    before_name: str | None = None  # the owner's name, for ``owner``
    after_name: str | None = None


@dataclass(frozen=True)
class EditView:
    """One edit as the timeline and the API show it."""

    at: datetime
    actor: str | None  # the email: what the API answers
    actor_name: str | None
    changes: tuple[FieldChange, ...]

    @property
    def changes_by_field(self) -> dict[str, dict[str, Any]]:
        """The changes as the API answers them: ``{field: {"from": ..., "to": ...}}``."""
        return {c.field: {"from": c.before, "to": c.after} for c in self.changes}


def idea_edits(
    uow: UnitOfWork, actor: Actor, idea_id: int, latest: int | None = None
) -> list[EditView]:
    """An idea's edits (the ``latest`` ones when given), oldest first, in two statements."""
    idea = load_idea(uow, idea_id)
    query = (
        select(IdeaEdit)
        .options(joinedload(IdeaEdit.actor))
        .where(IdeaEdit.idea_id == idea.id)
        .order_by(IdeaEdit.at.desc(), IdeaEdit.id.desc())
        .limit(latest)
    )
    rows = list(reversed(uow.session.scalars(query).all()))
    owners = {
        value
        for row in rows
        for key in ("from", "to")
        if isinstance(value := (row.changes.get("owner") or {}).get(key), str)
    }
    names = (
        dict(uow.session.execute(select(User.email, User.name).where(User.email.in_(owners))).all())
        if owners
        else {}
    )
    return [_view(row, names) for row in rows]


def _view(row: IdeaEdit, names: dict[str, str]) -> EditView:
    changes = []
    for field in sorted(row.changes, key=lambda name: _rank(name)):
        change = row.changes[field] or {}
        before, after = change.get("from"), change.get("to")
        owner = field == "owner"
        changes.append(
            FieldChange(
                field,
                before,
                after,
                names.get(before) if owner and isinstance(before, str) else None,
                names.get(after) if owner and isinstance(after, str) else None,
            )
        )
    return EditView(
        at=row.at,
        actor=row.actor.email if row.actor else None,
        actor_name=row.actor.name if row.actor else None,
        changes=tuple(changes),
    )


def _rank(field: str) -> int:
    return FIELD_ORDER.index(field) if field in FIELD_ORDER else len(FIELD_ORDER)
