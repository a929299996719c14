"""Participants, sections and the joining of wrapped lines."""

from __future__ import annotations

from datetime import date

import pytest

from workflow.importer.blocks import Block, BlockKind, normalise_space
from workflow.importer.lines import text_to_blocks
from workflow.importer.parser import ParsedMinutes, parse_blocks
from workflow.importer.similarity import (
    fingerprint,
    similarity,
)


def minutes_of(text: str) -> ParsedMinutes:
    return parse_blocks(text_to_blocks(text))


def score(a: str, b: str) -> float:
    return similarity(fingerprint(a), fingerprint(b))


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


@pytest.mark.parametrize(
    ("text", "bullets"),
    [
        # The Danish "i" ending a wrapped line is not item i of a list.
        ("• Et sted hvor de unge kan være\ni. Kristrup eller Vorup.\n",
         ["Et sted hvor de unge kan være i. Kristrup eller Vorup."]),
        ("• Det var godt.\ni. Nyt punkt\nii. Andet punkt\n", ["Det var godt.", "Nyt punkt",
                                                           "Andet punkt"]),
        ("Forslag\na. Cykelsti\nb. Natbus\n", ["Cykelsti", "Natbus"]),
        ("• Cykelsti\na) Langs Randersvej\n", ["Cykelsti", "Langs Randersvej"]),
    ],
)  # fmt: skip
def test_a_letter_and_a_full_stop_after_an_unfinished_bullet_goes_on_with_it(
    text: str, bullets: list[str]
) -> None:
    blocks = text_to_blocks(text)
    assert [block.text for block in blocks if block.kind is BlockKind.BULLET] == bullets
