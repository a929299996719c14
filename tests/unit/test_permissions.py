"""Who may fire which trigger on which idea."""

from __future__ import annotations

import pytest

from workflow.permissions import (
    Actor,
    Role,
    may_add_participant,
    may_assign_owner,
    may_edit_idea,
    may_fire,
    may_see_participants,
)
from workflow.states import TRIGGER_NAMES

OWNER = Actor(id=10, email="o@randers.dk", name="O", role=Role.OWNER)
OTHER_OWNER = Actor(id=11, email="p@randers.dk", name="P", role=Role.OWNER)
MANAGER = Actor(id=20, email="m@randers.dk", name="M", role=Role.MANAGER)
ADMIN = Actor(id=30, email="a@randers.dk", name="A", role=Role.ADMIN)
VIEWER = Actor(id=40, email="v@randers.dk", name="V", role=Role.VIEWER)


@pytest.mark.parametrize("trigger", TRIGGER_NAMES)
@pytest.mark.parametrize("idea_owner", [None, OWNER.id, OTHER_OWNER.id])
def test_managers_and_admins_fire_everything(trigger: str, idea_owner: int | None) -> None:
    assert may_fire(MANAGER, idea_owner, trigger)
    assert may_fire(ADMIN, idea_owner, trigger)


@pytest.mark.parametrize("trigger", TRIGGER_NAMES)
@pytest.mark.parametrize("idea_owner", [None, OWNER.id, VIEWER.id])
def test_viewers_fire_nothing(trigger: str, idea_owner: int | None) -> None:
    assert not may_fire(VIEWER, idea_owner, trigger)


@pytest.mark.parametrize("trigger", TRIGGER_NAMES)
def test_owners_fire_all_but_merge_on_their_own_ideas_only(trigger: str) -> None:
    assert may_fire(OWNER, OWNER.id, trigger) == (trigger != "merge")
    assert not may_fire(OWNER, OTHER_OWNER.id, trigger)
    assert not may_fire(OWNER, None, trigger)


def test_editing_and_assigning() -> None:
    assert may_edit_idea(OWNER, OWNER.id)
    assert not may_edit_idea(OWNER, OTHER_OWNER.id)
    assert not may_edit_idea(OWNER, None)
    assert not may_edit_idea(VIEWER, VIEWER.id)
    assert may_edit_idea(MANAGER, None)
    assert may_assign_owner(MANAGER) and may_assign_owner(ADMIN)
    assert not may_assign_owner(OWNER) and not may_assign_owner(VIEWER)


def test_only_managers_and_admins_see_and_add_meeting_participants() -> None:
    for actor in (MANAGER, ADMIN):
        assert may_see_participants(actor) and may_add_participant(actor)
    for actor in (OWNER, VIEWER):
        assert not may_see_participants(actor) and not may_add_participant(actor)
