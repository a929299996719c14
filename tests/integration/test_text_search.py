"""The idea list's text search finds exactly the ideas whose text holds the words, from the
trigram index on both databases, and SQLite's index follows every write to ``ideas``.

Texts and queries are generated from an alphabet with Danish letters, capitals, spaces and the
characters LIKE and FTS5 treat specially (``%``, ``_``, ``\\``, ``"``); half the queries are
cut from a stored text, so most find something. The reference is Python's ``in`` on the
case-folded text.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select, text, update

from tests.conftest import Database, empty
from workflow.models import Idea
from workflow.repositories import ideas as idea_repository
from workflow.repositories import search
from workflow.repositories.ideas import IdeaFilter, IdeaRepository
from workflow.text import casefold_key, search_text
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
ALPHABET = "abcæøåÆØÅ ABC%_\\\"'"
texts = st.text(alphabet=ALPHABET, min_size=0, max_size=12)


def _found(unit: UnitOfWork, query: str) -> set[int]:
    where = IdeaFilter(text=query)
    listed = IdeaRepository(unit.session)._filtered(select(Idea.id), where)
    return set(unit.session.scalars(listed))


def _holding(stored: dict[int, str], query: str) -> set[int]:
    key = casefold_key(query)
    return {idea_id for idea_id, folded in stored.items() if key in folded}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    titles=st.lists(st.tuples(texts, texts), min_size=1, max_size=8),
    cut=st.tuples(st.integers(0, 7), st.integers(0, 11), st.integers(1, 6)),
    other=texts,
    sparse=st.sampled_from([1, 3, 1000]),
)
def test_the_search_finds_what_the_text_holds(
    uow: UowFactory,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    titles: list[tuple[str, str]],
    cut: tuple[int, int, int],
    other: str,
    sparse: int,
) -> None:
    """Listed and counted alike whether SQLite's index calls the text rare or common."""
    monkeypatch.setattr(search, "SPARSE", sparse)
    monkeypatch.setattr(idea_repository, "COUNTED_AT_MOST", sparse)
    empty(database)
    stored: dict[int, str] = {}
    with uow() as unit:
        for title, description in titles:
            folded = search_text(title or "x", description)
            idea_id = unit.session.scalar(
                insert(Idea)
                .values(title=title or "x", description=description, search_text=folded, version=1)
                .returning(Idea.id)
            )
            assert idea_id is not None
            stored[idea_id] = folded
        unit.commit()
    which, start, length = cut
    from_stored = list(stored.values())[which % len(stored)][start : start + length]
    with uow() as unit:
        for query in (from_stored, other, other.upper()):
            if casefold_key(query):  # an empty search is no filter
                expected = _holding(stored, query)
                assert _found(unit, query) == expected, query
                total = IdeaRepository(unit.session).total(IdeaFilter(text=query))
                assert (total.number, total.more) == (
                    min(len(expected), sparse),
                    len(expected) > sparse,
                ), query


def test_the_index_follows_inserts_edits_and_deletes(uow: UowFactory, database: Database) -> None:
    empty(database)
    with uow() as unit:
        first, second = (
            unit.session.scalar(
                insert(Idea)
                .values(title=title, search_text=search_text(title), version=1)
                .returning(Idea.id)
            )
            for title in ("Grøn skolegård", "Grøn cykelsti")
        )
        unit.commit()
    with uow() as unit:
        assert _found(unit, "GRØN") == {first, second}
        unit.session.execute(
            update(Idea).where(Idea.id == first).values(search_text=search_text("Blå skolegård"))
        )
        unit.session.execute(delete(Idea).where(Idea.id == second))
        unit.commit()
    with uow() as unit:
        assert _found(unit, "grøn") == set()
        assert _found(unit, "blå skole") == {first}
        assert _found(unit, "bl") == {first}  # shorter than a trigram: read from every idea
        if unit.session.get_bind().dialect.name == "sqlite":
            # FTS5 compares its index with the ideas' texts and raises on any difference.
            unit.session.execute(
                text("INSERT INTO ideas_search (ideas_search) VALUES ('integrity-check')")
            )
