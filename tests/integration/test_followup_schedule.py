"""Each idea's next moment for the reminder sweep stays right through every write, on SQLite and
PostgreSQL, and the sweep that reads only the ideas whose moment has come decides exactly what
the full scan it replaced decided.

- Every kind of write marks the idea (``MARK``: the next sweep reads it).
- A stateful property test: random creations, edits, transitions, owners (de)activated and
  sweeps days apart. After every step no idea holds a moment later than its facts give (a write
  that forgot to mark it would leave one), and after every sweep each idea holds exactly the
  moment its facts give (``fresh_moments``). Before every sweep, its decision equals the full
  scan's (``full_scan_plan``).
- On a database ``bench.seed --aged`` filled, the same over two months of daily sweeps.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from bench.seed import seed
from tests.clock import today_clear_of_midnight
from tests.integration.followup_reference import fresh_moments, full_scan_plan, stored_moments
from workflow.clock import local_today
from workflow.db import Database
from workflow.errors import WorkflowError
from workflow.followups.decisions import start_of_local_day
from workflow.followups.rules import FollowupRules
from workflow.followups.schedule import MARK
from workflow.models import Base
from workflow.notifications.links import Links
from workflow.permissions import Actor
from workflow.services import ideas, transitions, users
from workflow.services.followup_queries import Stored, candidates, store
from workflow.services.followups import plan_followups, reschedule, run_followups
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
LINKS = Links("https://ideer.randers.dk", "test-secret")
RULES = FollowupRules(unassessed_days=4, untouched_days=6, repeat_days=2, escalate_days=3)
TODAY = local_today()


@pytest.fixture(autouse=True)
def _today() -> None:
    """Count days from the day each test runs, so a run that passes midnight counts right."""
    global TODAY
    TODAY = today_clear_of_midnight()


OWNERS = ("ole@randers.dk", "eva@randers.dk")
MANAGER = "mette@randers.dk"
ASSESS = {"impact": 4, "feasibility": 3, "cost": 2, "summary": "Bred opbakning"}
SCALE = {"outcome": "success", "evaluation": "Det virkede", "scale_to": ["Langå"]}


def noon(day: int) -> datetime:
    """Noon in Denmark, ``day`` days after today."""
    return start_of_local_day(TODAY + timedelta(days=day)) + timedelta(hours=12)


def on(day: int) -> str:
    return (TODAY + timedelta(days=day)).isoformat()


def planned(uow: UowFactory, now: datetime) -> list[tuple[int, str, int]]:
    """What the sweep would queue at ``now``: (idea, occasion, number)."""
    with uow() as unit:
        return [(d.idea_id, d.occasion.key, d.number) for d in plan_followups(unit, now, RULES)]


def scanned(uow: UowFactory, now: datetime, rules: FollowupRules = RULES) -> list[Any]:
    with uow() as unit:
        return full_scan_plan(unit, now, rules)


def late(uow: UowFactory, today: date, rules: FollowupRules = RULES) -> dict[int, Any]:
    """Ideas holding a moment later than their facts give (None: never): (stored, fresh)."""
    with uow() as unit:
        stored, fresh = stored_moments(unit), fresh_moments(unit, today, rules)
    return {
        idea_id: (stored[idea_id], moment)
        for idea_id, moment in fresh.items()
        if moment is not None and (stored[idea_id] is None or stored[idea_id] > moment)
    }


def settled(uow: UowFactory, today: date, rules: FollowupRules = RULES) -> None:
    """Every idea holds exactly the moment its facts give."""
    with uow() as unit:
        assert stored_moments(unit) == fresh_moments(unit, today, rules)


# -- every write marks ------------------------------------------------------------------------


def _edit(field: str, value: Any) -> Callable[[UnitOfWork, Actor, int], Any]:
    return lambda unit, manager, idea_id: ideas.update_idea(unit, manager, idea_id, {field: value})


def _fire(trigger: str, **data: Any) -> Callable[[UnitOfWork, Actor, int], Any]:
    def fire(unit: UnitOfWork, manager: Actor, idea_id: int) -> Any:
        reason = None if trigger == "assess" else "Besluttet på mødet"
        return transitions.fire_trigger(unit, manager, idea_id, trigger, reason=reason, data=data)

    return fire


PILOT = {"owner": OWNERS[0], "starts_on": on(0), "ends_on": on(30), "success_criteria": "Brug"}
WRITES: dict[str, tuple[tuple[Callable[[UnitOfWork, Actor, int], Any], ...], str]] = {
    "follow-up date": ((_edit("follow_up_on", on(3)),), "proposed"),
    "owner": ((_edit("owner", OWNERS[1]),), "proposed"),
    "title": ((_edit("title", "Natbus fra Spentrup"),), "proposed"),
    "assessment": ((_fire("assess", **ASSESS),), "assessed"),
    "pilot plan": ((_fire("assess", **ASSESS), _fire("start_pilot", **PILOT)), "piloted"),
    "evaluation": (
        (_fire("assess", **ASSESS), _fire("start_pilot", **PILOT), _fire("scale", **SCALE)),
        "scaled",
    ),
    "parking": ((_fire("park", revisit_on=on(20)),), "parked"),
    "rejection": ((_fire("reject"),), "rejected"),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_every_write_that_concerns_the_reminders_marks_the_idea(
    uow: UowFactory, make_user: Callable[..., Actor], write: str
) -> None:
    manager = make_user("manager", MANAGER)
    for email in OWNERS:
        make_user("owner", email)
    steps, state = WRITES[write]
    with uow() as unit:
        idea_id = ideas.create_idea(unit, manager, {"title": "Natbus", "owner": OWNERS[0]}).id
    for step in steps:
        with uow() as unit:
            assert reschedule(unit, noon(0), RULES) == 1
            assert stored_moments(unit)[idea_id] not in (MARK, None)
        with uow() as unit:
            reached = step(unit, manager, idea_id).state
        with uow() as unit:
            assert stored_moments(unit)[idea_id] == MARK
    assert reached == state


def test_activating_or_deactivating_an_owner_marks_their_open_ideas(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager", MANAGER)
    make_user("owner", OWNERS[0])
    with uow() as unit:
        open_id = ideas.create_idea(unit, manager, {"title": "Natbus", "owner": OWNERS[0]}).id
        done_id = ideas.create_idea(unit, manager, {"title": "Bænke", "owner": OWNERS[0]}).id
    with uow() as unit:
        transitions.fire_trigger(unit, manager, done_id, "reject", reason="Nej")
    for active in (False, True):
        with uow() as unit:
            reschedule(unit, noon(0), RULES)
            users.set_active(unit, OWNERS[0], active)
        with uow() as unit:
            moments = stored_moments(unit)
        assert moments[open_id] == MARK and moments[done_id] is None
    with uow() as unit:
        reschedule(unit, noon(0), RULES)
    settled(uow, TODAY)


def _owned_idea(uow: UowFactory, make_user: Callable[..., Actor]) -> tuple[Actor, int]:
    """A manager, an owner, and an idea of the owner's that the manager made."""
    manager = make_user("manager", MANAGER)
    make_user("owner", OWNERS[0])
    with uow() as unit:
        return manager, ideas.create_idea(unit, manager, {"title": "Natbus", "owner": OWNERS[0]}).id


def test_a_sweep_keeps_a_mark_made_while_it_was_deciding(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager, idea_id = _owned_idea(uow, make_user)
    with uow() as unit:
        (page,) = candidates(unit, noon(0))  # the sweep reads the idea, marked as created
        with uow() as writer:  # and an edit it does not see marks it again
            ideas.update_idea(writer, manager, idea_id, {"follow_up_on": on(1)})
        store(unit, [Stored(page[0], noon(5))])
        unit.commit()
    with uow() as unit:
        assert stored_moments(unit)[idea_id] == MARK
        reschedule(unit, noon(0), RULES)
    settled(uow, TODAY)


def test_a_sweep_with_other_rules_looks_at_every_open_idea_again(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager, idea_id = _owned_idea(uow, make_user)
    with uow() as unit:
        transitions.fire_trigger(unit, manager, idea_id, "assess", data=ASSESS)
    sweep_at = noon(RULES.untouched_days - 1)
    with uow() as unit:
        assert run_followups(unit, LINKS, sweep_at, RULES).queued == ()
    sooner = FollowupRules(untouched_days=RULES.untouched_days - 2)
    expected = [(idea_id, f"untouched:{TODAY}", 1)]
    assert scanned(uow, sweep_at, sooner) == expected
    with uow() as unit:  # a dry run reads every open idea, and writes nothing
        assert [
            (d.idea_id, d.occasion.key, d.number) for d in plan_followups(unit, sweep_at, sooner)
        ] == expected
    with uow() as unit:
        report = run_followups(unit, LINKS, sweep_at, sooner)
    assert [(q.idea_id, q.occasion, q.number) for q in report.queued] == expected
    settled(uow, local_today(sweep_at), sooner)


# -- random writes and sweeps -------------------------------------------------------------------


def schedule_machine(uow: UowFactory, database: Database) -> type[RuleBasedStateMachine]:
    """A state machine class bound to one test database."""

    class ScheduleMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.day = 0
            self.ideas: list[int] = []
            self.actors: dict[str, Actor] = {}

        @initialize()
        def people(self) -> None:
            with uow() as unit:
                for email, role in ((MANAGER, "manager"), *((e, "owner") for e in OWNERS)):
                    users.create_user(unit, email=email, name=email[:3], role=role)
                self.actors = {email: users.find_actor(unit, email) for email in (MANAGER,)}
            for owner in (*OWNERS, None):  # an idea of each owner and one of nobody's to start
                self.create(owner, None)

        def teardown(self) -> None:
            with database.engine.begin() as connection:
                for table in reversed(Base.metadata.sorted_tables):
                    connection.execute(table.delete())

        @property
        def manager(self) -> Actor:
            return self.actors[MANAGER]

        @rule(
            owner=st.sampled_from((*OWNERS, None)),
            follow_up=st.sampled_from((None, -3, 0, 1, 4, 12)),
        )
        def create(self, owner: str | None, follow_up: int | None) -> None:
            body: dict[str, Any] = {"title": f"Idé {len(self.ideas) + 1}"}
            if owner:
                body["owner"] = owner
            if follow_up is not None:
                body["follow_up_on"] = on(self.day + follow_up)
            with uow() as unit, suppress(WorkflowError):  # an owner deactivated
                self.ideas.append(ideas.create_idea(unit, self.manager, body).id)

        @rule(
            data=st.data(),
            field=st.sampled_from(("follow_up_on", "owner", "title")),
            value=st.sampled_from((None, -2, 0, 3, 9)),
        )
        def edit(self, data: st.DataObject, field: str, value: int | None) -> None:
            if not self.ideas:
                return
            idea_id = data.draw(st.sampled_from(self.ideas))
            if field == "follow_up_on":
                new: Any = None if value is None else on(self.day + value)
            elif field == "owner":
                new = None if value is None else OWNERS[value % 2]
            else:
                new = f"Ny titel {value}"
            with uow() as unit, suppress(WorkflowError):  # e.g. a finished idea
                ideas.update_idea(unit, self.manager, idea_id, {field: new})

        @rule(
            data=st.data(),
            trigger=st.sampled_from(
                ("assess", "start_pilot", "scale", "reject", "park", "reopen", "merge")
            ),
            days=st.integers(min_value=1, max_value=8),
        )
        def fire(self, data: st.DataObject, trigger: str, days: int) -> None:
            if not self.ideas:
                return
            idea_id = data.draw(st.sampled_from(self.ideas))
            payload: dict[str, Any] = {
                "assess": ASSESS,
                "start_pilot": {**PILOT, "starts_on": on(self.day - 10),
                                "ends_on": on(self.day + days - 5)},
                "scale": SCALE,
                "park": {"revisit_on": on(self.day + days)},
                "merge": {"into": data.draw(st.sampled_from(self.ideas))},
            }.get(trigger, {})  # fmt: skip
            reason = None if trigger == "assess" else "Besluttet"
            # Refused when not from this state, or a merge into itself or a merged idea.
            with uow() as unit, suppress(WorkflowError):
                transitions.fire_trigger(
                    unit, self.manager, idea_id, trigger, reason=reason, data=payload,
                    now=noon(self.day),
                )  # fmt: skip

        @rule(active=st.booleans())
        def set_active(self, active: bool) -> None:
            with uow() as unit:
                users.set_active(unit, OWNERS[1], active)

        @rule(days=st.integers(min_value=0, max_value=9), dry=st.booleans())
        def sweep(self, days: int, dry: bool) -> None:
            self.day += days
            now = noon(self.day)
            assert planned(uow, now) == scanned(uow, now)
            with uow() as unit:
                run_followups(unit, LINKS, now, RULES, dry_run=dry)
            if not dry:
                settled(uow, TODAY + timedelta(days=self.day))
                assert planned(uow, now) == scanned(uow, now) == []

        @invariant()
        def never_later_than_the_facts(self) -> None:
            assert late(uow, TODAY + timedelta(days=self.day)) == {}

    return ScheduleMachine


def test_random_writes_and_sweeps_keep_every_moment_right(
    uow: UowFactory, database: Database
) -> None:
    run_state_machine_as_test(
        schedule_machine(uow, database),
        settings=settings(
            max_examples=20,
            stateful_step_count=25,
            deadline=None,
            report_multiple_bugs=False,
            phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


# -- an aged database -----------------------------------------------------------------------------

SEEDED_AT = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)


def test_on_an_aged_database_the_sweep_decides_what_the_full_scan_decided(
    database: Database, uow: UowFactory
) -> None:
    url = database.engine.url.render_as_string(hide_password=False)
    seed(url, 300, 12, aged=True, now=SEEDED_AT)
    defaults = FollowupRules()
    settled(uow, local_today(SEEDED_AT), defaults)
    queued = 0
    for day in (0, 1, 3, 8, 21, 55):
        now = SEEDED_AT + timedelta(days=day)
        due = scanned(uow, now, defaults)
        with uow() as unit:
            assert [(d.idea_id, d.occasion.key, d.number) for d in plan_followups(unit, now)] == due
            report = run_followups(unit, LINKS, now)
        assert [(q.idea_id, q.occasion, q.number) for q in report.queued] == due
        queued += len(due)
        settled(uow, local_today(now), defaults)
    assert queued > 20  # the seeded history leaves reminders due over the two months
