"""Danish-aware similarity of idea texts, to point out ideas a manager may want to merge.

Texts are compared as sets of word stems (case-folded, accents other than æ, ø and å removed,
common Danish endings and stop words dropped) and as sets of character trigrams, which forgive
spelling and inflection the stemmer misses. The score is the best of the two Dice coefficients
and (slightly discounted) how much of the shorter text's stems the longer one contains.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SIMILAR_AT = 0.6
CONTAINMENT_MIN_WORDS = 4
CONTAINMENT_WEIGHT = 0.9
STOP_WORDS = frozenset(
    [
        "og",
        "i",
        "at",
        "det",
        "en",
        "den",
        "til",
        "er",
        "som",
        "på",
        "de",
        "med",
        "han",
        "af",
        "for",
        "ikke",
        "der",
        "var",
        "mig",
        "sig",
        "men",
        "et",
        "har",
        "om",
        "vi",
        "min",
        "havde",
        "ham",
        "hun",
        "nu",
        "over",
        "da",
        "fra",
        "du",
        "ud",
        "sin",
        "dem",
        "os",
        "op",
        "man",
        "hans",
        "hvor",
        "eller",
        "hvad",
        "skal",
        "selv",
        "her",
        "alle",
        "vil",
        "blev",
        "kunne",
        "ind",
        "når",
        "være",
        "dog",
        "noget",
        "ville",
        "jo",
        "deres",
        "efter",
        "ned",
        "skulle",
        "denne",
        "end",
        "dette",
        "mit",
        "også",
        "under",
        "have",
        "dig",
        "anden",
        "hende",
        "mine",
        "alt",
        "meget",
        "sit",
        "sine",
        "vor",
        "mod",
        "disse",
        "hvis",
        "din",
        "nogle",
        "hos",
        "blive",
        "mange",
        "ad",
        "bliver",
        "hendes",
        "været",
        "thi",
        "jer",
        "sådan",
        "kan",
        "mere",
        "mv",
        "evt",
        "fx",
        "eks",
        "f.eks",
        "bl.a",
        "ift",
        "the",
        "of",
        "and",
        "to",
        "a",
        "in",
        "is",
        "for",
        "on",
        "with",
    ]
)
_SUFFIXES = ("erne", "ernes", "ene", "enes", "ende", "ede", "hed", "er", "en", "et", "es", "e", "s")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def fold(text: str) -> str:
    """Case-fold and drop accents, but keep æ, ø and å (å must not become a)."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) or c == "\u030a")
    return unicodedata.normalize("NFC", kept)


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


def fingerprint(text: str) -> Fingerprint:
    """The stems and trigrams of ``text``."""
    words = [w for w in _WORD.findall(fold(text)) if w not in STOP_WORDS and len(w) > 1]
    joined = " ".join(words)
    trigrams = frozenset(joined[i : i + 3] for i in range(max(len(joined) - 2, 0)))
    return Fingerprint(frozenset(stem(w) for w in words), trigrams)


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def _containment(a: frozenset[str], b: frozenset[str]) -> float:
    # A short idea repeated inside a longer one; too few words would make anything "contained".
    smaller = min(len(a), len(b))
    return len(a & b) / smaller if smaller >= CONTAINMENT_MIN_WORDS else 0.0


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """0 (nothing shared) to 1 (the same words)."""
    return max(
        _dice(a.stems, b.stems),
        _dice(a.trigrams, b.trigrams),
        CONTAINMENT_WEIGHT * _containment(a.stems, b.stems),
    )


@dataclass(frozen=True)
class Match:
    """A new text and an earlier one that resemble each other."""

    new_index: int
    other_key: int
    score: float


def similar_pairs(
    new_texts: Sequence[str],
    existing: Iterable[tuple[int, str]],
    threshold: float = SIMILAR_AT,
) -> list[Match]:
    """Pairs of (new text, existing text or earlier new text) scoring at least ``threshold``.

    Existing texts are keyed by their id; earlier new texts by ``-(index + 1)``. Only texts that
    share a stem are scored, so a large store of ideas costs little.
    """
    index: dict[str, set[int]] = defaultdict(set)
    prints: dict[int, Fingerprint] = {}
    for key, text in existing:
        prints[key] = fingerprint(text)
        for word in prints[key].stems:
            index[word].add(key)
    matches: list[Match] = []
    for position, text in enumerate(new_texts):
        mine = fingerprint(text)
        candidates = set().union(*(index.get(word, set()) for word in mine.stems))
        for key in sorted(candidates):
            score = similarity(mine, prints[key])
            if score >= threshold:
                matches.append(Match(position, key, round(score, 3)))
        own_key = -(position + 1)
        prints[own_key] = mine
        for word in mine.stems:
            index[word].add(own_key)
    return matches
