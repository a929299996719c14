"""Property: whatever bytes arrive, the importer gives parsed minutes or MinutesRejected.

Never another exception. A result obeys the shape the rest of the system relies on; a
rejection is one sentence.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.importer import documents
from workflow.importer.blocks import normalise_space
from workflow.importer.document import ParsedDocument, parse_document, require_ideas
from workflow.importer.errors import MinutesRejected

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "interessentmoede-2025-06-12.txt"


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


FILENAMES = st.sampled_from(
    ["referat.txt", "referat.pdf", "referat.docx", "referat.doc", "referat", "REFERAT.TXT"]
)


@cache
def sample_bytes() -> bytes:
    return SAMPLE.read_bytes()


@cache
def docx_bytes() -> bytes:
    return documents.as_docx()


@cache
def pdf_bytes() -> bytes:
    return documents.as_pdf()


def import_or_reject(filename: str, content: bytes) -> ParsedDocument | None:
    """The importer's answer, checked; None when it refused the file."""
    try:
        document = require_ideas(parse_document(filename, content))
    except MinutesRejected as error:
        rejected = error
    else:
        check_result(document)
        event("read: ideas")
        return document
    message = rejected.message
    assert isinstance(message, str)
    assert message and message == message.strip() and "\n" not in message
    assert message.endswith(".")
    assert str(rejected) == message
    event(f"rejected: {message}")
    return None


def check_result(document: ParsedDocument) -> None:
    assert re.fullmatch(r"[0-9a-f]{64}", document.content_hash)
    minutes = document.minutes
    assert minutes.title and len(minutes.title) <= 300
    assert minutes.ideas
    assert [idea.position for idea in minutes.ideas] == list(range(1, len(minutes.ideas) + 1))
    for idea in minutes.ideas:
        assert idea.text and idea.text == normalise_space(idea.text)
        assert len(idea.title) <= 120
    assert all(minutes.themes)
    assert len(set(minutes.themes)) == len(minutes.themes)
    for person in minutes.participants:
        assert person.name and len(person.name) <= 200
        assert person.email is None or "@" in person.email


# --- arbitrary bytes ------------------------------------------------------------------------


@fuzz(400)
@given(filename=FILENAMES, content=st.binary(max_size=3000))
def test_arbitrary_bytes(filename: str, content: bytes) -> None:
    import_or_reject(filename, content)


MAGIC = st.sampled_from(
    [
        b"",
        b"%PDF-1.4\n",
        b"PK\x03\x04",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        b"\xfe\xff",
    ]
)


@fuzz(300)
@given(filename=FILENAMES, magic=MAGIC, rest=st.binary(max_size=2000))
def test_arbitrary_bytes_behind_a_known_signature(filename: str, magic: bytes, rest: bytes) -> None:
    import_or_reject(filename, magic + rest)


# --- mutations of real documents ------------------------------------------------------------

MUTATION = st.one_of(
    st.tuples(st.just("flip"), st.floats(0, 1), st.integers(0, 255)),
    st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 400)),
    st.tuples(st.just("insert"), st.floats(0, 1), st.binary(min_size=1, max_size=40)),
    st.tuples(st.just("truncate"), st.floats(0, 1), st.none()),
    st.tuples(st.just("repeat"), st.floats(0, 1), st.integers(1, 300)),
)


def mutate(content: bytes, mutations: list[tuple[str, float, object]]) -> bytes:
    data = bytearray(content)
    for kind, where, arg in mutations:
        at = int(where * len(data))
        if kind == "flip" and data:
            data[min(at, len(data) - 1)] ^= int(arg) or 1  # type: ignore[call-overload]
        elif kind == "delete":
            del data[at : at + int(arg)]  # type: ignore[call-overload]
        elif kind == "insert":
            data[at:at] = arg  # type: ignore[index]
        elif kind == "truncate":
            del data[at:]
        elif kind == "repeat":
            data[at:at] = data[at : at + int(arg)]  # type: ignore[call-overload]
    return bytes(data)


@fuzz(400)
@given(filename=FILENAMES, mutations=st.lists(MUTATION, min_size=1, max_size=8))
def test_mutations_of_the_sample(filename: str, mutations: list[tuple[str, float, object]]) -> None:
    import_or_reject(filename, mutate(sample_bytes(), mutations))


@fuzz(100)
@given(mutations=st.lists(MUTATION, min_size=1, max_size=4))
def test_mutations_of_a_word_file(mutations: list[tuple[str, float, object]]) -> None:
    import_or_reject("referat.docx", mutate(docx_bytes(), mutations))


@fuzz(100)
@given(mutations=st.lists(MUTATION, min_size=1, max_size=4))
def test_mutations_of_a_pdf(mutations: list[tuple[str, float, object]]) -> None:
    import_or_reject("referat.pdf", mutate(pdf_bytes(), mutations))


def test_the_unmutated_documents_are_read() -> None:
    for filename, content in [
        ("sample.txt", sample_bytes()),
        ("referat.docx", docx_bytes()),
        ("referat.pdf", pdf_bytes()),
    ]:
        check_result(parse_document(filename, content))


# --- text in every encoding -----------------------------------------------------------------

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252"])
MINUTES_CHARACTERS = st.characters(
    codec="utf-8",
    categories=["L", "N", "P", "S", "Zs", "Cc"],
    include_characters="\n\n\n\r\t •▪\uf0b7-*–—”æøåÆØÅé…",
)


@fuzz(400)
@given(text=st.text(MINUTES_CHARACTERS, max_size=400), encoding=ENCODINGS, filename=FILENAMES)
def test_random_text_in_any_encoding(text: str, encoding: str, filename: str) -> None:
    import_or_reject(filename, text.encode(encoding, errors="replace"))


LINES = st.one_of(
    st.sampled_from(
        [
            "Opsamling på øvelse 1 (mini-tragt)",
            "Vigtige emner/temaer",
            "Udfordringer",
            "Hvad står i vejen?",
            "Idéer og muligheder fra borddeltagerne",
            "Vi kan…",
            "Det kan vi selv gøre",
            "Styrker, vi kan bygge videre på",
            "Spørgsmål/andet",
            "Dagsorden",
            "Deltagere",
            "Deltagere: Anne Hansen (Ældresagen), Bo Berg (Randers Kommune)",
            "STED: THORLOUNGE, CEPHEUS PARK",
            "BORDVÆRT OG REFERENT: ANNE ERLANDSEN",
            "Dato: 12. juni 2025",
            "Referat",
            "(spørgsmål 1 på slide)",
            "Anne Sørensen, Randers Kommune, anne@randers.dk",
            "Navn, Organisation, E-mail",
            "",
            " ",
        ]
    ),
    st.builds(
        "{}{}".format,
        st.sampled_from(["\uf0b7 ", "• ", "▪ ", "- ", "* ", "– ", "1. ", "  ", ""]),
        st.text(MINUTES_CHARACTERS, max_size=80),
    ),
)


@fuzz(500)
@given(lines=st.lists(LINES, max_size=30), encoding=ENCODINGS, crlf=st.booleans())
def test_minutes_shaped_text(lines: list[str], encoding: str, crlf: bool) -> None:
    text = ("\r\n" if crlf else "\n").join(lines)
    document = import_or_reject("referat.txt", text.encode(encoding, errors="replace"))
    if document is not None and encoding != "cp1252" and not CONTROL.search(text):
        # The same text in another Unicode encoding is the same document.
        other = "utf-8" if encoding.startswith("utf-16") else "utf-16"
        again = import_or_reject("referat.txt", text.encode(other))
        assert again is not None
        assert again.minutes == document.minutes
        assert again.content_hash == document.content_hash
