"""The similarity index in ``idea_terms`` follows every idea's text, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from workflow.importer.similarity import SIMILAR_AT, fingerprint
from workflow.models import idea_terms
from workflow.models.idea_terms import similarity_text, terms_of
from workflow.permissions import Actor
from workflow.services import ideas, imports, transitions
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "interessentmoede-2025-06-12.txt"


def stored_terms(uow: UowFactory, idea_id: int) -> list[str]:
    """The index terms kept for one idea."""
    with uow() as unit:
        query = select(idea_terms.c.term).where(idea_terms.c.idea_id == idea_id)
        return sorted(unit.session.scalars(query))


def create(uow: UowFactory, actor: Actor, title: str, description: str = "") -> int:
    """A new idea's id."""
    with uow() as unit:
        detail = ideas.create_idea(unit, actor, {"title": title, "description": description})
    return detail.id


def resembling(uow: UowFactory, text: str) -> list[int]:
    """The stored ideas the index offers as similar to ``text``."""
    with uow() as unit:
        [found] = unit.ideas.similar_stored([fingerprint(text)], SIMILAR_AT)
    return [idea_id for idea_id, _ in found]


def test_a_new_idea_is_indexed_by_its_title_and_description(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    idea_id = create(uow, manager, "Cykelsti langs Gudenåen", "Fra Langå til Randers")
    expected = terms_of(similarity_text("Cykelsti langs Gudenåen", "Fra Langå til Randers"))
    assert stored_terms(uow, idea_id) == expected
    assert expected  # stems, their first letters and neighbouring pairs
    assert resembling(uow, "Cykelsti langs Gudenåen fra Langå til Randers") == [idea_id]


def test_an_edit_reindexes_the_idea_and_other_changes_leave_it(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    idea_id = create(uow, manager, "Flere bænke i parken ved søen")
    with uow() as unit:
        ideas.update_idea(unit, manager, idea_id, {"title": "Lys på stien til stationen"})
    assert stored_terms(uow, idea_id) == terms_of(similarity_text("Lys på stien til stationen", ""))
    assert resembling(uow, "Flere bænke i parken ved søen") == []
    assert resembling(uow, "Lys på stien til stationen") == [idea_id]
    before = stored_terms(uow, idea_id)
    with uow() as unit:
        ideas.update_idea(unit, manager, idea_id, {"follow_up_on": "2030-01-01"})
    assert stored_terms(uow, idea_id) == before


def test_a_merged_idea_leaves_the_index_and_a_rejected_one_stays(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    survivor = create(uow, manager, "Natbus fra Langå til Randers i weekenden")
    merged = create(uow, manager, "Natbus fra Langå til Randers i weekender")
    rejected = create(uow, manager, "Natbussen fra Langå til Randers om weekenden")
    with uow() as unit:
        transitions.fire_trigger(unit, manager, merged, "merge", data={"into": survivor})
    with uow() as unit:
        transitions.fire_trigger(unit, manager, rejected, "reject", reason="For dyr")
    assert stored_terms(uow, merged) == []
    assert stored_terms(uow, rejected) != []
    assert set(resembling(uow, "Natbus fra Langå til Randers i weekenden")) == {survivor, rejected}


def test_imported_ideas_are_indexed_in_the_import_and_found_by_the_next(
    uow: UowFactory,
) -> None:
    with uow() as unit:
        first = imports.import_minutes(unit, None, "minutes.txt", SAMPLE.read_bytes())
    for idea in first.ideas:
        assert idea.id is not None
        with uow() as unit:
            row = unit.ideas.get(idea.id)
            assert row is not None
            expected = terms_of(similarity_text(row.title, row.description))
        assert stored_terms(uow, idea.id) == expected
    follow_up = "Opfølgning\n\nIdéer\n• OPSKALÉR projektet RUN i Ungdomsskolen\n".encode()
    with uow() as unit:
        second = imports.import_minutes(unit, None, "opfoelgning.txt", follow_up)
    assert [pair.existing_id for pair in second.similar] == [
        idea.id for idea in first.ideas if idea.title == "Opskaler projekt RUN hos Ungdomsskolen"
    ]
