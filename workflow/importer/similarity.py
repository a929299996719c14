"""Danish-aware similarity of idea texts, to point out ideas a manager may want to merge.

Texts are compared as sets of word stems (case-folded, accents other than æ, ø and å removed,
common Danish endings and stop words dropped) and as sets of character trigrams, which forgive
spelling and inflection the stemmer misses. The score is the best of the two Dice coefficients
and (slightly discounted) how much of the shorter text's stems the longer one contains.

Finding the similar ideas among thousands costs work in proportion to their number, not to its
square: ``SimilarityIndex`` looks a new text up by its rarest stems and trigrams and compares it
exactly with at most ``CANDIDATES`` earlier texts (``most_shared`` ranks them). Stored ideas are
looked up the same way in the database's index (``workflow.repositories.similar_ideas``), so an
import never reads every stored idea. ``similar_pairs`` reports at most ``BEST_PER_IDEA``
similar ideas per new idea and ``MOST_PAIRS`` in all.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, pairwise
from operator import itemgetter
from sys import intern

SIMILAR_AT = 0.6
CANDIDATES = 20  # earlier texts compared exactly with each new text
VISITS = 1_000  # index entries looked at per new text, rarest stems and trigrams first
RECENT = 200  # of a stem or trigram in more texts than this, only the most recent are looked at
BEST_PER_IDEA = 5  # similar ideas reported per new idea
MOST_PAIRS = 2_000  # similar pairs reported per import
CONTAINMENT_MIN_WORDS = 4
CONTAINMENT_WEIGHT = 0.9
STOP_WORDS = frozenset(
    (
        "og i at det en den til er som på de med han af for ikke der var mig sig men et har om "
        "vi min havde ham hun nu over da fra du ud sin dem os op man hans hvor eller hvad skal "
        "selv her alle vil blev kunne ind når være dog noget ville jo deres efter ned skulle "
        "denne end dette mit også under have dig anden hende mine alt meget sit sine vor mod "
        "disse hvis din nogle hos blive mange ad bliver hendes været thi jer sådan kan mere mv "
        "evt fx eks f.eks bl.a ift the of and to a in is for on with"
    ).split()
)
_SUFFIXES = ("erne", "ernes", "ene", "enes", "ende", "ede", "hed", "er", "en", "et", "es", "e", "s")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


class _Accents(dict[int, int | None]):
    """For ``str.translate``: combining marks other than the ring of å deleted, learnt per mark."""

    def __missing__(self, code: int) -> int | None:
        kept = code if code == 0x030A or not unicodedata.combining(chr(code)) else None
        self[code] = kept
        return kept


_ACCENTS = _Accents()


def fold(text: str) -> str:
    """Case-fold and drop accents, but keep æ, ø and å (å must not become a)."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return unicodedata.normalize("NFC", decomposed.translate(_ACCENTS))


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A light Danish stem: the longest common ending removed from words of five letters or more."""
    if len(word) >= 5:
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class Fingerprint:
    """What similarity looks at in one text."""

    stems: frozenset[str]
    trigrams: frozenset[str]
    # Neighbouring stems ("fritid hjælp"): rare even when both words are common, they find a
    # stored text by its word order where single stems cannot (``idea_terms``).
    pairs: frozenset[str] = frozenset()


def fingerprint(text: str) -> Fingerprint:
    """The stems, trigrams and neighbouring stems of ``text``."""
    words = [w for w in _WORD.findall(fold(text)) if w not in STOP_WORDS and len(w) > 1]
    joined = " ".join(words)
    # Interned: thousands of fingerprints then share one copy of each (few distinct) trigram.
    trigrams = frozenset(map(intern, {joined[at : at + 3] for at in range(len(joined) - 2)}))
    stems = list(map(stem, words))
    pairs = frozenset(map(" ".join, pairwise(stems)))
    return Fingerprint(frozenset(stems), trigrams, pairs)


def _score(stems: int, trigrams: int, a: Fingerprint, b: Fingerprint) -> float:
    # What similarity() would say of a and b if they shared this many stems and trigrams.
    smaller = min(len(a.stems), len(b.stems))
    return max(
        2 * stems / (len(a.stems) + len(b.stems)) if a.stems and b.stems else 0.0,
        2 * trigrams / (len(a.trigrams) + len(b.trigrams)) if a.trigrams and b.trigrams else 0.0,
        # A short idea repeated inside a longer one; too few words would make anything "contained".
        CONTAINMENT_WEIGHT * (stems / smaller) if smaller >= CONTAINMENT_MIN_WORDS else 0.0,
    )


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """0 (nothing shared) to 1 (the same words)."""
    return _score(len(a.stems & b.stems), len(a.trigrams & b.trigrams), a, b)


@dataclass(frozen=True)
class Match:
    """A new text and an earlier one that resemble each other."""

    new_index: int
    other_key: int
    score: float


class SimilarityIndex:
    """Texts added one by one, each new one looked up among the earlier ones in bounded work.

    A lookup counts, for each earlier text, the stems and trigrams it shares with the new text,
    going through their posting lists shortest first (the rarest features first, the longest
    lists last). It looks at no more than ``visits`` entries in all, and at only the ``recent``
    most recently added texts of a longer list: a stem that most texts share is in effect a
    stop word learned from the texts. The ``candidates`` earlier texts sharing the most are
    compared exactly with ``similarity()``; ``compared`` counts these comparisons.

    What is guaranteed: every one of those candidates that scores at least the threshold is
    found, with the score ``similarity()`` gives, and the best ``per_text`` of them (by score,
    then key) are returned. When at most ``candidates`` earlier texts share a stem or trigram
    with the new text, and the posting lists of its stems and trigrams hold at most ``recent``
    texts each and ``visits`` entries in all, every earlier text that could score above zero is
    compared: the answer is the one comparing with every earlier text gives. Work per lookup is
    bounded whatever the texts: ``visits`` entries counted, ``candidates`` comparisons.
    """

    def __init__(
        self,
        *,
        candidates: int = CANDIDATES,
        visits: int = VISITS,
        recent: int = RECENT,
        per_text: int = BEST_PER_IDEA,
    ) -> None:
        self.candidates = candidates
        self.visits = visits
        self.recent = recent
        self.per_text = per_text
        self.compared = 0
        self._keys: list[int] = []
        self._prints: list[Fingerprint] = []
        self._stems: defaultdict[str, list[int]] = defaultdict(list)
        self._trigrams: defaultdict[str, list[int]] = defaultdict(list)

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, key: int, print_: Fingerprint) -> None:
        """Index ``print_`` under ``key``."""
        number = len(self._keys)
        self._keys.append(key)
        self._prints.append(print_)
        for stem_ in print_.stems:
            self._stems[stem_].append(number)
        for trigram in print_.trigrams:
            self._trigrams[trigram].append(number)

    def candidates_of(self, print_: Fingerprint) -> list[int]:
        """The keys of the earlier texts a lookup of ``print_`` considers, most promising first."""
        return [self._keys[number] for number in self._ranked(print_)]

    def similar(
        self, print_: Fingerprint, threshold: float = SIMILAR_AT
    ) -> list[tuple[int, float]]:
        """(key, score) of the best earlier texts scoring at least ``threshold``, best first."""
        found = []
        for number in self._ranked(print_):
            self.compared += 1
            score = similarity(print_, self._prints[number])
            if score >= threshold:
                found.append((self._keys[number], score))
        found.sort(key=lambda pair: (-pair[1], pair[0]))
        return found[: self.per_text]

    def _ranked(self, print_: Fingerprint) -> list[int]:
        # The earlier texts sharing the most counted features, rarest features counted first.
        stems = filter(None, map(self._stems.get, print_.stems))
        lists = chain(stems, filter(None, map(self._trigrams.get, print_.trigrams)))
        return most_shared(lists, visits=self.visits, recent=self.recent, most=self.candidates)


def most_shared(
    lists: Iterable[Sequence[int]],
    *,
    visits: int = VISITS,
    recent: int = RECENT,
    most: int = CANDIDATES,
) -> list[int]:
    """The ``most`` keys found in the most posting ``lists`` (each oldest to newest key).

    Shortest lists first, of each only the ``recent`` newest keys, ``visits`` keys in all.
    """
    counted = []
    left = visits
    for listed in sorted(lists, key=len):
        taken = min(len(listed), recent, left)
        counted.append(listed[len(listed) - taken :])  # the most recent ones
        left -= taken
        if left <= 0:
            break
    shared = Counter(chain.from_iterable(counted))
    best = heapq.nlargest(most, shared.items(), key=itemgetter(1))
    return [key for key, _ in best]


StoredLookup = Callable[[Sequence[Fingerprint], float], list[list[tuple[int, float]]]]


def similar_pairs(
    new_texts: Sequence[str],
    existing: Iterable[tuple[int, str]] = (),
    threshold: float = SIMILAR_AT,
    *,
    most: int = MOST_PAIRS,
    index: SimilarityIndex | None = None,
    stored: StoredLookup | None = None,
) -> list[Match]:
    """Pairs of (new text, existing text or earlier new text) scoring at least ``threshold``.

    Existing texts are keyed by their id; earlier new texts by ``-(index + 1)``. Each existing
    text is read and fingerprinted once. ``stored`` looks all the new texts up at once among
    texts kept elsewhere (the database's index, ``workflow.repositories.similar_ideas``),
    giving (id, score) per new text. Per new text the ``BEST_PER_IDEA`` best pairs are kept
    (see ``SimilarityIndex`` for which earlier texts are compared), and of all pairs the ``most``
    best (by score, then document order); they come in document order, best first per text.
    """
    index = index if index is not None else SimilarityIndex()
    for key, text in existing:
        index.add(key, fingerprint(text))
    prints = [fingerprint(text) for text in new_texts]
    elsewhere = stored(prints, threshold) if stored is not None else [[] for _ in prints]
    matches: list[Match] = []
    for position, mine in enumerate(prints):
        found = index.similar(mine, threshold) + elsewhere[position]
        found.sort(key=lambda pair: (-pair[1], pair[0]))
        matches += (Match(position, key, round(score, 3)) for key, score in found[: index.per_text])
        index.add(-(position + 1), mine)
    if len(matches) > most:
        kept = heapq.nsmallest(most, range(len(matches)), key=lambda at: -matches[at].score)
        matches = [matches[at] for at in sorted(kept)]
    return matches
