"""The totals' copy a process keeps (``kept``): used while their generation holds, read again as
soon as a fold or a recount gives them a new one; the pending changes are always read."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import insert, update

from workflow.models import STATE_KEY, Idea, IdeaCount
from workflow.repositories.idea_counts import kept_counts
from workflow.services import idea_counts
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
PROPOSED = f"{STATE_KEY}proposed"


def _add_idea(uow: UowFactory) -> None:
    with uow() as unit:
        unit.session.execute(insert(Idea).values(title="Idé", state="proposed", version=1))
        unit.commit()


def _read(uow: UowFactory) -> int:
    with uow() as unit:
        return kept_counts(unit.session, STATE_KEY).get(PROPOSED, 0)


def test_the_copy_holds_while_the_generation_does(uow: UowFactory) -> None:
    _add_idea(uow)
    _add_idea(uow)
    with uow() as unit:
        idea_counts.fold_counts(unit)
    assert _read(uow) == 2
    with uow() as unit:  # a write to the totals that does not change their generation ...
        unit.session.execute(update(IdeaCount).where(IdeaCount.key == PROPOSED).values(total=40))
        unit.commit()
    assert _read(uow) == 2  # ... is not seen: the copy is used
    _add_idea(uow)
    assert _read(uow) == 3  # the pending changes are read every time
    with uow() as unit:
        idea_counts.new_generation(unit)
        unit.commit()
    assert _read(uow) == 41  # a new generation: the totals are read again


def test_a_fold_gives_a_new_generation_only_when_it_moved_changes(uow: UowFactory) -> None:
    _add_idea(uow)
    with uow() as unit:
        idea_counts.fold_counts(unit)
    assert _read(uow) == 1
    with uow() as unit:
        unit.session.execute(update(IdeaCount).where(IdeaCount.key == PROPOSED).values(total=7))
        unit.commit()
    with uow() as unit:
        idea_counts.fold_counts(unit)  # nothing pending: the same generation
    assert _read(uow) == 1
    _add_idea(uow)
    with uow() as unit:
        idea_counts.fold_counts(unit)  # one change folded: a new generation
    assert _read(uow) == 8
