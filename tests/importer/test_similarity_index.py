"""Finding similar ideas among many: bounded work per text, the same answers where promised."""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.importer.idea_texts import idea_corpus
from workflow.importer.similarity import (
    BEST_PER_IDEA,
    CANDIDATES,
    SIMILAR_AT,
    Fingerprint,
    SimilarityIndex,
    fingerprint,
    fold,
    similar_pairs,
    similarity,
)

# Few words, often inflected, so that generated texts resemble each other often.
WORDS = (
    "cykelsti cykelstien cykelstier skole skolen skolevej skoleveje bus bussen busser borger "
    "borgerne borgerforening kommune kommunen park parken bænk bænke lys lyset trafik trafikken "
    "sikker sikre tryg trygge grøn grønne ny nye fælles Randers Langå Århus Ål og i at på til med "
    "for etabler etablere lav lave flere bedre mere"
).split()
TEXTS = st.lists(st.sampled_from(WORDS), min_size=0, max_size=6).map(" ".join)


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )


def best_of(
    found: list[tuple[int, float]], per_text: int = BEST_PER_IDEA
) -> list[tuple[int, float]]:
    return sorted(found, key=lambda pair: (-pair[1], pair[0]))[:per_text]


def brute_force(
    prints: list[tuple[int, Fingerprint]], mine: Fingerprint, per_text: int = BEST_PER_IDEA
) -> list[tuple[int, float]]:
    """What comparing with every earlier text finds: the best ``per_text`` at the threshold."""
    scored = [(key, similarity(mine, other)) for key, other in prints]
    return best_of([(key, score) for key, score in scored if score >= SIMILAR_AT], per_text)


def shares_a_feature(a: Fingerprint, b: Fingerprint) -> bool:
    return bool(a.stems & b.stems or a.trigrams & b.trigrams)


def all_compared(index: SimilarityIndex, earlier: list[Fingerprint], mine: Fingerprint) -> bool:
    """The condition under which the index promises the brute-force answer."""
    if sum(shares_a_feature(mine, other) for other in earlier) > index.candidates:
        return False
    sizes = [sum(stem in other.stems for other in earlier) for stem in mine.stems]
    sizes += [sum(trigram in other.trigrams for other in earlier) for trigram in mine.trigrams]
    return max(sizes, default=0) <= index.recent and sum(sizes) <= index.visits


# --- fingerprints ----------------------------------------------------------------------------


@fuzz(150)
@given(st.text(max_size=40))
def test_fold_drops_every_combining_mark_but_the_ring_of_aa(text: str) -> None:
    decomposed = unicodedata.normalize("NFD", text.casefold())
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) or c == "\u030a")
    assert fold(text) == unicodedata.normalize("NFC", kept)


# --- what the index promises -----------------------------------------------------------------


@fuzz(150)
@given(st.lists(TEXTS, max_size=5), st.lists(TEXTS, min_size=1, max_size=5))
def test_small_corpora_give_the_answer_of_comparing_every_pair(
    stored: list[str], new: list[str]
) -> None:
    # At most 9 earlier texts of at most 6 words: no cap of the index binds.
    existing = list(enumerate(stored, start=100))
    matches = similar_pairs(new, existing)
    prints = [(key, fingerprint(text)) for key, text in existing]
    expected = []
    for position, text in enumerate(new):
        mine = fingerprint(text)
        assert all_compared(SimilarityIndex(), [other for _, other in prints], mine)
        expected += [(position, key, round(score, 3)) for key, score in brute_force(prints, mine)]
        prints.append((-(position + 1), mine))
    assert [(m.new_index, m.other_key, m.score) for m in matches] == expected


@fuzz(60)
@given(st.lists(TEXTS, min_size=2, max_size=60), st.data())
def test_with_tight_caps_every_candidate_at_the_threshold_is_found(
    texts: list[str], data: st.DataObject
) -> None:
    index = SimilarityIndex(
        candidates=data.draw(st.integers(1, 8)),
        visits=data.draw(st.integers(1, 80)),
        recent=data.draw(st.integers(1, 10)),
        per_text=data.draw(st.integers(1, 4)),
    )
    earlier: list[tuple[int, Fingerprint]] = []
    for key, text in enumerate(texts):
        mine = fingerprint(text)
        candidates = index.candidates_of(mine)
        before = index.compared
        found = index.similar(mine)
        assert len(candidates) == len(set(candidates)) <= index.candidates
        assert index.compared - before <= index.candidates
        assert len(found) <= index.per_text
        # Every candidate at the threshold is found, with similarity()'s own score ...
        scored = [(other, similarity(mine, dict(earlier)[other])) for other in candidates]
        assert found == best_of([p for p in scored if p[1] >= SIMILAR_AT], index.per_text)
        # ... and when every text sharing a feature was looked at, nothing else is missing.
        if all_compared(index, [other for _, other in earlier], mine):
            assert found == brute_force(earlier, mine, index.per_text)
        index.add(key, mine)
        earlier.append((key, mine))


def test_the_caps_on_reported_pairs_hold() -> None:
    texts = [f"Flere bænke i parken ved søen nummer {n % 3}" for n in range(40)]
    matches = similar_pairs(texts, [(7, "Flere bænke i parken ved søen")])
    per_idea = [sum(m.new_index == position for m in matches) for position in range(40)]
    assert per_idea == [1, 2, 3, 4] + [BEST_PER_IDEA] * 36
    capped = similar_pairs(texts, [(7, "Flere bænke i parken ved søen")], most=30)
    assert len(capped) == 30
    assert {(m.new_index, m.other_key, m.score) for m in capped} <= {
        (m.new_index, m.other_key, m.score) for m in matches
    }
    cut = min(m.score for m in capped)
    assert all(m.score <= cut for m in matches if m not in capped)
    order = [(m.new_index, -m.score) for m in capped]
    assert order == sorted(order)  # document order, the best first per idea


# --- bounded work ----------------------------------------------------------------------------


def test_texts_of_common_words_do_not_make_every_text_a_candidate() -> None:
    # Every text shares these words; comparing all pairs would take 2 million comparisons.
    common = "Kommunen skal styrke borgerne og fællesskabet i lokalsamfundet"
    texts, _ = idea_corpus(2_000, seed=5)
    mixed = [f"{common}. {text}" for text in texts]
    index = SimilarityIndex()
    matches = similar_pairs([*mixed, common], [], index=index)
    assert index.compared <= CANDIDATES * len(mixed)
    assert len(index.candidates_of(fingerprint(common))) <= CANDIDATES
    assert len(matches) <= BEST_PER_IDEA * (len(mixed) + 1)
    for match in matches[:: max(len(matches) // 100, 1)]:
        new, other = [*mixed, common][match.new_index], mixed[-match.other_key - 1]
        assert match.score == round(similarity(fingerprint(new), fingerprint(other)), 3)


def test_near_duplicates_among_thousands_are_found() -> None:
    texts, rewrites = idea_corpus(3_000, seed=11)
    prints = [fingerprint(text) for text in texts]
    index = SimilarityIndex()
    found = {(m.new_index, m.other_key) for m in similar_pairs(texts, [], index=index, most=10**6)}
    close = [
        (new, old) for new, old in rewrites.items() if similarity(prints[new], prints[old]) >= 0.8
    ]
    missed = [(new, old) for new, old in close if (new, -(old + 1)) not in found]
    assert len(close) > 100
    # Only short texts of the most common words may lose an old near-duplicate.
    assert len(missed) <= len(close) // 50, [(texts[new], texts[old]) for new, old in missed]
    assert index.compared <= CANDIDATES * len(texts)


def test_distinctive_ideas_are_found_again_among_thousands_stored() -> None:
    pairs = [
        (
            "Fartvisningstavler ved indkørslen til Langå",
            "Fartvisningstavle ved indkørsel til Langå",
        ),
        ("Opskaler projekt RUN hos Ungdomsskolen", "Opskalér projektet RUN i ungdomsskolen"),
        ("Sikker skolevej langs Randersvej", "Etabler en sikker skolevej langs Randersvej nu"),
        ("Café i Kulturhuset om lørdagen", "CAFE I KULTURHUSET OM LØRDAGEN"),
    ]
    filler, _ = idea_corpus(5_000, seed=3)
    stored = [(1_000 + n, text) for n, (text, _) in enumerate(pairs)]
    stored += [(2_000 + n, text) for n, text in enumerate(filler)]
    matches = similar_pairs([again for _, again in pairs], stored)
    found = {(m.new_index, m.other_key) for m in matches}
    assert {(n, 1_000 + n) for n in range(len(pairs))} <= found
