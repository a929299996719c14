"""What the reminder sweep reads and stores: the ideas whose moment has come, and the next one.

Each idea keeps in ``next_check_at`` the moment the sweep must next look at it
(``workflow.followups.schedule``), with an index, so the sweep reads what may be due and the
ideas written since it last ran: never the ideas reminded this week, the occasions whose
managers were told long ago, or the archive. It reads them in pages of ``PAGE`` ideas, each with
three statements: the ideas with their owners, the latest pilot plan of those piloted, and the
reminders sent for the occasion that counts for each.

It stores each verdict only where ``version`` and ``next_check_at`` are what it read: a write in
between marked the idea again (``workflow.models.followup_marks``), and the next sweep reads it.

The moments depend on the reminder rules (``IDEAFLOW_REMINDER_*``): ``followup_schedule`` keeps
those they were worked out with, and a sweep with other rules first marks every open idea again
(a dry run, which writes nothing, reads every open idea instead).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime

from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    cast,
    column,
    exists,
    func,
    or_,
    select,
    update,
    values,
)
from sqlalchemy.exc import IntegrityError

from workflow.followups.decisions import local_date
from workflow.followups.rules import FollowupRules
from workflow.followups.schedule import MARK, Facts
from workflow.models import (
    Evaluation,
    FollowupSchedule,
    Idea,
    PilotPlan,
    Reminder,
    User,
    UTCDateTime,
)
from workflow.states import OPEN_STATES, State
from workflow.uow import UnitOfWork

__all__ = [
    "PAGE",
    "Candidate",
    "Stored",
    "adopt_rules",
    "candidates",
    "mark_open_ideas",
    "reminders_sent",
    "rules_changed",
    "store",
]

PAGE = 500  # ideas per page


@dataclass(frozen=True)
class Candidate:
    """An idea whose moment has come, as read: its facts and what a verdict is stored against."""

    idea_id: int
    title: str
    owner: User | None
    version: int
    seen: datetime | None  # next_check_at as read
    facts: Facts


@dataclass(frozen=True)
class Stored:
    """A verdict to store: ``moment`` for the idea, if it is still as the candidate was read."""

    candidate: Candidate
    moment: datetime | None


def candidates(
    uow: UnitOfWork, now: datetime, *, everything: bool = False
) -> Iterator[list[Candidate]]:
    """The ideas whose ``next_check_at`` is at or before ``now`` (with ``everything``: and every
    open idea with an owner), by id, a page at a time."""
    # The moment written into the statement: PostgreSQL's plan for a prepared statement that
    # does not know it assumes a third of the ideas match and reads the table.
    chosen = Idea.next_check_at <= bindparam("now", now, UTCDateTime, literal_execute=True)
    if everything:
        chosen = or_(chosen, and_(Idea.state.in_(OPEN_STATES), Idea.owner_id.is_not(None)))
    # Sorted here: asked to sort by id, SQLite walks the whole table in id order instead.
    ids = sorted(uow.session.scalars(select(Idea.id).where(chosen)))
    for page in _chunks(ids, PAGE):
        yield _read(uow, page)


def _read(uow: UnitOfWork, ids: Sequence[int]) -> list[Candidate]:
    query = (
        select(
            Idea.id, Idea.title, Idea.state, Idea.version, Idea.next_check_at, Idea.follow_up_on,
            Idea.state_changed_at, Idea.updated_at, User,
        )
        .outerjoin(User, User.id == Idea.owner_id)
        .where(Idea.id.in_(ids))
        .order_by(Idea.id)
    )  # fmt: skip
    rows = list(uow.session.execute(query))
    pilots = _unevaluated_pilots(
        uow, [row.id for row in rows if row.state == State.PILOTED and row.User is not None]
    )
    found = []
    for idea_id, title, state, version, seen, follow_up_on, changed, updated, owner in rows:
        facts = Facts(
            state=state,
            owner_active=owner is not None and owner.active,
            follow_up_on=follow_up_on,
            state_changed_at=changed,
            updated_at=updated,
            pilot=pilots.get(idea_id),
        )
        found.append(Candidate(idea_id, title, owner, version, seen, facts))
    return found


def _unevaluated_pilots(uow: UnitOfWork, ids: Sequence[int]) -> dict[int, tuple[int, date]]:
    """Per idea: its latest pilot plan (id, last day), unless an evaluation was made after it."""
    if not ids:
        return {}
    latest = (
        select(func.max(PilotPlan.id)).where(PilotPlan.idea_id.in_(ids)).group_by(PilotPlan.idea_id)
    )
    evaluated = exists().where(
        Evaluation.idea_id == PilotPlan.idea_id, Evaluation.created_at >= PilotPlan.created_at
    )
    query = select(PilotPlan.idea_id, PilotPlan.id, PilotPlan.ends_on).where(
        PilotPlan.id.in_(latest), ~evaluated
    )
    return {idea_id: (plan_id, ends_on) for idea_id, plan_id, ends_on in uow.session.execute(query)}


def reminders_sent(uow: UnitOfWork, keys: dict[int, str]) -> dict[int, dict[int, date]]:
    """Per idea: the reminders sent for the occasion ``keys`` names (number → Danish date)."""
    sent: dict[int, dict[int, date]] = defaultdict(dict)
    if not keys:
        return sent
    query = select(Reminder.idea_id, Reminder.occasion, Reminder.number, Reminder.sent_at).where(
        Reminder.idea_id.in_(keys), Reminder.occasion.in_(set(keys.values()))
    )
    for idea_id, occasion, number, sent_at in uow.session.execute(query):
        if keys[idea_id] == occasion:
            sent[idea_id][number] = local_date(sent_at)
    return sent


def store(uow: UnitOfWork, verdicts: Iterable[Stored]) -> None:
    """Store each verdict that changes the moment, where the idea is still as it was read."""
    rows = [
        (item.candidate.idea_id, item.candidate.version, item.candidate.seen, item.moment)
        for item in verdicts
        if item.moment != item.candidate.seen and item.candidate.seen is not None
    ]
    if not rows:
        return
    table = Idea.metadata.tables["ideas"]
    connection = uow.session.connection()
    if connection.dialect.name == "postgresql":  # one statement, not a round trip per idea
        given = values(
            column("idea", Integer), column("seen_version", Integer),
            column("seen", UTCDateTime), column("moment", UTCDateTime), name="verdicts",
        ).data(rows)  # fmt: skip
        connection.execute(
            update(table)
            .where(
                table.c.id == given.c.idea,
                table.c.version == given.c.seen_version,
                table.c.next_check_at == given.c.seen,
            )
            # A NULL alone in its column of VALUES is text to PostgreSQL.
            .values(next_check_at=cast(given.c.moment, UTCDateTime))
        )
        return
    statement = (
        update(table)
        .where(
            table.c.id == bindparam("idea"),
            table.c.version == bindparam("seen_version"),
            table.c.next_check_at == bindparam("seen"),
        )
        .values(next_check_at=bindparam("moment"))
    )
    keys = ("idea", "seen_version", "seen", "moment")
    connection.execute(statement, [dict(zip(keys, row, strict=True)) for row in rows])


def rules_changed(uow: UnitOfWork, rules: FollowupRules) -> bool:
    """Whether the stored moments were worked out with other rules than ``rules`` (or none)."""
    recorded = uow.session.get(FollowupSchedule, 1)
    return recorded is None or recorded.rules != _fingerprint(rules)


def adopt_rules(uow: UnitOfWork, rules: FollowupRules) -> None:
    """Mark every open idea with an owner and record ``rules`` as those of the moments, in one
    transaction (committed; another sweep doing the same at once makes this one a no-op)."""
    mark_open_ideas(uow)
    recorded = uow.session.get(FollowupSchedule, 1)
    if recorded is None:
        uow.session.add(FollowupSchedule(id=1, rules=_fingerprint(rules)))
    else:
        recorded.rules = _fingerprint(rules)
    try:
        uow.commit()
    except IntegrityError:
        uow.rollback()


def _fingerprint(rules: FollowupRules) -> str:
    return ",".join(f"{spec.name}={getattr(rules, spec.name)}" for spec in fields(rules))


def mark_open_ideas(uow: UnitOfWork) -> int:
    """Mark every open idea with an owner for the next sweep (data loaded in bulk, which the
    session's marks never saw); return how many. ``version`` stays: nothing else is running."""
    table = Idea.metadata.tables["ideas"]
    statement = (
        update(table)
        .where(table.c.state.in_(OPEN_STATES), table.c.owner_id.is_not(None))
        .values(next_check_at=MARK)
    )
    return int(uow.session.connection().execute(statement).rowcount)


def _chunks(values: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
