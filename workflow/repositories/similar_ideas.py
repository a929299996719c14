"""Stored ideas resembling new texts, found through the ``idea_terms`` index in bounded work.

Each new text is looked up by its terms (``print_terms``: word stems, their first letters,
neighbouring stems): of each term, the ideas indexed under it (at most the ``RECENT`` newest,
read from the index newest first), rarest terms first and ``VISITS`` entries in all, as
``SimilarityIndex`` does in memory. The ``CANDIDATES`` ideas sharing the most are read and
compared exactly with ``similarity()``. The work per new text is bounded by these constants,
whatever the number of stored ideas.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import TypeVar

from sqlalchemy import TextClause, select, text
from sqlalchemy.orm import Session

from workflow.driver_statements import compiled_for
from workflow.importer.similarity import (
    CANDIDATES,
    RECENT,
    VISITS,
    Fingerprint,
    fingerprint,
    most_shared,
    similarity,
)
from workflow.models import Idea
from workflow.models.idea_terms import print_terms, similarity_text
from workflow.states import State

_T = TypeVar("_T")
TERMS_PER_STATEMENT = 200  # on SQLite, which allows 500 SELECTs in one compound statement
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
    if session.get_bind().dialect.name == "postgresql":
        # The estimate (hundreds of index scans) passes jit_above_cost; compiling the plan would
        # take longer than running it. For this transaction only.
        session.execute(text("SET LOCAL jit = off"))
        rows = session.execute(_NEWEST_LATERAL, {"terms": sorted(terms), "newest": RECENT + 1})
        for term, idea_id in rows.all():
            newest[term].append(idea_id)
        return {term: sorted(ids) for term, ids in newest.items()}
    connection = session.connection()
    for batch in _batched(sorted(terms), TERMS_PER_STATEMENT):
        values: dict[str, object] = {f"t{at}": term for at, term in enumerate(batch)}
        values["newest"] = RECENT + 1
        # Tens of thousands of (term, id) pairs: read on the driver's cursor, as plain tuples.
        statement = compiled_for(_newest_of(len(batch)), connection.dialect, frozenset())
        for term, idea_id in statement.run(connection, values).fetchall():
            newest[term].append(idea_id)
    return {term: sorted(ids) for term, ids in newest.items()}


# PostgreSQL plans one statement per term list instead of a subquery per term.
_NEWEST_LATERAL = text(
    "SELECT t.term, p.idea_id FROM unnest(CAST(:terms AS varchar[])) AS t(term)"
    " CROSS JOIN LATERAL (SELECT idea_id FROM idea_terms WHERE term = t.term"
    " ORDER BY idea_id DESC LIMIT :newest) AS p"
)


@lru_cache(maxsize=TERMS_PER_STATEMENT)
def _newest_of(terms: int) -> TextClause:
    # Plain SQL: building hundreds of subqueries as expressions costs more than running them.
    part = (
        "SELECT term, idea_id FROM (SELECT term, idea_id FROM idea_terms WHERE term = :t{0}"
        " ORDER BY idea_id DESC LIMIT :newest) AS p{0}"
    )
    return text(" UNION ALL ".join(part.format(number) for number in range(terms)))


def _fingerprints(session: Session, ids: Iterable[int]) -> dict[int, Fingerprint]:
    prints = {}
    of_text: dict[str, Fingerprint] = {}  # ideas repeat each other: that is why they are found
    for batch in _batched(sorted(ids), IDS_PER_STATEMENT):
        query = select(Idea.id, Idea.title, Idea.description).where(
            Idea.id.in_(batch), Idea.state != State.MERGED
        )
        for idea_id, title, description in session.execute(query):
            text_ = similarity_text(title, description)
            if text_ not in of_text:
                of_text[text_] = fingerprint(text_)
            prints[idea_id] = of_text[text_]
    return prints
