"""Meeting dates and idea titles as the importer reads and writes them."""

from __future__ import annotations

from datetime import date

import pytest

from workflow.importer.dates import find_date, parse_date
from workflow.importer.lines import text_to_blocks
from workflow.importer.parser import ParsedMinutes, parse_blocks
from workflow.importer.similarity import (
    fingerprint,
    similarity,
)
from workflow.importer.titles import TITLE_MAX, first_sentence, short_title


def minutes_of(text: str) -> ParsedMinutes:
    return parse_blocks(text_to_blocks(text))


def score(a: str, b: str) -> float:
    return similarity(fingerprint(a), fingerprint(b))


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.06.25", date(2025, 6, 12)),
        ("12.06.2025", date(2025, 6, 12)),
        ("Opsamling på interessentmøde (12.06.25)", date(2025, 6, 12)),
        ("12/6-2025", date(2025, 6, 12)),
        ("12.6.25", date(2025, 6, 12)),
        ("12. juni 2025", date(2025, 6, 12)),
        ("12. Juni 2025", date(2025, 6, 12)),
        ("torsdag d. 12. juni 2025 kl. 17-19", date(2025, 6, 12)),
        ("Referat af borgermøde om trafiksikkerhed, 3. marts 2026", date(2026, 3, 3)),
        ("1. maj 2025", date(2025, 5, 1)),
        ("5. dec. 2025", date(2025, 12, 5)),
        ("2025-06-12", date(2025, 6, 12)),
        ("29.02.2024", date(2024, 2, 29)),
        ("12.06.25 kl. 10.00-12.00", date(2025, 6, 12)),
    ],
)
def test_danish_dates(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text", ["31.02.2025", "29.02.2025", "12.13.2025", "32. juni 2025", "kl. 12.30", "version 1.2"]
)
def test_impossible_dates_and_times_are_not_dates(text: str) -> None:
    assert parse_date(text) is None


def test_an_invalid_date_is_skipped_for_the_next_valid_one() -> None:
    assert parse_date("31.02.2025, flyttet til 1.3.2025") == date(2025, 3, 1)
    assert find_date(["Møde uden dato", "", "Dato 31.02.2025", "12. juni 2025"]) == date(
        2025, 6, 12
    )
    assert find_date(["ingen", "dato"]) is None


def test_the_first_date_in_a_text_wins() -> None:
    assert parse_date("Møde 3. marts 2026 (udsat fra 12.06.2025)") == date(2026, 3, 3)


def test_the_meeting_date_comes_from_the_title_or_a_date_label() -> None:
    assert minutes_of("Borgermøde 12.06.25\n\nIdéer\n• Cykelsti\n").held_on == date(2025, 6, 12)
    labelled = minutes_of("Borgermøde\nDato: 3. marts 2026\n\nIdéer\n• Cykelsti\n")
    assert labelled.held_on == date(2026, 3, 3)
    assert minutes_of("Borgermøde\n\nIdéer\n• Cykelsti i 2026\n").held_on is None


def test_an_invalid_date_in_the_title_gives_no_date() -> None:
    assert minutes_of("Borgermøde 31.02.2025\n\nIdéer\n• Cykelsti\n").held_on is None


@pytest.mark.parametrize("line", ["12. juni 2025", "Torsdag den 12.06.2025 kl. 17-19"])
def test_a_date_on_a_header_line_below_the_title(line: str) -> None:
    minutes = minutes_of(
        f"Referat af borgermøde om trafik\n{line}\nSted: Rådhuset\n\nIdéer\n• Cykelsti\n"
    )
    assert minutes.held_on == date(2025, 6, 12)


# --- titles ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Cykelsti langs Randersvej", "Cykelsti langs Randersvej"),
        ("Cykelsti langs Randersvej.", "Cykelsti langs Randersvej"),
        ("Cykelsti. Kommunen betaler halvdelen.", "Cykelsti"),
        ("Hvad gør vi? Vi laver en plan.", "Hvad gør vi?"),
        ("Hjælp nu! Det haster.", "Hjælp nu!"),
        ("Vi kan f.eks. lave en app. Det er let.", "Vi kan f.eks. lave en app"),
        (
            "Flere penge til skoler mv. Evt. med fonde. Og mere.",
            "Flere penge til skoler mv. Evt. med fonde",
        ),
        ("Evt. en cykelsti. Og mere.", "Evt. en cykelsti"),
        ("Støt bl.a. de unge. Mere.", "Støt bl.a. de unge"),
        ("Kurser ift. sprog. Billigt.", "Kurser ift. sprog"),
        ("Bus kl. 7.40 fra Stationspladsen. Hver dag.", "Bus kl. 7.40 fra Stationspladsen"),
        ("Den 12. juni holdt vi møde. Godt.", "Den 12. juni holdt vi møde"),
        ("Daghøjskolen som ”vikarbureau”. Virksomheder betaler.", "Daghøjskolen som ”vikarbureau”"),
    ],
)
def test_title_is_the_first_sentence(text: str, title: str) -> None:
    assert short_title(text) == title


def test_first_sentence_keeps_its_full_stop() -> None:
    assert first_sentence("Cykelsti. Mere.") == "Cykelsti."
    assert first_sentence("Ingen punktum") == "Ingen punktum"
    assert first_sentence("lille start. Stort ord") == "lille start."


def test_a_long_sentence_is_cut_on_a_word_with_an_ellipsis() -> None:
    words = "Kommunen skal samarbejde med foreningerne om at skabe flere tilbud til de unge " * 3
    title = short_title(words)
    assert title.endswith("…")
    assert len(title) <= TITLE_MAX
    kept = title[:-1]
    assert words.startswith(kept)
    assert words[len(kept)] == " "  # the cut falls between words
    assert len(kept) > TITLE_MAX - 20  # and not needlessly short


def test_a_cut_drops_dangling_punctuation() -> None:
    text = "a" * 100 + " – " + "b" * 40
    assert short_title(text) == "a" * 100 + "…"
    assert short_title("ord, " * 40).endswith("ord…")


def test_a_title_of_exactly_the_limit_is_not_cut() -> None:
    text = ("x" * 9 + " ") * 11 + "y" * 10  # 120 characters
    assert len(text) == TITLE_MAX
    assert short_title(text) == text


def test_one_very_long_word_is_still_cut_to_the_limit() -> None:
    title = short_title("x" * 300)
    assert title.endswith("…")
    assert len(title) <= TITLE_MAX


@pytest.mark.parametrize("text", [".", ". Mere om cykelstier"])
def test_a_title_is_never_empty(text: str) -> None:
    assert short_title(text).strip()
    minutes = minutes_of(f"Møde\n\nIdéer\n• {text}\n• Cykelsti\n")
    assert all(idea.title.strip() for idea in minutes.ideas)
    # A bullet with nothing but punctuation in it is no idea at all.
    assert [idea.text for idea in minutes.ideas][:-1] == ([] if text == "." else [text])
