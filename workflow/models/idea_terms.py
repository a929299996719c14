"""The similarity index kept in the database: the word stems (and pairs) of every stored idea.

An import looks its new ideas up by their rarest stems here instead of reading every stored idea
(``workflow.repositories.similar_ideas``). The rows are written in the same flush as the idea:
when it is created, when its title or description changes, and removed when it is merged (a
merged idea is never offered as similar). Bulk writers that bypass the ORM (``bench.seed``, the
migration's backfill) write them with ``term_rows``.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    ForeignKey,
    Index,
    String,
    Table,
    delete,
    event,
    insert,
    inspect,
)
from sqlalchemy.orm import Session, UOWTransaction

from workflow.importer.similarity import Fingerprint, fingerprint
from workflow.models.base import Base
from workflow.models.ideas import Idea
from workflow.states import State

PREFIX = 5
TERM_MAX = 64  # longer stems (compounds of compounds) are cut; equal cuts still meet
TEXT = ("title", "description")

idea_terms = Table(
    "idea_terms",
    Base.metadata,
    Column("idea_id", ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True),
    Column("term", String(TERM_MAX), primary_key=True),
    # A term's ideas, newest first: a lookup reads at most a few hundred entries of each.
    Index("ix_idea_terms_term_idea", "term", "idea_id"),
)


def similarity_text(title: str, description: str | None) -> str:
    """The text of a stored idea that similarity compares."""
    return f"{title}. {description or ''}"


def terms_of(text: str) -> list[str]:
    """The index terms of ``text``: its word stems, their first letters, neighbouring stems."""
    return print_terms(fingerprint(text))


def print_terms(print_: Fingerprint) -> list[str]:
    """The index terms of a fingerprint, each cut to ``TERM_MAX`` characters."""
    # A stem is kept by its letters in order of the alphabet, so a typo that swaps two letters
    # gives the same term; its first letters are a term of their own, so another inflection
    # ("renover", "renoverer") still meets.
    keys = {stem: "".join(sorted(stem)) for stem in print_.stems}
    terms = set(keys.values())
    terms.update(" ".join(map(keys.__getitem__, pair.split())) for pair in print_.pairs)
    terms.update(stem[:PREFIX] + ">" for stem in print_.stems if len(stem) >= PREFIX)
    return sorted({term[:TERM_MAX] for term in terms})


def term_rows(idea_id: int, title: str, description: str | None) -> list[dict[str, Any]]:
    """The ``idea_terms`` rows of one idea."""
    return [
        {"idea_id": idea_id, "term": term} for term in terms_of(similarity_text(title, description))
    ]


@event.listens_for(Session, "after_flush")
def _keep_terms(session: Session, _context: UOWTransaction) -> None:
    # After the flush, so new ideas have their ids; one statement for all of a flush's ideas.
    changed = [idea for idea in session.dirty if isinstance(idea, Idea) and _reindex(idea)]
    if changed:
        ids = [idea.id for idea in changed]
        session.execute(delete(idea_terms).where(idea_terms.c.idea_id.in_(ids)))
    rows = [
        row
        for idea in chain((idea for idea in session.new if isinstance(idea, Idea)), changed)
        if idea.state != State.MERGED
        for row in term_rows(idea.id, idea.title, idea.description)
    ]
    if rows:
        session.execute(insert(idea_terms), rows)


def reindex_merge(connection: Connection, idea: Idea, was_merged: bool) -> None:
    """Drop a newly merged idea's terms, or restore them when it leaves ``merged``: for writes
    that bypass the flush (a transition's compare-and-set UPDATE)."""
    if was_merged == (idea.state == State.MERGED):
        return
    connection.execute(delete(idea_terms).where(idea_terms.c.idea_id == idea.id))
    if idea.state != State.MERGED:
        connection.execute(insert(idea_terms), term_rows(idea.id, idea.title, idea.description))


def _reindex(idea: Idea) -> bool:
    """Whether the idea's text changed, or it was merged (or un-merged): not any transition."""
    attributes = inspect(idea).attrs
    if any(attributes[name].history.has_changes() for name in TEXT):
        return True
    state = attributes.state.history
    return state.has_changes() and (State.MERGED in state.deleted) != (idea.state == State.MERGED)
