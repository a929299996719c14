"""Each trigger runs a fixed, small number of SQL statements, whatever the idea's past.

A transition reads the idea with its owner, meeting, themes' names and latest records (one
statement), then writes the compare-and-set UPDATE, the record its gate leaves, the
history row and the outbox row, one statement each. The counts below are pinned: a statement
more (a lazy load, an autoflush, a re-read) fails here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event

from workflow.clock import local_today
from workflow.db import Database
from workflow.permissions import Actor
from workflow.services import ideas, transitions
from workflow.uow import UnitOfWork

ASSESS = {"impact": 4, "feasibility": 3, "cost": 2, "summary": "Lovende og billig"}
PILOT = {"starts_on": "2027-01-01", "ends_on": "2027-06-30", "success_criteria": "50 unge i job"}
SCALE = {"outcome": "success", "evaluation": "Målene er nået", "scale_to": ["Langå"]}
READS = 1  # the idea with owner, meeting, themes' names and latest records
WRITES = 3  # the compare-and-set UPDATE, the history row, the outbox row


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
    steps: list[tuple[Actor, int, str, dict[str, Any], int]] = [
        (owner, walked, "assess", {"data": ASSESS, "expected_version": 1}, READS + WRITES + 1),
        (owner, walked, "start_pilot", {"data": PILOT}, READS + WRITES + 1),
        (owner, walked, "scale", {"data": SCALE}, READS + WRITES + 1),
        (manager, second, "assess", {"data": ASSESS}, READS + WRITES + 1),
        # A pilot owner other than the idea's: the gate looks them up once, the effect reuses it.
        (manager, second, "start_pilot", {"data": {**PILOT, "owner": other.email}}, 6),
        (owner, parked, "park", {"reason": "Vent", "data": {"revisit_on": revisit}}, 4),
        # Reopening reads the latest park's revisit date (one statement, not the history).
        (owner, parked, "reopen", {"reason": "Nu"}, READS + WRITES + 1),
        (owner, parked, "reject", {"reason": "Nej"}, READS + WRITES),
        (owner, parked, "reopen", {"reason": "Alligevel"}, READS + WRITES),
        # A merge locks both ideas and reloads them, and moves the survivor's version too.
        (manager, parked, "merge", {"data": {"into": second}}, 7),
    ]
    counted = []
    for actor, idea_id, trigger, kwargs, _ in steps:
        with uow() as unit, counting(database) as statements:
            transitions.fire_trigger(unit, actor, idea_id, trigger, **kwargs)
        counted.append((trigger, len(statements)))
    assert counted == [(trigger, pinned) for *_, trigger, _, pinned in steps]
