"""Each trigger runs a fixed, small number of SQL statements, whatever the idea's past.

A transition reads the idea with its owner, meeting, themes' names and latest records (one
statement), then writes the compare-and-set UPDATE, the record its gate leaves, the history row
and the outbox row: one statement each on SQLite, one statement in all on PostgreSQL (a step
changing two ideas, a merge, writes them one by one there too). The counts below are pinned: a
statement more (a lazy load, an autoflush, a re-read) fails here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select, update

from workflow.clock import local_today
from workflow.db import Database
from workflow.errors import VersionConflict
from workflow.models import Assessment, HistoryEntry, Idea, OutboxMessage
from workflow.permissions import Actor
from workflow.services import ideas, transitions
from workflow.uow import UnitOfWork

ASSESS = {"impact": 4, "feasibility": 3, "cost": 2, "summary": "Lovende og billig"}
PILOT = {"starts_on": "2026-01-01", "ends_on": "2026-06-30", "success_criteria": "50 unge i job"}
SCALE = {"outcome": "success", "evaluation": "Målene er nået", "scale_to": ["Langå"]}
READS = 1  # the idea with owner, meeting, themes' names and latest records
# The compare-and-set UPDATE, the history row, the outbox row, and the record a gate leaves.
WRITES = {"sqlite": (3, 1), "postgresql": (1, 0)}


@contextmanager
def counting(database: Database) -> Iterator[list[str]]:
    """The statements the database's engine runs inside the block."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(database.engine, "before_cursor_execute", record)


def test_each_trigger_runs_a_pinned_number_of_statements(
    database: Database, uow: Callable[[], UnitOfWork], make_user: Callable[..., Actor]
) -> None:
    manager, owner, other = make_user("manager"), make_user("owner"), make_user("owner")
    themes = {"themes": ["Trafik", "Unge", "Natur"], "owner": owner.email}
    with uow() as unit:
        walked = ideas.create_idea(unit, manager, {"title": "Bænke ved åen", **themes}).id
        second = ideas.create_idea(unit, manager, {"title": "Cykelsti", **themes}).id
        parked = ideas.create_idea(unit, manager, {"title": "Legeplads", **themes}).id
    revisit = (local_today() + timedelta(days=30)).isoformat()
    writes, record = WRITES[database.engine.dialect.name]
    steps: list[tuple[Actor, int, str, dict[str, Any], int]] = [
        (owner, walked, "assess", {"data": ASSESS, "expected_version": 1}, READS + writes + record),
        (owner, walked, "start_pilot", {"data": PILOT}, READS + writes + record),
        (owner, walked, "scale", {"data": SCALE}, READS + writes + record),
        (manager, second, "assess", {"data": ASSESS}, READS + writes + record),
        # A pilot owner other than the idea's: the gate looks them up once, the effect reuses it.
        (
            manager,
            second,
            "start_pilot",
            {"data": {**PILOT, "owner": other.email}},
            READS + 1 + writes + record,
        ),
        (
            owner,
            parked,
            "park",
            {"reason": "Vent", "data": {"revisit_on": revisit}},
            READS + writes,
        ),
        # Reopening reads the latest park's revisit date (one statement, not the history).
        (owner, parked, "reopen", {"reason": "Nu"}, READS + 1 + writes),
        (owner, parked, "reject", {"reason": "Nej"}, READS + writes),
        (owner, parked, "reopen", {"reason": "Alligevel"}, READS + writes),
        # A merge locks both ideas and reloads them, and moves the survivor's version too: two
        # UPDATEs, the history row and the outbox row, one by one on both databases; and it takes
        # the merged idea out of the similarity index.
        (manager, parked, "merge", {"data": {"into": second}}, READS + 2 + 4 + 1),
    ]
    counted = []
    for actor, idea_id, trigger, kwargs, _ in steps:
        with uow() as unit, counting(database) as statements:
            transitions.fire_trigger(unit, actor, idea_id, trigger, **kwargs)
        counted.append((trigger, len(statements)))
    assert counted == [(trigger, pinned) for *_, trigger, _, pinned in steps]


def test_a_transition_writes_its_record_history_and_outbox_row_together(
    database: Database, uow: Callable[[], UnitOfWork], make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    with uow() as unit:
        idea_id = ideas.create_idea(unit, manager, {"title": "Bænke ved åen"}).id
    with uow() as unit:
        moved = transitions.fire_trigger(unit, manager, idea_id, "assess", data=ASSESS)
    assert (moved.state, moved.version, moved.assessment and moved.assessment["impact"]) == (
        "assessed",
        2,
        4,
    )
    with database.session_factory() as session:
        entry = session.scalars(
            select(HistoryEntry).where(HistoryEntry.idea_id == idea_id).order_by(HistoryEntry.id)
        ).all()[-1]
        message = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.event_type == "idea.transitioned")
            .where(OutboxMessage.aggregate_id == idea_id)
        ).one()
        assessment = session.scalars(select(Assessment).where(Assessment.idea_id == idea_id)).one()
        idea = session.get(Idea, idea_id)
    assert idea is not None and (idea.state, idea.version) == ("assessed", 2)
    assert (assessment.impact, assessment.summary, assessment.assessed_by_id) == (
        4,
        ASSESS["summary"],
        manager.id,
    )
    assert (entry.trigger, entry.from_state, entry.to_state, entry.data) == (
        "assess",
        "proposed",
        "assessed",
        ASSESS,
    )
    assert message.payload == {
        "idea_id": idea_id,
        "history_id": entry.id,
        "trigger": "assess",
        "from_state": "proposed",
        "to_state": "assessed",
        "actor_id": manager.id,
        "reason": None,
        "data": ASSESS,
    }
    assert (message.aggregate_type, message.attempts, message.dispatched_at) == ("idea", 0, None)
    assert message.created_at is not None


def test_a_transition_that_lost_the_race_writes_nothing(
    database: Database,
    uow: Callable[[], UnitOfWork],
    make_user: Callable[..., Actor],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    manager = make_user("manager")
    with uow() as unit:
        idea_id = ideas.create_idea(unit, manager, {"title": "Cykelsti"}).id
    read = transitions.load_for_step

    def read_then_lose(unit: UnitOfWork, idea_id: int) -> Any:
        found = read(unit, idea_id)
        with database.engine.begin() as other:  # another change commits after this read
            other.execute(update(Idea).where(Idea.id == idea_id).values(version=Idea.version + 1))
        return found

    monkeypatch.setattr(transitions, "load_for_step", read_then_lose)
    with uow() as unit, pytest.raises(VersionConflict):
        transitions.fire_trigger(unit, manager, idea_id, "assess", data=ASSESS)
    with database.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Assessment)) == 0
        assert session.scalar(select(func.count()).select_from(HistoryEntry)) == 0
        kinds = session.scalars(select(OutboxMessage.event_type))
        assert list(kinds) == ["idea.created"]
        idea = session.get(Idea, idea_id)
        assert idea is not None and (idea.state, idea.version) == ("proposed", 2)
