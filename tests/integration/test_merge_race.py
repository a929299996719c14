"""Opposite merges at the same moment (A into B while B goes into A): exactly one wins, the
other answers 409, and never are both merged into each other."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from workflow.errors import ReferencedIdeaMerged, VersionConflict, WorkflowError
from workflow.permissions import Actor
from workflow.services import ideas, transitions
from workflow.states import State
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
ROUNDS = 15


def race(calls: list[Callable[[], object]]) -> list[object]:
    """Run the calls in threads released together; each one's result or exception."""
    start = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(position: int) -> None:
        start.wait()
        try:
            outcomes[position] = calls[position]()
        except WorkflowError as error:
            outcomes[position] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def merge(uow: UowFactory, actor: Actor, idea_id: int, into: int) -> Callable[[], object]:
    def call() -> object:
        with uow() as unit:
            return transitions.fire_trigger(unit, actor, idea_id, "merge", data={"into": into})

    return call


def states(uow: UowFactory, *idea_ids: int) -> list[str]:
    with uow() as unit:
        return [ideas.load_idea(unit, idea_id).state for idea_id in idea_ids]


def test_opposite_merges_never_merge_both(uow: UowFactory, make_user: Callable[..., Actor]) -> None:
    manager = make_user("manager")
    for _ in range(ROUNDS):
        with uow() as unit:
            a = ideas.create_idea(unit, manager, {"title": "Natbus"}).id
        with uow() as unit:
            b = ideas.create_idea(unit, manager, {"title": "Natbus til Langå"}).id
        outcomes = race([merge(uow, manager, a, b), merge(uow, manager, b, a)])
        refused = [o for o in outcomes if isinstance(o, WorkflowError)]
        assert len(refused) == 1, outcomes
        assert isinstance(refused[0], ReferencedIdeaMerged | VersionConflict)
        assert sorted(states(uow, a, b)) == [State.MERGED, State.PROPOSED]


def test_a_chain_of_merges_at_once_keeps_one_survivor(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    with uow() as unit:
        a, b, c = (ideas.create_idea(unit, manager, {"title": t}).id for t in "ABC")
    race([merge(uow, manager, a, b), merge(uow, manager, b, c), merge(uow, manager, c, a)])
    assert State.PROPOSED in states(uow, a, b, c)


def test_a_merge_into_a_merged_idea_is_a_conflict_naming_where_it_went(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    with uow() as unit:
        a, b, c = (ideas.create_idea(unit, manager, {"title": t}).id for t in "ABC")
    merge(uow, manager, a, b)()
    with pytest.raises(ReferencedIdeaMerged) as refused:
        merge(uow, manager, c, a)()
    assert (refused.value.idea_id, refused.value.merged_into) == (a, b)
    assert states(uow, c) == [State.PROPOSED]
