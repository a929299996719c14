"""Property: whatever the mix of headings (by style, bold or size), bullets with sub-bullets,
numbered items and tables of proposals, the ideas that go into a Word or OpenDocument file come
out of it, in order, with their sub-bullets as details and their table columns as notes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.importer.structured import Cell, Grid, Heading, Item, Part, as_docx, as_odt
from tests.importer.test_property import fuzz
from workflow.importer.document import parse_document

# Words that name no part of minutes (no "forslag", "tema", "deltagere", months ...).
WORDS = ["cykelsti", "bænke", "lys", "skolen", "byen", "hallen", "bussen", "parken", "stien",
         "torvet", "kaffe", "frivillige", "børn", "unge", "ældre", "borgere", "sammen", "ved",
         "langs", "nye", "flere", "grønne", "trygge", "lange", "om", "aftenen", "på",
         "åen"]  # fmt: skip
PROPOSALS = ["Forslag", "Idéer", "Tiltag", "Handlinger", "Løsninger", "Indsatser", "Proposals"]
COLUMNS = ["Gruppe", "Næste skridt", "Ansvarlig", "Bemærkning", "Tidsplan"]

Expected = tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]]

text = st.lists(st.sampled_from(WORDS), min_size=2, max_size=7).map(
    lambda words: " ".join(words).capitalize()
)
look = st.sampled_from(["style", "bold", "large"])


@st.composite
def bullets(draw: st.DrawFn) -> tuple[list[Part], list[Expected]]:
    """A list of ideas, some with sub-bullets; numbered or not, or numbers typed by hand."""
    numbered = draw(st.booleans())
    typed = draw(st.booleans())
    parts: list[Part] = []
    expected: list[Expected] = []
    for number in range(1, draw(st.integers(1, 4)) + 1):
        idea, details = draw(text), draw(st.lists(text, max_size=2))
        if typed and not details:
            parts.append(Item(idea, typed=f"{number}{draw(st.sampled_from('.)'))}"))
        else:
            parts.append(Item(idea, numbered=numbered))
            parts += [Item(detail, 1, numbered) for detail in details]
        expected.append((idea, tuple(details), ()))
    return parts, expected


@st.composite
def table(draw: st.DrawFn) -> tuple[list[Part], list[Expected]]:
    """A table of proposals: its proposals column anywhere, other columns sometimes empty."""
    others = draw(st.lists(st.sampled_from(COLUMNS), max_size=3, unique=True))
    at = draw(st.integers(0, len(others)))
    header = (*others[:at], draw(st.sampled_from(PROPOSALS)), *others[at:])
    rows: list[tuple[Cell, ...]] = []
    expected: list[Expected] = []
    for _ in range(draw(st.integers(1, 4))):
        idea, details = draw(text), draw(st.lists(text, max_size=2))
        values = [draw(st.just("") | text) for _ in others]
        cells: list[Cell] = [*values[:at], (idea, *details) if details else idea, *values[at:]]
        rows.append(tuple(cells))
        notes = tuple(
            (column, value) for column, value in zip(others, values, strict=True) if value
        )
        expected.append((idea, tuple(details), notes))
    return [Grid(header, tuple(rows), draw(st.booleans()))], expected


@st.composite
def minutes(draw: st.DrawFn) -> tuple[list[Part], list[Expected]]:
    """Minutes: a title, then sections of ideas under headings of any look."""
    parts: list[Part] = [Heading(f"Referat af mødet om {draw(text).lower()}")]
    expected: list[Expected] = []
    for _ in range(draw(st.integers(1, 4))):
        parts.append(Heading(f"Forslag om {draw(text).lower()}", draw(look)))
        for _ in range(draw(st.integers(1, 2))):
            section, ideas = draw(bullets() | table())
            parts += section
            expected += ideas
    return parts, expected


@fuzz(40)
@given(layout=minutes(), numbering=st.sampled_from(["style", "numpr"]))
def test_word_files_give_back_their_ideas(
    layout: tuple[list[Part], list[Expected]], numbering: str
) -> None:
    parts, expected = layout
    read = parse_document("referat.docx", as_docx(parts, numbering)).minutes
    assert [(idea.text, idea.details, idea.notes) for idea in read.ideas] == expected


@fuzz(60)
@given(layout=minutes(), headings=st.sampled_from(["h", "style"]))
def test_odt_files_give_back_their_ideas(
    layout: tuple[list[Part], list[Expected]], headings: str
) -> None:
    parts, expected = layout
    read = parse_document("referat.odt", as_odt(parts, headings)).minutes
    assert [(idea.text, idea.details, idea.notes) for idea in read.ideas] == expected
