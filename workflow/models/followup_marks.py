"""Every write that can change an idea's reminders marks the idea for the next reminder sweep.

The sweep reads only the ideas whose ``next_check_at`` has come (``workflow.followups.schedule``).
So that no service has to remember it, the session marks them itself, in the flush that writes
the change (the same transaction): ``next_check_at = MARK``, which every sweep reads next.

- an idea whose state, follow-up date, owner, merge target or timestamps change (a new idea gets
  ``MARK`` as its column default);
- the idea of a pilot plan or evaluation written, changed or deleted, or of a reminder deleted;
- the open ideas of a user who is activated or deactivated.

Marks written with a statement of their own also move ``version``, as an idea's own write does:
the sweep stores its verdict only where ``version`` and ``next_check_at`` are still what it read,
so a mark made while it was deciding is never overwritten. Code that writes ideas with Core
statements instead of the session sets ``next_check_at=MARK`` itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, and_, event, inspect, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from workflow.followups.schedule import MARK
from workflow.models.ideas import Evaluation, Idea, PilotPlan
from workflow.models.notifications import Reminder
from workflow.models.people import User
from workflow.states import OPEN_STATES

WATCHED = (
    "state",
    "follow_up_on",
    "owner",
    "owner_id",
    "merged_into_id",
    "state_changed_at",
    "updated_at",
)
"""The columns (and relationship) of ``Idea`` the reminders depend on."""
RECORDS = (PilotPlan, Evaluation)


def _changed(instance: Any, names: tuple[str, ...]) -> bool:
    state = inspect(instance)
    return any(state.attrs[name].history.has_changes() for name in names)


def _mark_changes(session: Session, _context: Any, _instances: Any) -> None:
    """Before each flush: mark what the flush changes (see the module docstring)."""
    ideas: set[int] = set()
    owners: set[int] = set()
    for instance in session.dirty:
        if isinstance(instance, Idea):
            if _changed(instance, WATCHED):
                instance.next_check_at = MARK
        elif isinstance(instance, RECORDS):
            if session.is_modified(instance):
                ideas.add(instance.idea_id)
        elif isinstance(instance, User) and _changed(instance, ("active",)):
            owners.add(instance.id)
    for instance in session.new:
        if isinstance(instance, RECORDS):
            ideas.add(instance.idea_id)
    for instance in session.deleted:
        if isinstance(instance, (*RECORDS, Reminder)):
            ideas.add(instance.idea_id)
    if ideas:
        _mark(session, lambda idea: idea.id in ideas, Idea.id.in_(ideas))
    if owners:
        _mark(
            session,
            lambda idea: idea.owner_id in owners and idea.state in OPEN_STATES,
            and_(Idea.owner_id.in_(owners), Idea.state.in_(OPEN_STATES)),
        )


def _mark(session: Session, chosen: Callable[[Idea], bool], where: ColumnElement[bool]) -> None:
    """Mark the ideas ``where`` selects: those the session holds through it (so that their
    ``version`` stays in step), the others with one statement that moves their version too."""
    held = [
        instance
        for instance in session.identity_map.values()
        if isinstance(instance, Idea) and instance not in session.deleted
    ]
    for instance in held:
        if chosen(instance):
            instance.next_check_at = MARK
            flag_modified(instance, "next_check_at")  # written (and versioned) even if MARK
    table = Idea.metadata.tables["ideas"]
    statement = update(table).where(where).values(next_check_at=MARK, version=table.c.version + 1)
    if held:
        statement = statement.where(table.c.id.not_in([instance.id for instance in held]))
    session.connection().execute(statement)


event.listen(Session, "before_flush", _mark_changes)
