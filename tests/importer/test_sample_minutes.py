"""The real sample minutes, end to end: every theme and idea written out and checked by hand.

samples/interessentmoede-2025-06-12.txt is text taken out of a PDF: Symbol-font bullets (U+F0B7),
sentences wrapped mid-way with blank lines between the pieces, typographic quotes (” U+201D) and
en dashes (– U+2013). The texts below were copied by hand from that file, the wrapped pieces of
each bullet joined with one space.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from workflow.importer.document import ParsedDocument, parse_document
from workflow.importer.parser import ParsedMinutes

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "interessentmoede-2025-06-12.txt"

EXERCISE_2 = "Opsamling på øvelse 2 (dialog ved bordene)"
IDEAS_SECTION = "Idéer og muligheder fra borddeltagerne"
WE_CAN = "Vi kan…"
STRENGTHS = "Styrker, vi kan bygge videre på"

THEMES = [
    "”Randers er ikke en klub, jeg har lyst til at være en del af” – bymæssig uklar profil",
    "Mindsettet i Randers Kommune (fokus på fleksibilitet, ressourcesyn og narrativet)",
    "Manglende forældrekompetencer (øget sundhedspleje, dårlige sprogvurderinger, potentiel "
    "mistrivsel)",
    "Hurtig ageren – hvorfor ender man med at gå 2 år derhjemme?",
    "Mangler investeringer i understøttelsen af de unge (i at de bliver uddannet)",
    "Større forpligtelse i at støtte uddannelsesinstitutioner i egen by",
    "Unge uden for fællesskabet",
    "Mange unge tror ikke på sig selv.",
    "Politisk uro gennem mange år er ikke befordrende for sammenhængskraften og retningen for "
    "byen.",
]

IDEAS = [
    (
        IDEAS_SECTION,
        "Sociale partnerskaber. Forpligt hinanden mere på tværs af kommune, foreninger, "
        "folkeskoler mv. Evt. med et fælles værdisæt med henblik på at løfte de unge (giv dem en "
        "større tro på sig selv). Værdisættet skal italesættes: ”Hvad er det vi gør?”.",
    ),
    (
        IDEAS_SECTION,
        "Styrket samarbejde mellem erhvervsliv, civilsamfund, uddannelsesinstitutioner og kommune",
    ),
    (
        IDEAS_SECTION,
        "Tværprofessionel grænseløs samskabelse med og om de unge – høj faglighed blandt "
        "kommunens medarbejdere",
    ),
    (
        IDEAS_SECTION,
        "Samarbejde på tværs/samskabelse (Job First + det der følger med fx familie osv.). "
        "Snakke rundt om hele familien.",
    ),
    (
        IDEAS_SECTION,
        "Sikre kontinuitet - ”Der er én, der er den” f.eks. ala koordinerende sagsbehandler",
    ),
    (IDEAS_SECTION, "Kommunen skal mere ud i de lokale fællesskaber"),
    (
        IDEAS_SECTION,
        "Kommune og civilsamfund er på samme hold – der skal være mere fleksibilitet i samarbejdet",
    ),
    (
        IDEAS_SECTION,
        "”Mens du venter” – hjælp familien med at håndtere børnenes udfordringer, mens de venter "
        "på en udredning/diagnose – eventuelt fra andre steder end kommunen.",
    ),
    (
        IDEAS_SECTION,
        "Mere fokus på basale færdigheder for at kunne begå sig i samfundet (både børn og "
        "forældre). Uddannelse er ikke altid svaret.",
    ),
    (
        IDEAS_SECTION,
        "Kommunen skal være mere åben for eksperimenter – mere investeringsvillig. Afprøv flere "
        "indsatser – tænk i ”mikrodonationer”. ”Eksperimenthovedstaden – Drøm det, gør det” "
        "(ikke relateret til udsatte børn og unge men f.eks. Memphis Mansion).",
    ),
    (IDEAS_SECTION, "Randers og opland er én kommune"),
    (
        IDEAS_SECTION,
        "”Uddan dem vi kan, ikke kun dem vi skal” – det kræver at kommunen investerer.",
    ),
    (IDEAS_SECTION, "Udbredelse af vellykkede projekter til andre områder"),
    (WE_CAN, "Øget samarbejde mellem grundforløb på SOSU-uddannelsen og ungdomsskolen"),
    (WE_CAN, "Børnehaver/folkeskoler på besøg på uddannelsesinstitutioner f.eks. SOSU."),
    (
        WE_CAN,
        "Hvis der skabes mindre ”lokale enheder” kan der muligvis skabes mere motivation til at "
        "bidrage f.eks. i form af frivillighed",
    ),
    (
        WE_CAN,
        "Daghøjskolen kan fungere som et ”vikarbureau”. Når virksomheder får behov for hjælp til "
        "diverse småjobs, kan de kontakte Daghøjskolen, og så kan Daghøjskolen sende folk ud. "
        "Virksomhederne sender fakturaer til Daghøjskolen.",
    ),
    (
        WE_CAN,
        "Klæd i højere grad medarbejderne i virksomheder på til at kunne håndtere medarbejdere "
        "med diagnoser. Uddannelsen/undervisningen kunne eventuelt foregå i lokale foreninger. "
        "Nogle medarbejdere med diagnoser, der er blevet taget godt imod, kan efterfølgende selv "
        "påtage sig rollen som ”mentor” for nye medarbejdere med diagnoser. Det er de dygtige "
        "til.",
    ),
    (
        WE_CAN,
        "Efteruddan i højere grad pædagogisk personale i daginstitutioner ift. håndtering af "
        "sprogvanskeligheder hos småbørn. Det koster næsten ingenting at efteruddanne "
        "pædagogmedhjælpere og pædagogiske assistenter.",
    ),
    (STRENGTHS, "Flere penge i erhvervsrettede tiltag som f.eks. juniormesterlære"),
    (
        STRENGTHS,
        "Opskaler projekt RUN hos Ungdomsskolen. Projektet har netop til formål at hjælpe unge i "
        "gang med uddannelse eller arbejde.",
    ),
]


@pytest.fixture(scope="module")
def document() -> ParsedDocument:
    return parse_document(SAMPLE.name, SAMPLE.read_bytes())


@pytest.fixture(scope="module")
def minutes(document: ParsedDocument) -> ParsedMinutes:
    return document.minutes


def test_the_hand_written_expectations_are_the_sample_text_itself() -> None:
    """Guards the literals above: each is the file's own words, only the line breaks joined."""
    flowing = " ".join(SAMPLE.read_text(encoding="utf-8").split())
    for text in [*THEMES, *(text for _, text in IDEAS)]:
        assert f"\uf0b7 {text}" in flowing
    assert len(THEMES) == 9
    assert len(IDEAS) == 21


def test_meeting_facts(document: ParsedDocument, minutes: ParsedMinutes) -> None:
    assert document.media_type == "text/plain; charset=utf-8"
    assert minutes.title == "Opsamling på interessentmøde (12.06.25)"
    assert minutes.held_on == date(2025, 6, 12)
    assert minutes.location == "THORLOUNGE, CEPHEUS PARK"
    # "BORDVÆRT OG REFERENT: ANNE ERLANDSEN" names both roles at once.
    assert minutes.host == "ANNE ERLANDSEN"
    assert minutes.recorder == "ANNE ERLANDSEN"
    assert minutes.participants == ()


def test_the_nine_themes_exactly(minutes: ParsedMinutes) -> None:
    assert list(minutes.themes) == THEMES


def test_the_twenty_one_ideas_exactly(minutes: ParsedMinutes) -> None:
    assert [(idea.section, idea.text) for idea in minutes.ideas] == IDEAS


def test_ideas_carry_their_provenance(minutes: ParsedMinutes) -> None:
    assert [idea.position for idea in minutes.ideas] == list(range(1, 22))
    assert {idea.exercise for idea in minutes.ideas} == {EXERCISE_2}
    sections = [idea.section for idea in minutes.ideas]
    assert sections.count(IDEAS_SECTION) == 13
    assert sections.count(WE_CAN) == 6
    assert sections.count(STRENGTHS) == 2


def test_empty_question_section_and_slide_notes_produce_nothing(minutes: ParsedMinutes) -> None:
    sections = {idea.section for idea in minutes.ideas}
    assert "Spørgsmål/andet" not in sections
    assert not any(section and section.startswith("(spørgsmål") for section in sections)
    everything = [*minutes.themes, *(idea.text for idea in minutes.ideas)]
    assert not any("Spørgsmål/andet" in text or "på slide" in text for text in everything)
    assert not any("Opsamling" in text or "Vigtige emner" in text for text in everything)


def test_wrapped_pieces_are_joined_with_one_space(minutes: ParsedMinutes) -> None:
    # "potentiel " / (blank line) / "mistrivsel)" in the file.
    assert minutes.themes[2].endswith("sprogvurderinger, potentiel mistrivsel)")
    # Three pieces with blank lines in between, the last one starting with a capital.
    assert minutes.ideas[9].text.endswith(
        "(ikke relateret til udsatte børn og unge men f.eks. Memphis Mansion)."
    )
    for text in [*minutes.themes, *(idea.text for idea in minutes.ideas)]:
        assert text == " ".join(text.split())
        assert "\uf0b7" not in text


def test_quotes_dashes_and_danish_letters_are_kept_exactly(minutes: ParsedMinutes) -> None:
    assert minutes.themes[0].startswith("\u201dRanders er ikke en klub")
    assert "af\u201d \u2013 bymæssig" in minutes.themes[0]
    assert minutes.ideas[4].text.startswith("Sikre kontinuitet - \u201dDer er én, der er den\u201d")
    assert "tænk i \u201dmikrodonationer\u201d." in minutes.ideas[9].text
    assert minutes.ideas[13].text.startswith("Øget samarbejde")
    texts = " ".join([*minutes.themes, *(idea.text for idea in minutes.ideas)])
    assert '"' not in texts  # no quote was straightened
    assert texts.count("\u201d") == 20  # every one of the file's 20
    assert "Idéer" in minutes.ideas[0].section


@pytest.mark.parametrize(
    ("position", "title"),
    [
        (1, "Sociale partnerskaber"),
        (
            2,
            "Styrket samarbejde mellem erhvervsliv, civilsamfund, uddannelsesinstitutioner og "
            "kommune",
        ),
        (4, "Samarbejde på tværs/samskabelse (Job First + det der følger med fx familie osv.)"),
        (5, "Sikre kontinuitet - ”Der er én, der er den” f.eks. ala koordinerende sagsbehandler"),
        (
            8,
            "”Mens du venter” – hjælp familien med at håndtere børnenes udfordringer, mens de "
            "venter på en udredning/diagnose…",
        ),
        (10, "Kommunen skal være mere åben for eksperimenter – mere investeringsvillig"),
        (12, "”Uddan dem vi kan, ikke kun dem vi skal” – det kræver at kommunen investerer"),
        (15, "Børnehaver/folkeskoler på besøg på uddannelsesinstitutioner f.eks. SOSU"),
        (17, "Daghøjskolen kan fungere som et ”vikarbureau”"),
        (
            19,
            "Efteruddan i højere grad pædagogisk personale i daginstitutioner ift. håndtering af "
            "sprogvanskeligheder hos småbørn",
        ),
        (21, "Opskaler projekt RUN hos Ungdomsskolen"),
    ],
)
def test_idea_titles(minutes: ParsedMinutes, position: int, title: str) -> None:
    assert minutes.ideas[position - 1].title == title


def test_every_title_is_a_short_form_of_its_text(minutes: ParsedMinutes) -> None:
    for idea in minutes.ideas:
        assert 0 < len(idea.title) <= 120
        if idea.title.endswith("…"):  # cut on a word: what is kept ends where a word ends
            kept = idea.title[:-1]
            assert idea.text.startswith(kept)
            assert idea.text[len(kept)] in " ,;:–-"
        else:
            assert idea.text.startswith(idea.title)


def test_the_same_sample_gives_the_same_fingerprint(document: ParsedDocument) -> None:
    again = parse_document("copy.txt", SAMPLE.read_bytes())
    assert again.content_hash == document.content_hash
    assert len(document.content_hash) == 64
