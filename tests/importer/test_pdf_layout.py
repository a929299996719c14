"""PDF pages as a reader sees them: no running headers, footers or page numbers in the text,
bullets whole across page breaks, headings told by type, the title the document's own."""

from __future__ import annotations

import re
from dataclasses import replace

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from tests.importer.paged_pdfs import Paged, Section, body_lines, break_before, page_count, render
from tests.importer.pdf_text import pdf_text
from workflow.importer.blocks import BlockKind
from workflow.importer.document import parse_document
from workflow.importer.parser import ParsedMinutes
from workflow.importer.readers import pdf_blocks
from workflow.importer.vocabulary import is_structural_heading, labels_in

HEADER = ("Randers Kommune · Referat · Ungerådet",)
TITLE = "Ungerådets møde om fritid og trivsel"
LONG_IDEA = (
    "Etabler en sikker skolevej langs Randersvej, hvor kommunen og grundejerforeningen deler "
    "udgiften til belysning, og hvor forældrene hjælper med at male afmærkningen på vejen."
)
IDEAS = [
    "Flere bænke ved søen, så de ældre kan hvile sig på vej til byen.",
    LONG_IDEA,
    "Et ungdomshus i midtbyen med åbent om aftenen og i weekenderne.",
    "Gratis busser for unge under atten år i sommerferien.",
]


def side(number: int, pages: int) -> str:
    return f"Side {number} af {pages}"


def minutes_of(document: Paged) -> ParsedMinutes:
    return parse_document("referat.pdf", render(document)).minutes


def furnished(**changes: object) -> Paged:
    document = Paged(TITLE, [Section("Forslag fra grupperne", IDEAS)], HEADER, side, width=60)
    return replace(document, **changes)  # type: ignore[arg-type]


def split_inside(document: Paged, idea: str, line: int) -> Paged:
    """``document`` with a page break before the ``line``-th line of ``idea``."""
    lines = [entry.text for entry in body_lines(document)]
    start = next(i for i, text in enumerate(lines) if idea.startswith(text))
    return replace(document, breaks={start + line})


def test_a_bullet_split_mid_sentence_by_a_page_break_comes_out_whole() -> None:
    document = split_inside(furnished(), LONG_IDEA, 1)
    assert page_count(document) == 2
    minutes = minutes_of(document)
    assert [idea.text for idea in minutes.ideas] == IDEAS
    assert minutes.title == TITLE
    assert minutes.unrecognised == ()


def test_a_continuation_that_starts_with_a_capital_letter_joins_its_bullet() -> None:
    idea = "Cykelstien langs åen skal forlænges helt til Langå Kulturhus og Randers Bibliotek."
    bullet = [
        "Cykelstien langs åen skal forlænges helt til",
        "Langå Kulturhus og Randers Bibliotek.",
    ]
    document = furnished(sections=[Section("Forslag", [IDEAS[0], bullet, IDEAS[2]])])
    document = replace(document, breaks={break_before(document, bullet[1])})
    assert [i.text for i in minutes_of(document).ideas] == [IDEAS[0], idea, IDEAS[2]]


def test_a_word_hyphenated_over_a_page_break_reads_as_within_a_page() -> None:
    bullet = ["Praktikpladser til unge på SOSU-", "uddannelsen i alle kommunens plejecentre."]
    split = ["Mere hjælp til lektier og uddan-", "nelse for de unge, der har brug for det."]
    document = furnished(sections=[Section("Forslag", [bullet, split])])
    on_one_page = [idea.text for idea in minutes_of(document).ideas]
    assert on_one_page[0] == (
        "Praktikpladser til unge på SOSU-uddannelsen i alle kommunens plejecentre."
    )
    for line in (bullet[1], split[1]):
        moved = replace(document, breaks={break_before(document, line)})
        assert page_count(moved) == 2
        assert [idea.text for idea in minutes_of(moved).ideas] == on_one_page


def test_a_page_break_between_two_bullets_leaves_two_bullets() -> None:
    document = furnished()
    for idea in IDEAS[1:]:
        moved = split_inside(document, idea, 0)
        minutes = minutes_of(moved)
        assert [i.text for i in minutes.ideas] == IDEAS
        assert page_count(moved) == 2


def test_the_running_header_and_footer_are_not_text_of_the_minutes() -> None:
    document = furnished(breaks={5, 7}, footer_left="Randers Kommune, Rådhuspladsen 1")
    assert page_count(document) == 3
    text = pdf_text(render(document))
    assert "Randers Kommune · Referat" not in text
    assert "Side" not in text and "Rådhuspladsen" not in text
    assert text.count("\f") == 2
    assert text.splitlines()[0] == TITLE


def test_the_title_is_the_first_heading_not_the_running_header() -> None:
    minutes = minutes_of(furnished(breaks={4}))
    assert minutes.title == TITLE
    assert str(minutes.held_on) == "2025-06-12"
    assert {idea.section for idea in minutes.ideas} == {"Forslag fra grupperne"}


def test_page_numbers_in_every_style_are_left_out() -> None:
    styles = [side, lambda n, m: f"Page {n} of {m}", lambda n, m: f"{n}/{m}",
              lambda n, m: f"- {n} -", lambda n, m: str(n), lambda n, m: f"Side {n}"]  # fmt: skip
    for style in styles:
        for header in ((), HEADER):
            document = furnished(footer=style, header=header, breaks={6})
            minutes = minutes_of(document)
            assert [idea.text for idea in minutes.ideas] == IDEAS, style(1, 2)
            assert minutes.unrecognised == (), style(1, 2)


def test_a_one_page_pdf_loses_only_its_page_number() -> None:
    document = furnished(header=(), footer=side)
    assert page_count(document) == 1
    blocks = pdf_blocks(render(document))
    assert [b.text for b in blocks if b.kind is BlockKind.BULLET] == IDEAS
    assert not any("Side" in block.text for block in blocks)


def test_a_number_in_the_body_of_a_one_page_pdf_stays() -> None:
    document = furnished(header=(), footer=None, after_title=["2025", "Dato: 12. juni 2025"])
    assert "2025" in pdf_text(render(document)).splitlines()


def test_headings_are_told_by_bold_type_and_by_size() -> None:
    """A heading at the top of a page, after a finished bullet, starts a section: by type only,
    since by its words it could be the rest of the bullet."""
    sections = [
        Section("Forslag", IDEAS[:2]),
        Section("Trafik og veje", IDEAS[2:3]),  # bold, body size
        Section("Fritid for de unge", IDEAS[3:], font="Helvetica", size=14),  # larger, plain
    ]
    document = furnished(sections=sections)
    for heading in ("Trafik og veje", "Fritid for de unge"):
        moved = replace(document, breaks={break_before(document, heading)})
        blocks = pdf_blocks(render(moved))
        headings = [block.text for block in blocks if block.kind is BlockKind.HEADING]
        assert headings == [TITLE, "Forslag", "Trafik og veje", "Fritid for de unge"]
        minutes = minutes_of(moved)
        assert [(idea.section, idea.text) for idea in minutes.ideas] == [
            ("Forslag", IDEAS[0]),
            ("Forslag", IDEAS[1]),
            ("Trafik og veje", IDEAS[2]),
            ("Fritid for de unge", IDEAS[3]),
        ]


# --- any content, any page breaks, any furniture ------------------------------------------------

WORDS = [
    "cykel", "skole", "bus", "park", "sø", "bænk", "lys", "vej", "sti", "hal", "klub", "unge",
    "ældre", "børn", "by", "havn", "torv", "bro", "skov", "mark", "musik", "sport", "kaffe",
    "natur", "have", "bibliotek", "værksted", "café", "trafik", "sommer", "vinter", "weekend",
    "åben", "gratis", "flere", "bedre", "tryg", "grøn", "fælles", "lokal", "og", "til", "med",
    "ved", "for", "i", "på", "om", "efter", "hver", "SOSU-uddannelsen", "Randers", "Langå",
    "Kommunen", "Gudenåen", "børne- og ungeområdet", "cykel- og gangstier", "(fx", "bus)", "nu,",
]  # fmt: skip
SENTENCE = st.lists(st.sampled_from(WORDS), min_size=2, max_size=14).map(
    lambda words: " ".join(words).capitalize().replace(" ,", ",") + "."
)
IDEA = st.lists(SENTENCE, min_size=1, max_size=3).map(" ".join)
HEADINGS = ["Forslag", "Det kan vi selv gøre", "Idéer fra gruppe 2", "Løsninger", "Tiltag"]
HEADER_STYLES = [(), HEADER, ("Randers Kommune", "Referat 12. juni 2025 · Ungerådet")]
FOOTERS = [
    None,
    side,
    lambda n, m: f"Page {n} of {m}",
    lambda n, m: f"{n}/{m}",
    lambda n, m: str(n),
]


@st.composite
def documents(draw: st.DrawFn) -> Paged:
    headings = draw(st.lists(st.sampled_from(HEADINGS), min_size=1, max_size=3, unique=True))
    styles = st.sampled_from([("Helvetica-Bold", 12), ("Helvetica", 14), ("Helvetica-Bold", 11)])
    sections = [
        Section(h, draw(st.lists(IDEA, min_size=1, max_size=6)), *draw(styles)) for h in headings
    ]
    document = Paged(
        TITLE,
        sections,
        header=draw(st.sampled_from(HEADER_STYLES)),
        footer=draw(st.sampled_from(FOOTERS)),
        footer_left=draw(st.sampled_from([None, "Randers Kommune"])),
        width=draw(st.integers(30, 90)),
    )
    count = len(body_lines(document))
    breaks = draw(st.sets(st.integers(1, count - 1), max_size=5)) if count > 1 else set()
    return replace(document, breaks=breaks)


def _edge_lines_are_unique(document: Paged) -> bool:
    """Body lines that repeat word for word at the edge of half the pages are furniture by
    definition; generated content must not do that by chance."""
    texts = [re.sub(r"\d+", "#", line.text.casefold()) for line in body_lines(document)]
    return len(set(texts)) == len(texts)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_ideas_in_are_ideas_out_whatever_the_pages(document: Paged) -> None:
    assume(_edge_lines_are_unique(document))
    bullets = [line.text for line in body_lines(document) if line.x > 56]
    assume(not any(is_structural_heading(text) for text in bullets))
    assume(not any(labels_in(line.text) for line in body_lines(document)[2:]))
    pages = page_count(document)
    event(f"pages: {min(pages, 4)}{'+' if pages >= 4 else ''}")
    event(f"furniture: {bool(document.header)}, {document.footer is not None}")
    minutes = minutes_of(document)
    expected = [(s.heading, bullet) for s in document.sections for bullet in s.bullets]
    assert [(idea.section, idea.text) for idea in minutes.ideas] == expected
    assert minutes.title == TITLE
    assert minutes.unrecognised == ()


def test_text_drawn_inside_a_form_is_read_in_lines() -> None:
    """Some printers wrap each page in a form (an XObject); its text is read like any other."""
    import io

    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.beginForm("page")
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(56, 780, TITLE)
    pdf.setFont("Helvetica", 11)
    pdf.drawString(62, 760, "•")
    pdf.drawString(76, 760, IDEAS[0])
    pdf.endForm()
    pdf.doForm("page")
    pdf.showPage()
    pdf.save()
    blocks = pdf_blocks(buffer.getvalue())
    assert [(block.kind, block.text) for block in blocks] == [
        (BlockKind.HEADING, TITLE),
        (BlockKind.BULLET, IDEAS[0]),
    ]


def test_a_bullet_set_in_bold_stays_one_bullet_over_lines_and_pages() -> None:
    bullet = [
        "Et ungdomshus i midtbyen, som",
        "Kommunen og foreningerne driver",
        "Sammen med de unge.",
    ]
    bold = Section("Forslag", [IDEAS[0], bullet, IDEAS[2]])
    document = furnished(sections=[bold])
    for line in ("", bullet[1], bullet[2]):
        moved = replace(document, breaks={break_before(document, line)} if line else set())
        minutes = minutes_of(_with_bold_bullet(moved, bullet))
        assert [idea.text for idea in minutes.ideas] == [IDEAS[0], " ".join(bullet), IDEAS[2]]
        assert minutes.title == TITLE and minutes.unrecognised == ()


def _with_bold_bullet(document: Paged, lines: list[str]) -> Paged:
    return replace(document, bold_lines=frozenset(lines))


def test_a_title_wrapped_over_two_lines_is_one_heading() -> None:
    import io

    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(56, 780, "Referat af ungerådets møde om fritid, trivsel og")
    pdf.drawString(56, 761, "trafik i Langå")
    pdf.drawString(56, 742, "Øvelse 1: Hvad gør vi nu")  # a heading of its own by its words
    pdf.setFont("Helvetica", 11)
    pdf.drawString(56, 724, "Sted: Langå Kulturhus")
    pdf.drawString(62, 700, "•")
    pdf.drawString(76, 700, IDEAS[0])
    pdf.showPage()
    pdf.save()
    minutes = parse_document("referat.pdf", buffer.getvalue()).minutes
    assert minutes.title == "Referat af ungerådets møde om fritid, trivsel og trafik i Langå"
    assert minutes.location == "Langå Kulturhus"
    assert [(idea.exercise, idea.text) for idea in minutes.ideas] == [
        ("Øvelse 1: Hvad gør vi nu", IDEAS[0])
    ]
