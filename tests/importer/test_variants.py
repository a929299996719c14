"""Minutes other staff write: other headings, exercises, participant lists, numbering, prose."""

from __future__ import annotations

from workflow.importer.document import parse_document
from workflow.importer.parser import ParsedMinutes

B = "\uf0b7"


def parse(text: str) -> ParsedMinutes:
    return parse_document("minutes.txt", text.encode("utf-8")).minutes


ELDERLY = f"""REFERAT
Dialogmøde om ældreliv, 4. september 2025
Tid og sted: kl. 16-18, Randers Bibliotek
Facilitatorer: Lars Nielsen og Kim Bach
Referenter: Pia Holm
Deltagere: Anne Hansen (Ældresagen), Bo Berg (Randers Kommune), Carl Dahl (Frivilligcenter)

Øvelse 1 – Udfordringer
Hvad står i vejen for et godt ældreliv?

{B} Ensomhed blandt ældre, der bor alene og ikke har familie i
nærheden
{B} Få tilbud i landdistrikterne

12. juni 2025 blev der holdt et lignende møde.

Øvelse 2 – Løsninger
Forslag fra bordene
{B} Besøgsvenner fra foreningerne. Frivilligcentret koordinerer.
{B} Spisefællesskaber på skolerne
1. Nummererede idéer virker også
2) Også med parentes

Ressourcer vi kan trække på
- Pensionistforeningernes netværk
* Biblioteket som mødested

Spørgsmål/andet

Deltagerliste
Navn, Organisation, E-mail
Dorte Ege, Ældrerådet, dorte@aeldreraad.dk
Erik Fog – Ældresagen
"""


def test_other_headings_exercises_numbering_and_participants() -> None:
    minutes = parse(ELDERLY)
    assert minutes.title == "REFERAT – Dialogmøde om ældreliv, 4. september 2025"
    assert str(minutes.held_on) == "2025-09-04"
    assert (minutes.location, minutes.host, minutes.recorder) == (
        "kl. 16-18, Randers Bibliotek",
        "Lars Nielsen og Kim Bach",
        "Pia Holm",
    )
    assert minutes.themes == (
        "Ensomhed blandt ældre, der bor alene og ikke har familie i nærheden",
        "Få tilbud i landdistrikterne",  # the prose after it (a date, a blank line) stays out
    )
    assert [(idea.section, idea.text) for idea in minutes.ideas] == [
        ("Forslag fra bordene", "Besøgsvenner fra foreningerne. Frivilligcentret koordinerer."),
        ("Forslag fra bordene", "Spisefællesskaber på skolerne"),
        ("Forslag fra bordene", "Nummererede idéer virker også"),
        ("Forslag fra bordene", "Også med parentes"),
        ("Ressourcer vi kan trække på", "Pensionistforeningernes netværk"),
        ("Ressourcer vi kan trække på", "Biblioteket som mødested"),
    ]
    assert {idea.exercise for idea in minutes.ideas} == {"Øvelse 2 – Løsninger"}
    assert [(p.name, p.organisation, p.email) for p in minutes.participants] == [
        ("Anne Hansen", "Ældresagen", None),
        ("Bo Berg", "Randers Kommune", None),
        ("Carl Dahl", "Frivilligcenter", None),
        ("Dorte Ege", "Ældrerådet", "dorte@aeldreraad.dk"),
        ("Erik Fog", "Ældresagen", None),
    ]


def test_typed_minutes_keep_prose_after_a_list_out_of_the_last_bullet() -> None:
    minutes = parse(
        "Borgermøde i Assentoft 02.02.2026\n\nIdéer\n"
        "• Legeplads ved hallen\n• Bedre belysning på stien\n\n"
        "Vi aftalte at mødes igen i oktober.\n"
    )
    assert [idea.text for idea in minutes.ideas] == [
        "Legeplads ved hallen",
        "Bedre belysning på stien",
    ]


def test_an_agenda_is_neither_ideas_nor_themes() -> None:
    minutes = parse(
        "Temamøde 10.10.2025\n\nDagsorden\n• Velkomst\n• Gruppearbejde\n\n"
        "Det kan vi selv gøre\n• Lave en fælles kalender for foreningerne\n"
    )
    assert [idea.text for idea in minutes.ideas] == ["Lave en fælles kalender for foreningerne"]
    assert minutes.ideas[0].section == "Det kan vi selv gøre"


def test_problem_words_in_an_idea_heading_do_not_make_themes() -> None:
    minutes = parse(
        "Møde 1. maj 2025\n\nProblemer vi så\n• Lange ventelister\n\n"
        "Løsninger på problemerne\n• Flere frivillige hjælpere\n"
    )
    assert minutes.themes == ("Lange ventelister",)
    assert [idea.text for idea in minutes.ideas] == ["Flere frivillige hjælpere"]
