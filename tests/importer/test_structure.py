"""Word and OpenDocument files read by their structure: tables of proposals, participants
tables, numbered and nested lists, headings by style and by look; text's numbering and nesting."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from tests.importer.structured import Grid, Heading, Item, Para, Part, as_docx, as_odt
from workflow.importer.blocks import Block, BlockKind
from workflow.importer.document import parse_document
from workflow.importer.lines import text_to_blocks
from workflow.importer.readers import read_document

ODT = "application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
WRITERS: dict[str, tuple[str, Callable[[list[Part]], bytes]]] = {
    "docx, list styles": ("referat.docx", lambda parts: as_docx(parts, "style")),
    "docx, numbering": ("referat.docx", lambda parts: as_docx(parts, "numpr")),
    "odt, text:h": ("referat.odt", lambda parts: as_odt(parts, "h")),
    "odt, heading styles": ("referat.odt", lambda parts: as_odt(parts, "style")),
}

MEETING: list[Part] = [
    Heading("Referat af borgermøde i Langå 12. juni 2025"),
    Para("Sted: Langå Kulturhus"),
    Heading("Deltagere"),
    Grid(
        ("Navn", "Organisation", "E-mail"),
        (
            ("Anne Sørensen", "Langå Borgerforening", "anne@langaa.dk"),
            ("Jens Ærø", "Langå Skole", ""),
        ),
    ),
    Heading("Udfordringer"),
    Item("Biler kører for hurtigt", numbered=True),
    Item("Bussen går for sjældent", numbered=True),
    Heading("Øvelse 2: Hvad gør vi nu?"),
    Grid(
        ("Forslag", "Gruppe", "Næste skridt"),
        (
            ("Cykelsti langs Randersvej", "1", "Møde med vejafdelingen"),
            (("Fartvisningstavler", "ved indkørslen", "og ved skolen"), "2", ""),
            ("Natbus i weekenden", "", "Spørg Midttrafik"),
        ),
    ),
]


@pytest.mark.parametrize("writer", list(WRITERS))
def test_participants_table_proposals_table_and_numbered_themes(writer: str) -> None:
    filename, write = WRITERS[writer]
    document = parse_document(filename, write(MEETING))
    assert document.media_type == (ODT if filename.endswith(".odt") else DOCX)
    minutes = document.minutes
    assert minutes.title == "Referat af borgermøde i Langå 12. juni 2025"
    assert minutes.location == "Langå Kulturhus"
    assert minutes.themes == ("Biler kører for hurtigt", "Bussen går for sjældent")
    assert [(p.name, p.organisation, p.email) for p in minutes.participants] == [
        ("Anne Sørensen", "Langå Borgerforening", "anne@langaa.dk"),
        ("Jens Ærø", "Langå Skole", None),
    ]
    assert [(i.text, i.details, i.notes, i.section) for i in minutes.ideas] == [
        (
            "Cykelsti langs Randersvej",
            (),
            (("Gruppe", "1"), ("Næste skridt", "Møde med vejafdelingen")),
            "Forslag",
        ),
        ("Fartvisningstavler", ("ved indkørslen", "og ved skolen"), (("Gruppe", "2"),), "Forslag"),
        ("Natbus i weekenden", (), (("Næste skridt", "Spørg Midttrafik"),), "Forslag"),
    ]
    assert {idea.exercise for idea in minutes.ideas} == {"Øvelse 2: Hvad gør vi nu?"}


@pytest.mark.parametrize(
    "header",
    ["Forslag", "Idéer", "IDEER", "Ideas", "Tiltag", "Aktioner", "Indsatser", "Handlinger",
     "Løsninger", "Initiativer", "Proposals", "Actions", "Løsningsforslag", "Forslag til tiltag"],
)  # fmt: skip
@pytest.mark.parametrize("writer", ["docx, list styles", "odt, text:h"])
def test_the_header_words_that_name_proposals(header: str, writer: str) -> None:
    filename, write = WRITERS[writer]
    parts: list[Part] = [
        Heading("Borgermøde"),
        Heading("Hvad står i vejen?"),  # a themes section: the table's ideas are ideas still
        Item("Trafikken"),
        Grid(("Ansvarlig", header), (("Bo", "Shelterplads ved søen"),)),
    ]
    minutes = parse_document(filename, write(parts)).minutes
    assert minutes.themes == ("Trafikken",)
    assert [(idea.text, idea.notes) for idea in minutes.ideas] == [
        ("Shelterplads ved søen", (("Ansvarlig", "Bo"),))
    ]


@pytest.mark.parametrize("header", ["Forslagsstiller", "Emne", "Navn", "Dato", "Ideal"])
def test_other_tables_are_read_row_by_row(header: str) -> None:
    parts: list[Part] = [Heading("Møde"), Grid((header, "Bemærkning"), (("Anne", "Kommer"),))]
    for filename, write in (("a.docx", as_docx), ("a.odt", as_odt)):
        _, blocks = read_document(filename, write(parts))
        assert [(block.kind, block.text) for block in blocks[1:]] == [
            (BlockKind.TEXT, f"{header}, Bemærkning"),
            (BlockKind.TEXT, "Anne, Kommer"),
        ]


def test_a_title_row_above_the_header_and_a_marked_header_row() -> None:
    for filename, write in (("a.docx", as_docx), ("a.odt", as_odt)):
        title_row = Grid(("Gruppernes arbejde", ""), (("Forslag", "Gruppe"), ("Cykelbus", "3")))
        marked = Grid(("Idéer", "Gruppe"), (("Idéer", "Gruppe"), ("Cykelbus", "3")), True)
        for grid in (title_row, marked):
            minutes = parse_document(filename, write([Heading("Møde"), grid])).minutes
            assert [(i.text, i.notes) for i in minutes.ideas] == [("Cykelbus", (("Gruppe", "3"),))]


def test_merged_cells_in_a_word_table() -> None:
    import docx

    document = docx.Document()
    document.add_heading("Møde", level=1)
    table = document.add_table(rows=4, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Forslag", "Gruppe", "Næste skridt"), strict=True):
        cell.text = text
    table.cell(1, 1).merge(table.cell(2, 1)).text = "Gruppe 1"  # vertical: w:vMerge
    table.cell(3, 0).merge(table.cell(3, 1)).text = "Fælles forslag"  # horizontal: w:gridSpan
    table.cell(1, 0).text, table.cell(2, 0).text = "Cykelbus", "Natbus"
    table.cell(3, 2).text = "Til byrådet"
    buffer = io.BytesIO()
    document.save(buffer)
    minutes = parse_document("a.docx", buffer.getvalue()).minutes
    assert [(i.text, i.notes) for i in minutes.ideas] == [
        ("Cykelbus", (("Gruppe", "Gruppe 1"),)),
        ("Natbus", (("Gruppe", "Gruppe 1"),)),
        ("Fælles forslag", (("Næste skridt", "Til byrådet"),)),
    ]


def test_merged_cells_in_an_odt_table() -> None:
    from tests.importer.structured import odt_package

    cell = "<table:table-cell><text:p>{}</text:p></table:table-cell>"
    covered = "<table:table-cell table:number-rows-spanned='2'><text:p>Gruppe 1</text:p>"
    body = (
        "<text:h>Møde</text:h><table:table>"
        "<table:table-row>" + cell.format("Forslag") + cell.format("Gruppe") + "</table:table-row>"
        "<table:table-row>" + cell.format("Cykelbus") + covered + "</table:table-cell>"
        "</table:table-row><table:table-row>"
        + cell.format("Natbus")
        + "<table:covered-table-cell/>"
        "</table:table-row><table:table-row><table:table-cell table:number-columns-spanned='2'>"
        "<text:p>Fælles</text:p></table:table-cell><table:covered-table-cell/></table:table-row>"
        "</table:table>"
    )
    minutes = parse_document("a.odt", odt_package(body)).minutes
    assert [(i.text, i.notes) for i in minutes.ideas] == [
        ("Cykelbus", (("Gruppe", "Gruppe 1"),)),
        ("Natbus", (("Gruppe", "Gruppe 1"),)),
        ("Fælles", ()),
    ]


def test_a_cell_of_bullets_gives_an_idea_per_bullet_with_the_rows_notes() -> None:
    from tests.importer.structured import odt_list, odt_package

    body = (
        "<text:h>Møde</text:h><table:table><table:table-row>"
        "<table:table-cell><text:p>Tiltag</text:p></table:table-cell>"
        "<table:table-cell><text:p>Gruppe</text:p></table:table-cell></table:table-row>"
        f"<table:table-row><table:table-cell>{odt_list([(0, 'Cykelbus'), (0, 'Natbus')])}"
        "</table:table-cell><table:table-cell><text:p>Gruppe</text:p><text:p>nummer 2</text:p>"
        "</table:table-cell></table:table-row></table:table>"
    )
    minutes = parse_document("a.odt", odt_package(body)).minutes
    assert [(i.text, i.notes) for i in minutes.ideas] == [
        ("Cykelbus", (("Gruppe", "Gruppe nummer 2"),)),
        ("Natbus", (("Gruppe", "Gruppe nummer 2"),)),
    ]


# --- lists --------------------------------------------------------------------------------------

NESTED: list[Part] = [
    Heading("Møde om stierne"),
    Heading("Forslag"),
    Item("Cykelsti langs åen"),
    Item("med lys", 1),
    Item("og bænke", 1),
    Item("Shelter ved søen", numbered=True),
    Item("med bålplads", 1, numbered=True),
    Item("Natbus"),
]
NESTED_IDEAS = [
    ("Cykelsti langs åen", ("med lys", "og bænke")),
    ("Shelter ved søen", ("med bålplads",)),
    ("Natbus", ()),
]


@pytest.mark.parametrize("writer", list(WRITERS))
def test_nested_bullets_describe_the_idea_above(writer: str) -> None:
    filename, write = WRITERS[writer]
    minutes = parse_document(filename, write(NESTED)).minutes
    assert [(idea.text, idea.details) for idea in minutes.ideas] == NESTED_IDEAS


def test_list_levels_in_word_and_odt_blocks() -> None:
    items = [Item("a"), Item("b", 1), Item("c", 2), Item("d", 1), Item("e")]
    for filename, write in (("a.docx", lambda p: as_docx(p, "numpr")), ("a.odt", as_odt)):
        _, blocks = read_document(filename, write([Heading("Møde"), *items]))
        assert [(b.kind, b.text, b.level) for b in blocks[1:]] == [
            (BlockKind.BULLET, text, level)
            for text, level in zip("abcde", [0, 1, 2, 1, 0], strict=True)
        ]


@pytest.mark.parametrize(
    ("first", "second", "third"),
    [
        ("• Cykelsti", "    • med lys", "• Natbus"),  # four spaces further
        ("• Cykelsti", "\t• med lys", "• Natbus"),  # a tab
        ("• Cykelsti", "  - med lys", "• Natbus"),  # further, with another mark
        ("• Cykelsti", "\to med lys", "• Natbus"),  # Word's second-level "o"
        ("1. Cykelsti", "   a) med lys", "2. Natbus"),  # letters under numbers
        ("  - Cykelsti", "      - med lys", "  - Natbus"),
    ],
)
def test_nested_bullets_in_text(first: str, second: str, third: str) -> None:
    text = f"Møde om stierne\n\nForslag\n{first}\n{second}\n{third}\n"
    minutes = parse_document("referat.txt", text.encode()).minutes
    assert [(i.text, i.details) for i in minutes.ideas] == [
        ("Cykelsti", ("med lys",)),
        ("Natbus", ()),
    ]


def test_text_levels_return_to_the_level_of_the_same_indentation() -> None:
    text = "Forslag\n• a\n    • b\n        • c\n    • d\n• e\n  – f\n"
    assert [(b.text, b.level) for b in text_to_blocks(text) if b.kind is BlockKind.BULLET] == [
        ("a", 0), ("b", 1), ("c", 2), ("d", 1), ("e", 0), ("f", 1),
    ]  # fmt: skip


def test_a_line_of_text_ends_a_list_so_the_next_bullet_starts_at_the_top() -> None:
    text = "Forslag\n• a\n    • b\n\nMere forslag\n    • c\n"
    bullets = [(b.text, b.level) for b in text_to_blocks(text) if b.kind is BlockKind.BULLET]
    assert bullets == [("a", 0), ("b", 1), ("c", 0)]


@pytest.mark.parametrize(
    "marks", [("1.", "2.", "3."), ("1)", "2)", "3)"), ("a)", "b)", "c)"), ("a.", "b.", "c."),
              ("i)", "ii)", "iii)"), ("iv.", "v.", "vi.")],
)  # fmt: skip
def test_numbered_items_in_text(marks: tuple[str, str, str]) -> None:
    ideas = ["Cykelsti langs åen", "Natbus i weekenden", "Shelter ved søen"]
    lines = [f"{mark} {idea}" for mark, idea in zip(marks, ideas, strict=True)]
    text = "Møde om stierne\n\nForslag\n" + "\n".join(lines) + "\n"
    assert [idea.text for idea in parse_document("r.txt", text.encode()).minutes.ideas] == ideas


@pytest.mark.parametrize(
    "line",
    ["12. juni 2025 holdt vi møde", "3. maj kl. 17", "a. m. blev der talt om trafik",
     "f. eks. en cykelsti", "A. Jensen, Randers Kommune", "i dag talte vi om trafik"],
)  # fmt: skip
def test_dates_abbreviations_and_initials_are_not_numbered_items(line: str) -> None:
    (block,) = text_to_blocks(line)
    assert block.kind is BlockKind.TEXT


def test_word_numbered_list_and_typed_numbers() -> None:
    parts: list[Part] = [
        Heading("Møde"),
        Heading("Forslag"),
        Item("Cykelsti", numbered=True),
        Item("Natbus", typed="2."),
        Item("Shelter", typed="c)"),
    ]
    for filename, write in (("a.docx", as_docx), ("a.odt", as_odt)):
        minutes = parse_document(filename, write(parts)).minutes
        assert [idea.text for idea in minutes.ideas] == ["Cykelsti", "Natbus", "Shelter"]


# --- headings by look ---------------------------------------------------------------------------


@pytest.mark.parametrize("look", ["bold", "large"])
@pytest.mark.parametrize("filename", ["a.docx", "a.odt"])
def test_headings_by_bold_or_larger_type(look: str, filename: str) -> None:
    write = as_docx if filename.endswith(".docx") else as_odt
    parts: list[Part] = [
        Para("Referat af mødet om stierne i Langå"),
        Heading("Det kan vi selv gøre", look),
        Para("Vi talte længe om stierne, og alle havde noget at sige om dem. " * 5),
        Heading(f"{'Lang overskrift ' * 9}uden punktum", look),  # too long for a heading
        Heading("En sætning med fed skrift.", look),  # a full stop: a sentence
    ]
    _, blocks = read_document(filename, write(parts))
    assert [block.kind for block in blocks] == [
        BlockKind.TEXT, BlockKind.HEADING, BlockKind.TEXT, BlockKind.TEXT, BlockKind.TEXT,
    ]  # fmt: skip


def test_bold_is_no_heading_where_everything_is_bold() -> None:
    parts: list[Part] = [Heading(text, "bold") for text in ("Møde", "Et", "To", "Tre")]
    _, blocks = read_document("a.docx", as_docx(parts))
    assert {block.kind for block in blocks} == {BlockKind.TEXT}


def test_word_heading_by_outline_level_and_by_a_style_based_on_a_heading() -> None:
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    outlined = document.add_paragraph("Forslag fra gruppe 1")
    level = OxmlElement("w:outlineLvl")
    level.set(qn("w:val"), "1")
    outlined._p.get_or_add_pPr().append(level)
    style = document.styles.add_style("Mit Afsnit", WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Heading 2"]
    document.add_paragraph("Forslag fra gruppe 2", style="Mit Afsnit")
    document.add_paragraph("Almindelig tekst")
    buffer = io.BytesIO()
    document.save(buffer)
    _, blocks = read_document("a.docx", buffer.getvalue())
    assert [block.kind for block in blocks] == [
        BlockKind.HEADING, BlockKind.HEADING, BlockKind.TEXT,
    ]  # fmt: skip


def test_blocks_carry_no_notes_outside_tables() -> None:
    _, blocks = read_document("a.docx", as_docx(NESTED))
    assert all(block.notes == () for block in blocks)
    assert isinstance(blocks[0], Block)


def test_nested_bullets_in_a_pdf_by_their_indentation() -> None:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    lines = [
        (56, "Møde om stierne 12.06.2025", None),
        (56, "Forslag", None),
        (90, "Cykelsti langs åen", ("•", 72)),
        (126, "med lys", ("o", 108)),  # Word's second level, saved as PDF
        (126, "og bænke", ("o", 108)),
        (90, "Natbus", ("•", 72)),
        (126, "i weekenden", ("–", 108)),
    ]
    for number, (x, text, glyph) in enumerate(lines):
        y = 800 - 16 * number
        pdf.setFont("Helvetica", 11)
        if glyph:
            pdf.drawString(glyph[1], y, glyph[0])
        pdf.drawString(x, y, text)
    pdf.showPage()
    pdf.save()
    minutes = parse_document("stier.pdf", buffer.getvalue()).minutes
    assert [(idea.text, idea.details) for idea in minutes.ideas] == [
        ("Cykelsti langs åen", ("med lys", "og bænke")),
        ("Natbus", ("i weekenden",)),
    ]
