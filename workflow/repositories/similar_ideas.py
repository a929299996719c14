"""Stored ideas resembling new texts, found through the ``idea_terms`` index in bounded work.

Each new text is looked up by its word stems and pairs of neighbouring stems: of each stem, the ideas indexed under it (at most
the ``RECENT`` newest, read from the index newest first), rarest stems first and ``VISITS``
entries in all, as ``SimilarityIndex`` does in memory. The ``CANDIDATES`` ideas sharing the most
are read and compared exactly with ``similarity()``. The work per new text is bounded by these
constants, whatever the number of stored ideas.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

from typing import TypeVar

from sqlalchemy import select, union_all
from sqlalchemy.orm import Session

from workflow.importer.similarity import (
    CANDIDATES,
    RECENT,
    VISITS,
    Fingerprint,
    fingerprint,
    most_shared,
    similarity,
)
from workflow.models import Idea, idea_terms
from workflow.models.idea_terms import print_terms, similarity_text
from workflow.states import State

_T = TypeVar("_T")
TERMS_PER_STATEMENT = 200  # SQLite allows 500 SELECTs in one compound statement
IDS_PER_STATEMENT = 1_000


def similar_stored(
    session: Session, prints: Sequence[Fingerprint], threshold: float
) -> list[list[tuple[int, float]]]:
    """Per fingerprint, (idea id, score) of the stored ideas among its candidates scoring at
    least ``threshold``; merged ideas are never among them."""
    wanted = [print_terms(print_) for print_ in prints]
    postings = _postings(session, {term for terms in wanted for term in terms})
    candidates = [
        most_shared(
            (postings[term] for term in terms if term in postings),
            visits=VISITS,
            recent=RECENT,
            most=CANDIDATES,
        )
        for terms in wanted
    ]
    stored = _fingerprints(session, {key for keys in candidates for key in keys})
    found = []
    for print_, keys in zip(prints, candidates, strict=True):
        scored = ((key, similarity(print_, stored[key])) for key in keys if key in stored)
        found.append([(key, score) for key, score in scored if score >= threshold])
    return found


def _batched(items: Iterable[_T], size: int) -> Iterator[list[_T]]:
    batch: list[_T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _postings(session: Session, terms: Iterable[str]) -> dict[str, list[int]]:
    # Of each term, the RECENT + 1 newest ideas (one more tells a list longer than RECENT),
    # oldest first as SimilarityIndex keeps them; one statement per batch of terms.
    newest: defaultdict[str, list[int]] = defaultdict(list)
    for batch in _batched(sorted(terms), TERMS_PER_STATEMENT):
        parts = [
            select(idea_terms.c.term, idea_terms.c.idea_id)
            .where(idea_terms.c.term == term)
            .order_by(idea_terms.c.idea_id.desc())
            .limit(RECENT + 1)
            .subquery()
            for term in batch
        ]
        statement = union_all(*(select(part.c.term, part.c.idea_id) for part in parts))
        for term, idea_id in session.execute(statement):
            newest[term].append(idea_id)
    return {term: sorted(ids) for term, ids in newest.items()}


def _fingerprints(session: Session, ids: Iterable[int]) -> dict[int, Fingerprint]:
    prints = {}
    for batch in _batched(sorted(ids), IDS_PER_STATEMENT):
        query = select(Idea.id, Idea.title, Idea.description).where(
            Idea.id.in_(batch), Idea.state != State.MERGED
        )
        for idea_id, title, description in session.execute(query):
            prints[idea_id] = fingerprint(similarity_text(title, description))
    return prints
