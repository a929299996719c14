"""The words minutes use for their parts, in Danish (and English), as patterns."""

from __future__ import annotations

import re

_I = re.IGNORECASE

# Sections whose bullets are the challenges the meeting named: they become themes.
THEME_SECTION = re.compile(
    r"emne|temaer|\btema\b|udfordring|problem|hvad st[åa]r i vejen|barriere|bekymring|"
    r"\btopics?\b|\bthemes?\b|challenges?|problems?|obstacles?",
    _I,
)
# Sections whose bullets are plainly ideas; this wins over THEME_SECTION ("løsninger på problemer").
IDEA_SECTION = re.compile(
    r"\bid[ée]|forslag|løsning|mulighed|\bvi kan\b|\bkan vi\b|selv gøre|styrke|ressource|"
    r"tiltag|handling|initiativ|\baktion(?:er|erne)?\b|\bindsats(?:er|erne)?\b|\bideas?\b|"
    r"proposals?|suggestions?|solutions?|strengths?|resources?|actions?",
    _I,
)
PARTICIPANT_SECTION = re.compile(
    r"^(deltager(e|liste|oversigt)?|til ?stede|fremmødte|tilmeldte|participants|attendees|"
    r"present)\b",
    _I,
)
AGENDA_SECTION = re.compile(r"^(dagsorden|agenda|program)\b", _I)
EXERCISE = re.compile(
    r"\b(øvelse|opgave|exercise|workshop|runde|session|gruppearbejde)\s*\d+|"
    r"^opsamling på (øvelse|opgave|dialog|gruppe)",
    _I,
)
# Other words that make a short line a heading rather than the rest of a bullet.
STRUCTURE = re.compile(
    r"^(spørgsmål|andet|eventuelt|opsamling|dialog|konklusion|næste skridt|opfølgning|"
    r"referat|questions?|other|summary|next steps)\b",
    _I,
)

LABELS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("location", re.compile(r"\b(sted|lokation|lokale|adresse|location|venue|place)\b", _I)),
    (
        "host",
        re.compile(
            r"\b(bordvært|vært|ordstyrer|facilitator|mødeleder|tovholder|host|chair|moderator)",
            _I,
        ),
    ),
    ("recorder", re.compile(r"\b(referent|referat ved|notetager|recorder|minutes by)", _I)),
    ("date", re.compile(r"\b(dato|mødedato|tidspunkt|date)\b", _I)),
    ("participants", PARTICIPANT_SECTION),
)
LABEL_LINE = re.compile(r"^(?P<label>[^:]{2,40}?)\s*:\s*(?P<value>.*)$")


def labels_in(line: str) -> tuple[list[str], str] | None:
    """The fields a ``LABEL: value`` line names (``BORDVÆRT OG REFERENT`` names two), and value."""
    match = LABEL_LINE.match(line)
    if match is None:
        return None
    label = match.group("label")
    fields = [name for name, pattern in LABELS if pattern.search(label)]
    if not fields or len(label.split()) > 5:
        return None
    return fields, match.group("value").strip()


def is_structural_heading(line: str) -> bool:
    """True for lines whose words say they head a part of the minutes."""
    return bool(
        EXERCISE.search(line)
        or THEME_SECTION.search(line)
        or IDEA_SECTION.search(line)
        or PARTICIPANT_SECTION.search(line)
        or AGENDA_SECTION.search(line)
        or STRUCTURE.search(line)
    )
