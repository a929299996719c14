"""The importer's parts one at a time: dates, titles, similarity, participants, line joining."""

from __future__ import annotations

from datetime import date

import pytest

from workflow.importer.blocks import Block, BlockKind, normalise_space
from workflow.importer.dates import find_date, parse_date
from workflow.importer.lines import text_to_blocks
from workflow.importer.parser import ParsedMinutes, parse_blocks
from workflow.importer.similarity import (
    SIMILAR_AT,
    fingerprint,
    fold,
    similar_pairs,
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


# --- participants ---------------------------------------------------------------------------


def participants_of(*lines: str) -> list[tuple[str, str | None, str | None]]:
    text = "Møde 12.06.2025\n\nIdéer\n• En idé\n\nDeltagere\n" + "\n".join(lines) + "\n"
    return [(p.name, p.organisation, p.email) for p in minutes_of(text).participants]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Anne Sørensen, Langå Borgerforening, anne@langaa-borger.dk",
            ("Anne Sørensen", "Langå Borgerforening", "anne@langaa-borger.dk"),
        ),
        (
            "Anne Sørensen (Langå Borgerforening) anne@langaa-borger.dk",
            ("Anne Sørensen", "Langå Borgerforening", "anne@langaa-borger.dk"),
        ),
        ("Anne Sørensen – Langå Borgerforening", ("Anne Sørensen", "Langå Borgerforening", None)),
        ("Anne Sørensen - Randers Kommune", ("Anne Sørensen", "Randers Kommune", None)),
        ("Anne Sørensen, Randers Kommune", ("Anne Sørensen", "Randers Kommune", None)),
        ("Anne Sørensen", ("Anne Sørensen", None, None)),
        ("anne@langaa-borger.dk", ("anne", None, "anne@langaa-borger.dk")),
        (
            "Anne Sørensen <Anne.Sorensen@Randers.DK>",
            ("Anne Sørensen", None, "anne.sorensen@randers.dk"),
        ),
        (
            "Jens Ærø, Langå Skole, jens.aero@randers.dk.",
            ("Jens Ærø", "Langå Skole", "jens.aero@randers.dk"),
        ),
        ("Anne-Marie Holm, Randers Kommune", ("Anne-Marie Holm", "Randers Kommune", None)),
        (
            "Hans Hansen; Randers Kommune; hh@randers.dk",
            ("Hans Hansen", "Randers Kommune", "hh@randers.dk"),
        ),
        (
            "• Kirsten Ø. Jensen, Randers Kommune, kj@randers.dk",
            ("Kirsten Ø. Jensen", "Randers Kommune", "kj@randers.dk"),
        ),
    ],
)
def test_participant_lines(line: str, expected: tuple[str, str | None, str | None]) -> None:
    assert participants_of(line) == [expected]


def test_a_participant_list_with_header_row_and_duplicates() -> None:
    assert participants_of(
        "Navn, Organisation, E-mail",
        "Anne Sørensen, Randers Kommune, anne@randers.dk",
        "Anne S., Randers Kommune, ANNE@randers.dk",  # the same email: the same person
        "Bo Jensen",
        "bo jensen",  # the same name without organisation or email
    ) == [("Anne Sørensen", "Randers Kommune", "anne@randers.dk"), ("Bo Jensen", None, None)]


def test_participants_listed_on_the_label_line() -> None:
    minutes = minutes_of(
        "Møde\nDeltagere: Anne Sørensen, Randers Kommune; Bo Jensen, Langå Skole\n\n"
        "Idéer\n• En idé\n"
    )
    assert [(p.name, p.organisation) for p in minutes.participants] == [
        ("Anne Sørensen", "Randers Kommune"),
        ("Bo Jensen", "Langå Skole"),
    ]
    assert [idea.section for idea in minutes.ideas] == ["Idéer"]


def test_the_participant_list_ends_at_the_next_heading() -> None:
    minutes = minutes_of(
        "Møde\n\nDeltagere\nAnne Sørensen, Randers Kommune\n\nForslag\n• Cykelsti\n"
    )
    assert [p.name for p in minutes.participants] == ["Anne Sørensen"]
    assert [(idea.section, idea.text) for idea in minutes.ideas] == [("Forslag", "Cykelsti")]


def test_tab_separated_participant_lines() -> None:
    # As pasted from a spreadsheet, or a table's row in a PDF.
    assert participants_of(
        "Anne Sørensen\tRanders Kommune\tanne@randers.dk", "Bo Jensen\t\tLangå Skole"
    ) == [
        ("Anne Sørensen", "Randers Kommune", "anne@randers.dk"),
        ("Bo Jensen", "Langå Skole", None),
    ]


# --- sections -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "heading",
    [
        "Emner",
        "Temaer",
        "Vigtige emner/temaer",
        "Udfordringer",
        "Problemer",
        "Hvad står i vejen?",
        "Øvelse 1: Hvad står i vejen for en tryg trafik?",
        "Topics",
    ],
)
def test_theme_sections(heading: str) -> None:
    minutes = minutes_of(f"Møde\n\n{heading}\n• Trafikken\n")
    assert minutes.themes == ("Trafikken",)
    assert minutes.ideas == ()


@pytest.mark.parametrize(
    "heading",
    [
        "Idéer",
        "Forslag",
        "Løsninger",
        "Muligheder",
        "Vi kan…",
        "Det kan vi selv gøre",
        "Styrker, vi kan bygge videre på",
        "Ressourcer",
        "Ideas",
    ],
)
def test_idea_sections_keep_their_heading(heading: str) -> None:
    minutes = minutes_of(f"Møde\n\nUdfordringer\n• Trafikken\n\n{heading}\n• Cykelsti\n")
    assert minutes.themes == ("Trafikken",)
    assert [(idea.section, idea.text, idea.position) for idea in minutes.ideas] == [
        (heading, "Cykelsti", 1)
    ]


def test_repeated_themes_are_kept_once() -> None:
    minutes = minutes_of("Møde\n\nEmner\n• Trafik\n• Støj\n• Trafik\n")
    assert minutes.themes == ("Trafik", "Støj")


def test_an_empty_section_produces_nothing() -> None:
    minutes = minutes_of("Møde\n\nForslag\n• Cykelsti\n\nSpørgsmål/andet\n\n\n\nDeltagere\nBo\n")
    assert [idea.text for idea in minutes.ideas] == ["Cykelsti"]
    assert [p.name for p in minutes.participants] == ["Bo"]


def test_labels_name_location_host_and_recorder() -> None:
    minutes = minutes_of(
        "Borgermøde\nSTED: Rådhuset\nFacilitator: Bo Jensen\nREFERENT: Mette Holm\n\n"
        "Forslag\n• Cykelsti\n"
    )
    assert (minutes.location, minutes.host, minutes.recorder) == (
        "Rådhuset",
        "Bo Jensen",
        "Mette Holm",
    )
    ordstyrer = minutes_of("Møde\nORDSTYRER: Karen Lund\n\nForslag\n• Cykelsti\n")
    assert ordstyrer.host == "Karen Lund"


def test_parse_blocks_takes_word_headings_as_headings() -> None:
    minutes = parse_blocks(
        [
            Block(BlockKind.HEADING, "Borgermøde 3. marts 2026"),
            Block(BlockKind.HEADING, "Øvelse 2"),
            Block(BlockKind.HEADING, "Det er vores bedste bud."),  # a heading despite the stop
            Block(BlockKind.BULLET, "Cykelsti"),
        ]
    )
    assert minutes.held_on == date(2026, 3, 3)
    assert [(i.exercise, i.section, i.text) for i in minutes.ideas] == [
        ("Øvelse 2", "Det er vores bedste bud.", "Cykelsti")
    ]


# --- lines to blocks ------------------------------------------------------------------------


def bullets(text: str) -> list[str]:
    return [block.text for block in text_to_blocks(text) if block.kind is BlockKind.BULLET]


def test_normalise_space() -> None:
    assert normalise_space("  a\u00a0 b\t\tc \n") == "a b c"


def test_a_bullet_wrapped_over_lines_is_one_text() -> None:
    assert bullets("• Cykelsti langs\nRandersvej og\n  Bredgade\n") == [
        "Cykelsti langs Randersvej og Bredgade"
    ]


def test_pdf_style_blank_lines_inside_a_bullet() -> None:
    text = (
        "Idéer \n \n\uf0b7 Manglende forældrekompetencer (øget sundhedspleje, potentiel \n\n"
        "mistrivsel) \n\uf0b7 Næste \n"
    )
    assert bullets(text) == [
        "Manglende forældrekompetencer (øget sundhedspleje, potentiel mistrivsel)",
        "Næste",
    ]


def test_a_heading_after_a_bullet_is_not_part_of_it() -> None:
    blocks = text_to_blocks("• Cykelsti\nSpørgsmål/andet\n• Bus\n")
    assert [(block.kind, block.text) for block in blocks] == [
        (BlockKind.BULLET, "Cykelsti"),
        (BlockKind.TEXT, "Spørgsmål/andet"),
        (BlockKind.BULLET, "Bus"),
    ]


def test_a_label_line_after_a_bullet_is_not_part_of_it() -> None:
    assert bullets("• Cykelsti langs\nReferent: Mette Holm\n") == ["Cykelsti langs"]


def test_typed_text_keeps_a_paragraph_after_the_list_out_of_the_last_bullet() -> None:
    assert bullets("• Cykelsti\n• Bus\n\nVi mødes igen i oktober.\n") == ["Cykelsti", "Bus"]


def test_a_word_hyphenated_at_a_line_end_keeps_its_hyphen() -> None:
    assert bullets("• Samarbejde om SOSU-\nuddannelsen\n") == ["Samarbejde om SOSU-uddannelsen"]


def test_a_suspended_hyphen_at_a_line_end_keeps_its_space() -> None:
    assert bullets("• Vi skal styrke børne-\nog ungeområdet\n") == [
        "Vi skal styrke børne- og ungeområdet"
    ]


@pytest.mark.parametrize(
    ("line", "is_bullet"),
    [
        ("- Cykelsti", True),
        ("-Cykelsti", False),  # a minus sign, not a bullet
        ("* Cykelsti", True),
        ("– Cykelsti", True),
        ("•Cykelsti", True),
        ("\uf0b7Cykelsti", True),
        ("  ▪ Cykelsti", True),
        ("1. Cykelsti", True),
        ("2) Cykelsti", True),
        ("12. juni 2025 holdt vi møde", False),  # a date, not item 12
        ("-5 grader om natten", False),
    ],
)
def test_bullet_markers(line: str, is_bullet: bool) -> None:
    assert bool(bullets(line + "\n")) is is_bullet
