"""Stored ideas resembling new texts, found through the ``idea_terms`` index in bounded work.

Each new text is looked up by its terms (``print_terms``: word stems, their first letters,
neighbouring stems): of each term, the ideas indexed under it (at most the ``RECENT`` newest,
read from the index newest first), rarest terms first and ``VISITS`` entries in all, as
``SimilarityIndex`` does in memory. The terms' ideas are counted first, in the index (up to
``RECENT + 1``), so that only the terms a text visits are read, and of each only as many of its
newest ideas as are taken. The ``CANDIDATES`` ideas sharing the most are read and compared
exactly with ``similarity()``. The work per new text is bounded by these constants, whatever
the number of stored ideas.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from itertools import chain
from operator import itemgetter
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
    lengths = _lengths(session, {term for terms in wanted for term in terms})
    plans = [visits_of(terms, lengths) for terms in wanted]
    needed: dict[str, int] = {}
    for plan in plans:
        for term, taken in plan:
            needed[term] = max(needed.get(term, 0), taken)
    postings = _newest(session, needed)
    candidates = [most_shared_of(plan, postings) for plan in plans]
    stored = _fingerprints(session, {key for keys in candidates for key in keys})
    found = []
    for print_, keys in zip(prints, candidates, strict=True):
        scored = ((key, similarity(print_, stored[key])) for key in keys if key in stored)
        found.append([(key, score) for key, score in scored if score >= threshold])
    return found


def visits_of(terms: Sequence[str], lengths: dict[str, int]) -> list[tuple[str, int]]:
    """The terms ``most_shared`` visits for a text and how many of each term's newest ideas:
    shortest lists first (``lengths``: ideas under each term, counted up to ``RECENT + 1``),
    of each at most the ``RECENT`` newest, ``VISITS`` in all."""
    plan = []
    left = VISITS
    for term in sorted((term for term in terms if lengths.get(term)), key=lengths.__getitem__):
        taken = min(lengths[term], RECENT, left)
        plan.append((term, taken))
        left -= taken
        if left <= 0:
            break
    return plan


def most_shared_of(plan: list[tuple[str, int]], postings: dict[str, list[int]]) -> list[int]:
    """``most_shared`` over the planned visits: the ``CANDIDATES`` ideas met most often."""
    taken = (postings[term][len(postings[term]) - count :] for term, count in plan)
    shared = Counter(chain.from_iterable(taken))
    return [key for key, _ in heapq.nlargest(CANDIDATES, shared.items(), key=itemgetter(1))]


def _batched(items: Iterable[_T], size: int) -> Iterator[list[_T]]:
    batch: list[_T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _lengths(session: Session, terms: Iterable[str]) -> dict[str, int]:
    """How many ideas each term indexes, counted up to ``RECENT + 1`` in the index (no rows come
    into Python): the visits are planned before any idea is read."""
    found: dict[str, int] = {}
    if session.get_bind().dialect.name == "postgresql":
        _no_jit(session)
        rows = session.execute(_COUNTS_LATERAL, {"terms": sorted(terms), "newest": RECENT + 1})
        return {term: n for term, n in rows.all() if n}
    connection = session.connection()
    for batch in _batched(sorted(terms), TERMS_PER_STATEMENT):
        values: dict[str, object] = {f"t{at}": term for at, term in enumerate(batch)}
        values["newest"] = RECENT + 1
        statement = compiled_for(_counts_of(len(batch)), connection.dialect, frozenset())
        for term, n in statement.run(connection, values).fetchall():
            if n:
                found[term] = n
    return found


def _newest(session: Session, needed: dict[str, int]) -> dict[str, list[int]]:
    """Of each term, its ``needed[term]`` newest ideas, oldest first (as ``most_shared`` takes
    them); one statement per batch of terms."""
    newest: defaultdict[str, list[int]] = defaultdict(list)
    if session.get_bind().dialect.name == "postgresql":
        _no_jit(session)
        terms = sorted(needed)
        limits = [needed[term] for term in terms]
        for term, idea_id in session.execute(
            _NEWEST_LATERAL, {"terms": terms, "limits": limits}
        ).all():
            newest[term].append(idea_id)
        return {term: sorted(ids) for term, ids in newest.items()}
    connection = session.connection()
    for batch in _batched(sorted(needed), TERMS_PER_STATEMENT):
        values: dict[str, object] = {f"t{at}": term for at, term in enumerate(batch)}
        values.update({f"n{at}": needed[term] for at, term in enumerate(batch)})
        # Thousands of (term, id) pairs: read on the driver's cursor, as plain tuples.
        statement = compiled_for(_newest_of(len(batch)), connection.dialect, frozenset())
        for term, idea_id in statement.run(connection, values).fetchall():
            newest[term].append(idea_id)
    return {term: sorted(ids) for term, ids in newest.items()}


def _no_jit(session: Session) -> None:
    # The estimate (hundreds of index scans) passes jit_above_cost; compiling the plan would
    # take longer than running it. For this transaction only.
    session.execute(text("SET LOCAL jit = off"))


# PostgreSQL plans one statement per term list instead of a subquery per term.
_COUNTS_LATERAL = text(
    "SELECT t.term, (SELECT count(*) FROM (SELECT 1 FROM idea_terms WHERE term = t.term"
    " LIMIT :newest) AS p) FROM unnest(CAST(:terms AS varchar[])) AS t(term)"
)
_NEWEST_LATERAL = text(
    "SELECT t.term, p.idea_id FROM unnest(CAST(:terms AS varchar[]), CAST(:limits AS integer[]))"
    " AS t(term, n) CROSS JOIN LATERAL (SELECT idea_id FROM idea_terms WHERE term = t.term"
    " ORDER BY idea_id DESC LIMIT t.n) AS p"
)


@lru_cache(maxsize=TERMS_PER_STATEMENT)
def _counts_of(terms: int) -> TextClause:
    # Plain SQL: building hundreds of subqueries as expressions costs more than running them.
    part = (
        "SELECT :t{0} AS term, (SELECT count(*) FROM (SELECT 1 FROM idea_terms"
        " WHERE term = :t{0} LIMIT :newest)) AS n"
    )
    return text(" UNION ALL ".join(part.format(number) for number in range(terms)))


@lru_cache(maxsize=TERMS_PER_STATEMENT)
def _newest_of(terms: int) -> TextClause:
    part = (
        "SELECT term, idea_id FROM (SELECT term, idea_id FROM idea_terms WHERE term = :t{0}"
        " ORDER BY idea_id DESC LIMIT :n{0}) AS p{0}"
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
