"""Danish-aware similarity of idea texts."""

from __future__ import annotations

import pytest

from workflow.importer.lines import text_to_blocks
from workflow.importer.parser import ParsedMinutes, parse_blocks
from workflow.importer.similarity import (
    SIMILAR_AT,
    fingerprint,
    fold,
    similar_pairs,
    similarity,
)


def minutes_of(text: str) -> ParsedMinutes:
    return parse_blocks(text_to_blocks(text))


def score(a: str, b: str) -> float:
    return similarity(fingerprint(a), fingerprint(b))


# --- similarity -----------------------------------------------------------------------------


def test_fold_casefolds_and_drops_accents_but_keeps_danish_letters() -> None:
    assert fold("CAFÉ") == "cafe"
    assert fold("Idé") == "ide"
    assert fold("ÆBLE ØL ÅEN") == "æble øl åen"
    assert fold("Å") != fold("A")
    assert fold("a\u030a") == "å"  # a decomposed å is still å
    assert fold("Straße") == "strasse"


def test_case_and_punctuation_do_not_matter() -> None:
    assert score(
        "Kommunen skal mere ud i de lokale fællesskaber",
        "KOMMUNEN SKAL MERE UD I DE LOKALE FÆLLESSKABER.",
    ) == pytest.approx(1.0)


def test_accents_do_not_matter() -> None:
    assert score("Café i Kulturhuset", "Cafe i kulturhuset") == pytest.approx(1.0)
    assert score("Fælles idé om skolen", "Fælles ide om skolen") == pytest.approx(1.0)


def test_aa_is_not_a() -> None:
    # "Ål" (eel) and "al" are different words; the ring on å is not an accent to drop.
    assert score("Ål", "Al") < SIMILAR_AT
    assert fingerprint("Mere fokus på ål").stems != fingerprint("Mere fokus på al").stems
    assert score("Bål på stranden ved Århus", "Bal på stranden ved Arhus") < 1.0


def test_inflected_forms_are_similar() -> None:
    assert (
        score(
            "Fartvisningstavler ved indkørslen til byen", "Fartvisningstavle ved indkørsel til byen"
        )
        >= SIMILAR_AT
    )
    assert (
        score("Opskaler projekt RUN hos Ungdomsskolen", "Opskalér projektet RUN i ungdomsskolen")
        >= SIMILAR_AT
    )


def test_a_short_idea_inside_a_longer_one_scores_high() -> None:
    short = "Sikker skolevej langs Randersvej"
    long = (
        "Etabler en sikker skolevej langs Randersvej. Kommunen og grundejerforeningen kan dele "
        "udgiften, og forældrene vil gerne hjælpe med at male afmærkningen."
    )
    assert score(short, long) >= SIMILAR_AT
    assert score(long, short) == pytest.approx(score(short, long))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Fartvisningstavler ved indkørslen til byen", "Borgerforeningen arrangerer en trafikdag"),
        ("Cykelsti til skolen", "Bedre busforbindelse om aftenen"),
        ("Randers og opland er én kommune", "Flere penge i erhvervsrettede tiltag"),
    ],
)
def test_unrelated_ideas_score_low(a: str, b: str) -> None:
    assert score(a, b) < 0.3


def test_texts_without_words_score_zero() -> None:
    assert score("", "") == 0.0
    assert score("", "Cykelsti") == 0.0
    assert score("og i at det", "og i at det") == 0.0  # only stop words


def test_similar_pairs_finds_existing_and_earlier_new_ideas() -> None:
    matches = similar_pairs(
        ["Cykelsti langs Randersvej", "Helt andet: kaffe i kantinen", "CYKELSTI LANGS RANDERSVEJ"],
        [(7, "cykelsti langs randersvej"), (8, "Bedre busforbindelse om aftenen")],
    )
    found = {(match.new_index, match.other_key) for match in matches}
    assert found == {(0, 7), (2, 7), (2, -1)}  # -1: the first new text
    assert all(SIMILAR_AT <= match.score <= 1.0 for match in matches)
