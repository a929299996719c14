"""The importer's corpus: minutes in the layouts municipalities write, each with what it holds.

Each entry is written from its own expectation (``expected``): the document is rendered from
the ideas, themes and participants it must give back, in one layout (Word tables, OpenDocument
lists, numbered text, paged PDF with running headers, a scan). ``python -m tests.corpus.build``
writes the files and their ``.expected.json`` into tests/corpus/minutes, where
tests/importer/test_corpus.py reads them and ``ideaflow import-minutes tests/corpus/minutes``
imports them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.importer import paged_pdfs, scans
from tests.importer.structured import Grid, Heading, Item, Para, as_docx, as_odt

FOLDER = Path(__file__).resolve().parent / "minutes"


@dataclass(frozen=True)
class Entry:
    """One document of the corpus: its file name, how to write it and what it holds."""

    filename: str
    write: Callable[[], bytes]
    expected: dict[str, Any]


def idea(
    text: str,
    section: str | None,
    details: tuple[str, ...] = (),
    notes: tuple[tuple[str, str], ...] = (),
) -> dict[str, Any]:
    """An expected idea."""
    return {"text": text, "section": section, "details": list(details),
            "notes": [list(note) for note in notes]}  # fmt: skip


def person(name: str, organisation: str | None, email: str | None) -> dict[str, Any]:
    """An expected participant."""
    return {"name": name, "organisation": organisation, "email": email}


# --- Word and OpenDocument: a participants table, numbered themes, a table of proposals -----

# The same meeting's minutes twice would be one document, so each format gets its own meeting.
YOUTH_TITLES = {
    "docx": ("Referat af møde i Ungerådet 4. november 2026", "2026-11-04"),
    "odt": ("Referat af møde i Ungerådet 2. december 2026", "2026-12-02"),
}
YOUTH_PEOPLE = [
    person("Amina Hassan", "Ungerådet", "amina@ungeraadet.dk"),
    person("Mikkel Lund", "Randers Ungdomsskole", "mikkel.lund@randers.dk"),
    person("Karen Bæk", "Randers Kommune", None),
]
YOUTH_THEMES = ["Unge mangler steder at mødes om aftenen", "Busserne kører for sjældent"]
YOUTH_SECTION = "Øvelse 2: Forslag fra grupperne"
YOUTH_ROWS = [
    ("Åbn skolernes idrætshaller fredag aften", "Gruppe 1", "Spørg skolelederne i december"),
    ("Natbus fra Randers til Langå i weekenden", "Gruppe 2", "Møde med Midttrafik"),
    ("Et ungdomshus i Kristrup drevet af de unge selv", "Gruppe 3", ""),
    ("Gratis buskort til unge under 18", "Gruppe 2", "Beregn prisen"),
]


def _youth_parts(kind: str) -> list[Any]:
    return [
        Heading(YOUTH_TITLES[kind][0]),
        Para("Sted: Randers Rådhus, mødesal 2"),
        Heading("Deltagere"),
        Grid(
            ("Navn", "Organisation", "E-mail"),
            tuple((p["name"], p["organisation"], p["email"] or "") for p in YOUTH_PEOPLE),
        ),
        Heading("Udfordringer"),
        *(Item(theme, numbered=True) for theme in YOUTH_THEMES),
        Heading(YOUTH_SECTION),
        Grid(("Forslag", "Gruppe", "Næste skridt"), tuple(YOUTH_ROWS)),
    ]


def _youth_expected(kind: str) -> dict[str, Any]:
    # Under an exercise's heading, the table's proposals column names the ideas' section.
    ideas = [
        idea(text, "Forslag",
             notes=tuple((column, value) for column, value in
                         (("Gruppe", group), ("Næste skridt", step)) if value))
        for text, group, step in YOUTH_ROWS
    ]  # fmt: skip
    title, held_on = YOUTH_TITLES[kind]
    return {"title": title, "date": held_on, "location": "Randers Rådhus, mødesal 2",
            "themes": YOUTH_THEMES, "ideas": ideas, "participants": YOUTH_PEOPLE,
            "unrecognised": [], "ocr": False}  # fmt: skip


# --- Nested bullets: sub-bullets describe the idea above them ----------------------------

NESTED_TITLES = {
    "docx": "Dialogmøde om ensomhed blandt ældre",
    "odt": "Dialogmøde om ensomhed blandt ældre i Langå",
}
NESTED_IDEAS = [
    ("Besøgsvenner fra foreningerne", ("Røde Kors har 40 frivillige", "Start i Assentoft")),
    ("Spisefællesskaber på plejecentrene", ()),
    ("Telefonkæde for ældre der bor alene", ("Ring hver morgen kl. 9",)),
    ("Fælles gåture fra biblioteket hver tirsdag", ()),
]


def _nested_parts(kind: str) -> list[Any]:
    parts: list[Any] = [
        Heading(NESTED_TITLES[kind], look="large"),
        Para("Dato: 15. oktober 2026"),
        Para("Mødet blev holdt på Lokalcenter Vorup med 30 deltagere."),
        Heading("Idéer fra borddialogen", look="bold"),
    ]
    for text, details in NESTED_IDEAS:
        parts.append(Item(text))
        parts += [Item(detail, level=1) for detail in details]
    return parts


def _nested_expected(kind: str) -> dict[str, Any]:
    ideas = [idea(text, "Idéer fra borddialogen", details) for text, details in NESTED_IDEAS]
    return {"title": NESTED_TITLES[kind], "date": "2026-10-15", "location": None, "themes": [],
            "ideas": ideas, "participants": [],
            "unrecognised": ["Mødet blev holdt på Lokalcenter Vorup med 30 deltagere."],
            "ocr": False}  # fmt: skip


# --- Mixed: an agenda, running text, challenges, a table of ideas and bullets ------------

MIXED_TITLE = "Referat: Borgermøde om Randers Midtby"
MIXED_THEMES = ["Tomme butikker i Houmeden", "For lidt liv efter kl. 18"]
MIXED_TABLE = [
    ("Pop-up butikker i tomme lokaler", "Citymanager"),
    ("Musik på Rådhustorvet om torsdagen", "Kulturforvaltningen"),
]
MIXED_BULLETS = [
    ("Handelsstandsforeningen holder åbent til kl. 20 i december", ("Prøv det i 2026",)),
    ("Vi kan male de grå facader sammen med kunstskolen", ()),
]


def _mixed_parts() -> list[Any]:
    return [
        Heading(MIXED_TITLE),
        Para("Dato: 2. september 2026"),
        Heading("Dagsorden"),
        Item("Velkomst", numbered=True),
        Item("Oplæg om midtbyplanen", numbered=True),
        Heading("Udfordringer"),
        *(Item(theme) for theme in MIXED_THEMES),
        Heading("Idéer fra workshoppen"),
        Grid(("Idéer", "Ansvarlig"), tuple(MIXED_TABLE)),
        Heading("Det kan vi selv gøre"),
        *(part for text, details in MIXED_BULLETS
          for part in (Item(text), *(Item(d, level=1) for d in details))),
    ]  # fmt: skip


def _mixed_expected() -> dict[str, Any]:
    ideas = [
        idea(text, "Idéer fra workshoppen", notes=(("Ansvarlig", who),))
        for text, who in MIXED_TABLE
    ] + [idea(text, "Det kan vi selv gøre", details) for text, details in MIXED_BULLETS]
    return {"title": MIXED_TITLE, "date": "2026-09-02", "location": None,
            "themes": MIXED_THEMES, "ideas": ideas, "participants": [],
            "unrecognised": ["Velkomst", "Oplæg om midtbyplanen"], "ocr": False}  # fmt: skip


# --- Typed text: numbered items "1.", "2)", "a)" with indented sub-items -------------------

NUMBERED_TEXT = """Referat af møde i Grønt Råd
Dato: 21. august 2026
Referent: Ole Kjær

Forslag til indsatser
1. Plant 1.000 træer langs Gudenåen
   - Skolerne kan plante dem i uge 42
2. Delebiler ved stationen
3) Reparationscafé på biblioteket en lørdag om måneden

Flere idéer
a) En byhave på taget af parkeringshuset
b) Grønt Råd holder åbent møde om cykelstier
"""


def _numbered_expected() -> dict[str, Any]:
    section = "Forslag til indsatser"
    ideas = [
        idea("Plant 1.000 træer langs Gudenåen", section, ("Skolerne kan plante dem i uge 42",)),
        idea("Delebiler ved stationen", section),
        idea("Reparationscafé på biblioteket en lørdag om måneden", section),
        idea("En byhave på taget af parkeringshuset", "Flere idéer"),
        idea("Grønt Råd holder åbent møde om cykelstier", "Flere idéer"),
    ]
    return {"title": "Referat af møde i Grønt Råd", "date": "2026-08-21", "location": None,
            "themes": [], "ideas": ideas, "participants": [], "unrecognised": [],
            "ocr": False}  # fmt: skip


# --- Paged PDF: a running header, "Side N af M", a bullet split by the page break --------

PDF_TITLE = "Opsamling fra Ungerådets temamøde"
PDF_IDEAS = [
    "Et fritidsjob-netværk hvor virksomheder i Randers tilbyder unge deres første job, med en "
    "mentor fra virksomheden i de første tre måneder",
    "Lektiecafé på biblioteket hver onsdag med frivillige studerende fra VIA University "
    "College, så unge kan få hjælp til matematik og dansk",
    "Skaterbane ved Tronholmen",
    "Unge skal sidde med i styregruppen for den nye idrætspark, så deres ønsker bliver hørt "
    "fra begyndelsen og ikke først når tegningerne er færdige",
]


def _paged() -> paged_pdfs.Paged:
    document = paged_pdfs.Paged(
        title=PDF_TITLE,
        sections=[paged_pdfs.Section("Forslag fra de unge", PDF_IDEAS)],
        header=["Randers Kommune · Referat · Ungerådet"],
        footer=lambda page, pages: f"Side {page} af {pages}",
        after_title=["Dato: 30. september 2026"],
    )
    # Start the second page inside the second idea, so its second half is on page 2.
    lines = paged_pdfs.body_lines(document)
    start = next(i for i, line in enumerate(lines) if line.text.startswith("Lektiecafé"))
    return paged_pdfs.Paged(**{**document.__dict__, "breaks": {start + 1}})


def _pdf_expected() -> dict[str, Any]:
    ideas = [idea(text, "Forslag fra de unge") for text in PDF_IDEAS]
    return {"title": PDF_TITLE, "date": "2026-09-30", "location": None, "themes": [],
            "ideas": ideas, "participants": [], "unrecognised": [], "ocr": False}  # fmt: skip


# --- A scan of signed paper minutes (read by text recognition) ----------------------------

SCAN_IDEAS = [
    "Flere bænke langs stien ved Gudenåen",
    "Fælles madpakkedag for skolens elever",
    "Lys i tunnelen under jernbanen",
]


def _scan_lines() -> list[str]:
    return ["Referat af borgermøde i Spentrup", "Dato: 10. november 2026", "",
            "Forslag fra borgerne", *(f"• {text}" for text in SCAN_IDEAS)]  # fmt: skip


def _scan_expected() -> dict[str, Any]:
    ideas = [idea(text, "Forslag fra borgerne") for text in SCAN_IDEAS]
    return {"title": "Referat af borgermøde i Spentrup", "date": "2026-11-10",
            "location": None, "themes": [], "ideas": ideas, "participants": [],
            "unrecognised": [], "ocr": True}  # fmt: skip


ENTRIES = [
    Entry("ungeraad-forslagstabel.docx", lambda: as_docx(_youth_parts("docx")),
          _youth_expected("docx")),
    Entry("ungeraad-forslagstabel.odt", lambda: as_odt(_youth_parts("odt")),
          _youth_expected("odt")),
    Entry("aeldre-underpunkter.docx", lambda: as_docx(_nested_parts("docx"), "numpr"),
          _nested_expected("docx")),
    Entry("aeldre-underpunkter.odt", lambda: as_odt(_nested_parts("odt")),
          _nested_expected("odt")),
    Entry("midtby-blandet.docx", lambda: as_docx(_mixed_parts()), _mixed_expected()),
    Entry("groent-raad-nummereret.txt", lambda: NUMBERED_TEXT.encode(), _numbered_expected()),
    Entry("ungeraad-sidehoved.pdf", lambda: paged_pdfs.render(_paged()), _pdf_expected()),
    Entry("spentrup-scanning.pdf", lambda: scans.scanned_pdf(_scan_lines()), _scan_expected()),
]  # fmt: skip


def expected_path(filename: str) -> Path:
    """Where a corpus file's expectation is kept."""
    return FOLDER / f"{filename}.expected.json"


def expectation_json(expected: dict[str, Any]) -> str:
    """An expectation as it is written to disk."""
    return json.dumps(expected, ensure_ascii=False, indent=2) + "\n"


def main() -> None:
    """Write every corpus document and its expectation."""
    FOLDER.mkdir(exist_ok=True)
    for entry in ENTRIES:
        (FOLDER / entry.filename).write_bytes(entry.write())
        expected_path(entry.filename).write_text(expectation_json(entry.expected), "utf-8")
        print(f"wrote {entry.filename}")


if __name__ == "__main__":
    main()
