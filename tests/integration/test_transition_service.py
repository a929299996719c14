"""Firing triggers through the service layer, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from workflow.clock import local_today
from workflow.errors import (
    Forbidden,
    InvalidTransition,
    NotFound,
    ReferencedIdeaMerged,
    ValidationFailed,
    VersionConflict,
)
from workflow.models import Assessment, Evaluation, HistoryEntry, Idea, OutboxMessage, PilotPlan
from workflow.permissions import Actor
from workflow.services import ideas, transitions
from workflow.states import replay
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]

ASSESS = {"impact": 4, "feasibility": 3, "cost": 2, "summary": "Lovende og billig"}
PILOT = {"starts_on": "2026-01-01", "ends_on": "2026-06-30", "success_criteria": "50 unge i job"}
SCALE = {"outcome": "success", "evaluation": "Målene er nået", "scale_to": ["Langå", "Assentoft"]}


def new_idea(uow: UowFactory, actor: Actor, **fields: object) -> int:
    with uow() as unit:
        return ideas.create_idea(unit, actor, {"title": "Sociale partnerskaber", **fields}).id


def fire(uow: UowFactory, actor: Actor, idea_id: int, trigger: str, **kwargs: object):  # type: ignore[no-untyped-def]
    with uow() as unit:
        return transitions.fire_trigger(unit, actor, idea_id, trigger, **kwargs)  # type: ignore[arg-type]


def outbox_types(uow: UowFactory, idea_id: int) -> list[str]:
    with uow() as unit:
        query = (
            select(OutboxMessage.event_type)
            .where(OutboxMessage.aggregate_id == idea_id)
            .order_by(OutboxMessage.id)
        )
        return list(unit.session.scalars(query))


def test_an_owner_walks_an_idea_from_proposed_to_scaled(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    owner = make_user("owner")
    idea_id = new_idea(uow, owner)

    assessed = fire(uow, owner, idea_id, "assess", data=ASSESS)
    piloted = fire(uow, owner, idea_id, "start_pilot", data={**PILOT, "budget_dkk": 250000})
    scaled = fire(uow, owner, idea_id, "scale", data=SCALE, expected_version=piloted.version)

    assert [assessed.state, piloted.state, scaled.state] == ["assessed", "piloted", "scaled"]
    assert scaled.version == 4
    assert scaled.allowed_triggers == ()
    assert scaled.assessment is not None and scaled.assessment["impact"] == 4
    assert scaled.pilot_plan is not None and scaled.pilot_plan["owner"] == owner.email
    assert scaled.pilot_plan["budget_dkk"] == Decimal("250000.00")
    assert scaled.evaluation is not None and scaled.evaluation["scale_to"] == ["Langå", "Assentoft"]
    with uow() as unit:
        history = transitions.idea_history(unit, owner, idea_id)
        assert unit.session.scalar(select(func.count(Assessment.id))) == 1
        assert unit.session.scalar(select(func.count(PilotPlan.id))) == 1
        assert unit.session.scalar(select(func.count(Evaluation.id))) == 1
    assert [(h.trigger, h.from_state, h.to_state, h.actor) for h in history] == [
        ("assess", "proposed", "assessed", owner.email),
        ("start_pilot", "assessed", "piloted", owner.email),
        ("scale", "piloted", "scaled", owner.email),
    ]
    assert history[1].data == {
        "owner": owner.email,
        "starts_on": "2026-01-01",
        "ends_on": "2026-06-30",
        "success_criteria": "50 unge i job",
        "budget_dkk": 250000,
    }
    assert replay((h.trigger, h.from_state, h.to_state) for h in history) == "scaled"
    assert outbox_types(uow, idea_id) == [
        "idea.created",
        "idea.transitioned",
        "idea.transitioned",
        "idea.transitioned",
    ]


def test_a_refused_trigger_writes_nothing(uow: UowFactory, make_user: Callable[..., Actor]) -> None:
    owner = make_user("owner")
    idea_id = new_idea(uow, owner)
    with pytest.raises(InvalidTransition) as caught:
        fire(uow, owner, idea_id, "scale", data=SCALE)
    assert caught.value.allowed_triggers == ["assess", "reject", "park", "merge"]
    with pytest.raises(ValidationFailed):
        fire(uow, owner, idea_id, "reject", reason="")
    with uow() as unit:
        idea = unit.ideas.get(idea_id)
        assert idea is not None and (idea.state, idea.version) == ("proposed", 1)
        assert unit.session.scalar(select(func.count(HistoryEntry.id))) == 0
    assert outbox_types(uow, idea_id) == ["idea.created"]


def test_a_stale_expected_version_is_a_conflict(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    owner = make_user("owner")
    idea_id = new_idea(uow, owner)
    fire(uow, owner, idea_id, "assess", data=ASSESS)
    with pytest.raises(VersionConflict) as caught:
        fire(uow, owner, idea_id, "reject", reason="Nej", expected_version=1)
    assert caught.value.current_version == 2


def test_a_concurrent_change_between_read_and_write_loses_the_compare_and_set(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    idea_id = new_idea(uow, manager)
    with uow() as slow:
        loaded = slow.ideas.get(idea_id)  # read version 1 ...
        assert loaded is not None
        fire(uow, manager, idea_id, "reject", reason="Hurtigst")  # ... someone else commits 2
        loaded.state = "parked"
        loaded.updated_at = datetime.now(UTC)
        with pytest.raises(VersionConflict):
            slow.commit()
    with uow() as unit:
        idea = unit.ideas.get(idea_id)
        assert idea is not None and (idea.state, idea.version) == ("rejected", 2)


def test_authorisation_is_checked_on_the_idea(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    owner, other, viewer, manager = (make_user(r) for r in ("owner", "owner", "viewer", "manager"))
    idea_id = new_idea(uow, owner)
    unowned_id = new_idea(uow, manager)
    for actor, target in ((other, idea_id), (viewer, idea_id), (owner, unowned_id)):
        with pytest.raises(Forbidden):
            fire(uow, actor, target, "reject", reason="Nej")
    with pytest.raises(Forbidden):
        fire(uow, owner, idea_id, "merge", data={"into": unowned_id})
    assert fire(uow, manager, idea_id, "merge", data={"into": unowned_id}).state == "merged"
    with pytest.raises(NotFound):
        fire(uow, manager, 999_999, "reject", reason="Nej")


def test_side_effects_of_park_merge_and_pilot(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager, owner = make_user("manager"), make_user("owner")
    survivor = new_idea(uow, manager)
    parked = fire(
        uow,
        manager,
        new_idea(uow, manager),
        "park",
        reason="Budget",
        data={"revisit_on": (local_today() + timedelta(days=30)).isoformat()},
    )
    assert parked.follow_up_on == local_today() + timedelta(days=30)
    merged = fire(uow, manager, parked.id, "merge", data={"into": survivor})
    assert (merged.state, merged.merged_into) == ("merged", survivor)
    with pytest.raises(ReferencedIdeaMerged) as refused:
        fire(uow, manager, survivor, "merge", data={"into": merged.id})
    assert refused.value.details() == {
        "field": "data.into",
        "idea_id": merged.id,
        "merged_into": survivor,
    }

    fire(uow, manager, survivor, "assess", data=ASSESS)
    with pytest.raises(ValidationFailed) as caught:
        fire(uow, manager, survivor, "start_pilot", data=PILOT)
    assert "no owner" in caught.value.fields["data.owner"]
    piloted = fire(uow, manager, survivor, "start_pilot", data={**PILOT, "owner": owner.email})
    assert piloted.owner == owner.email  # the pilot's owner now owns the idea


def test_a_deactivated_owner_cannot_be_named_pilot_owner(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    from workflow.services import users

    manager, owner = make_user("manager"), make_user("owner")
    idea_id = new_idea(uow, manager, owner=owner.email)
    fire(uow, manager, idea_id, "assess", data=ASSESS)
    with uow() as unit:
        users.set_active(unit, owner.email, False)
    with pytest.raises(ValidationFailed) as caught:
        fire(uow, manager, idea_id, "start_pilot", data=PILOT)
    assert "not an active owner" in caught.value.fields["data.owner"]


def test_the_state_column_always_equals_the_replayed_history(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    idea_id = new_idea(uow, manager)
    revisit = (local_today() + timedelta(days=9)).isoformat()
    for trigger, kwargs in [
        ("park", {"reason": "Vent", "data": {"revisit_on": revisit}}),
        ("reopen", {"reason": "Nu"}),
        ("reject", {"reason": "Nej"}),
        ("reopen", {"reason": "Alligevel"}),
        ("assess", {"data": ASSESS}),
    ]:
        fire(uow, manager, idea_id, trigger, **kwargs)
        with uow() as unit:
            idea = unit.session.get(Idea, idea_id)
            steps = [(h.trigger, h.from_state, h.to_state) for h in unit.history.for_idea(idea_id)]
            assert idea is not None and replay(steps) == idea.state


def test_reopening_a_parked_idea_drops_its_revisit_date_but_not_another_follow_up(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    revisit = (local_today() + timedelta(days=20)).isoformat()
    kept, dropped = new_idea(uow, manager), new_idea(uow, manager)
    for idea_id in (kept, dropped):
        fire(uow, manager, idea_id, "park", reason="Vent", data={"revisit_on": revisit})
    with uow() as unit:
        ideas.update_idea(unit, manager, kept, {"follow_up_on": "2030-01-01"})
    assert fire(uow, manager, dropped, "reopen", reason="Nu").follow_up_on is None
    assert str(fire(uow, manager, kept, "reopen", reason="Nu").follow_up_on) == "2030-01-01"


@pytest.mark.parametrize(
    ("route", "closing"),
    [
        ((), ("reject", {})),
        (("assess", "start_pilot"), ("scale", SCALE)),
        ((), ("merge", None)),
    ],
)
def test_closing_an_idea_clears_its_follow_up_date(
    uow: UowFactory,
    make_user: Callable[..., Actor],
    route: tuple[str, ...],
    closing: tuple[str, dict[str, object] | None],
) -> None:
    manager = make_user("manager")
    follow_up = (local_today() + timedelta(days=10)).isoformat()
    idea_id = new_idea(uow, manager, owner=manager.email, follow_up_on=follow_up)
    survivor = new_idea(uow, manager)
    steps = {"assess": ASSESS, "start_pilot": PILOT}
    for step in route:
        fire(uow, manager, idea_id, step, data=steps[step])
    trigger, data = closing
    data = {"into": survivor} if trigger == "merge" else data
    closed = fire(uow, manager, idea_id, trigger, reason="Afsluttet", data=data)
    assert closed.follow_up_on is None
    with uow() as unit:
        stored = unit.ideas.get(idea_id)
        assert stored is not None and stored.follow_up_on is None
        kept = unit.ideas.get(survivor)
        assert kept is not None


def test_parking_keeps_the_revisit_date_as_the_follow_up(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    idea_id = new_idea(uow, manager, owner=manager.email)
    revisit = (local_today() + timedelta(days=90)).isoformat()
    parked = fire(uow, manager, idea_id, "park", reason="Senere", data={"revisit_on": revisit})
    assert str(parked.follow_up_on) == revisit
