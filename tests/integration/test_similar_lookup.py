"""The database's similarity index finds what comparing with every stored idea finds.

Generated Danish idea texts (``tests.importer.idea_texts``), one stored idea in ten a
near-duplicate of a new one: a typo, another inflection, a word more or less, another case.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from sqlalchemy import insert, select

from tests.importer.idea_texts import idea_corpus, near_duplicate
from workflow.importer.similarity import (
    RECENT,
    SIMILAR_AT,
    fingerprint,
    most_shared,
    similar_pairs,
)
from workflow.models import Idea, idea_terms
from workflow.models.idea_terms import print_terms, term_rows
from workflow.repositories import similar_ideas
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
STORED = 3_000
NEW = 300


def store(uow: UowFactory, texts: list[str]) -> None:
    """``texts`` as proposed ideas with their index terms, written in bulk as the seed does."""
    ideas = [
        {"id": number, "title": text[:60], "description": text, "version": 1}
        for number, text in enumerate(texts, 1)
    ]
    with uow() as unit:
        unit.session.execute(insert(Idea), ideas)
        terms = [row for i in ideas for row in term_rows(i["id"], i["title"], i["description"])]
        unit.session.execute(insert(idea_terms), terms)
        unit.commit()


def test_every_pair_the_full_scan_finds_is_found_through_the_index(uow: UowFactory) -> None:
    stored, _ = idea_corpus(STORED, seed=5)
    new, _ = idea_corpus(NEW, seed=6)
    rng = random.Random(7)
    for at in range(0, STORED, 10):  # one stored idea in ten resembles a new one
        stored[at] = near_duplicate(rng, new[rng.randrange(NEW)])
    store(uow, stored)
    with uow() as unit:
        full_scan = similar_pairs(new, unit.ideas.texts_for_similarity(), most=10**6)
        indexed = similar_pairs(new, stored=unit.ideas.similar_stored, most=10**6)
    wanted = [m for m in full_scan if m.other_key > 0 and m.score >= SIMILAR_AT]
    found = {(m.new_index, m.other_key): m.score for m in indexed}
    assert len(wanted) >= STORED // 20
    assert all(score >= SIMILAR_AT for score in found.values())
    # Each of the (at most 5) pairs the full scan reports is reported again, unless 5 pairs
    # at least as close are reported for that new idea instead.
    missed = [
        m
        for m in wanted
        if (m.new_index, m.other_key) not in found
        and sum(score >= m.score for (new, _), score in found.items() if new == m.new_index) < 5
    ]
    assert missed == []


def test_the_planned_visits_meet_the_candidates_of_reading_every_newest_list(
    uow: UowFactory,
) -> None:
    """Counting each term's ideas first and reading only the visited ones gives the candidates
    ``most_shared`` gives over each term's ``RECENT + 1`` newest ideas."""
    stored, _ = idea_corpus(1_500, seed=8)
    new, _ = idea_corpus(40, seed=9)
    store(uow, stored)
    prints = [fingerprint(text) for text in new]
    with uow() as unit:
        session = unit.session
        wanted = [print_terms(print_) for print_ in prints]
        every = sorted({term for terms in wanted for term in terms})
        newest = {
            term: sorted(
                session.scalars(
                    select(idea_terms.c.idea_id)
                    .where(idea_terms.c.term == term)
                    .order_by(idea_terms.c.idea_id.desc())
                    .limit(RECENT + 1)
                )
            )
            for term in every
        }
        lengths = similar_ideas._lengths(session, every)
        plans = [similar_ideas.visits_of(terms, lengths) for terms in wanted]
        needed: dict[str, int] = {}
        for plan in plans:
            for term, taken in plan:
                needed[term] = max(needed.get(term, 0), taken)
        postings = similar_ideas._newest(session, needed)
    assert max(len(ids) for ids in newest.values()) == RECENT + 1  # the cap is reached
    assert sum(needed.values()) < sum(len(ids) for ids in newest.values())  # less is read
    for terms, plan in zip(wanted, plans, strict=True):
        lists = (newest[term] for term in terms if newest[term])
        assert similar_ideas.most_shared_of(plan, postings) == most_shared(lists)
