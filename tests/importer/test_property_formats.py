"""Property, format by format: inside a container that opens, whatever it holds, the importer
gives parsed minutes or MinutesRejected.

test_property.py feeds bytes, and mutations of real files. Mutated Word files rarely survive
the zip's checksums and mutated PDFs rarely keep a content stream, so the XML reader and the
PDF interpreter are seldom reached with odd input that way. Here the containers are sound and
what they hold is generated: any XML (or bytes) as the Word document part, packages with parts
missing, broken or vast; PDFs with any text, and with any content stream.
"""

from __future__ import annotations

import io
import zipfile
from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.importer import documents
from tests.importer.test_property import fuzz, import_or_reject
from workflow.importer.document import parse_document
from workflow.importer.errors import MinutesRejected

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCUMENT_PART = "word/document.xml"


WORD_PARTS = ("[Content_Types].xml", "_rels/.rels", DOCUMENT_PART,
              "word/_rels/document.xml.rels", "word/styles.xml", "word/numbering.xml")  # fmt: skip


@cache
def word_parts() -> dict[str, bytes]:
    """The parts of a real Word file a document needs, by name."""
    with zipfile.ZipFile(io.BytesIO(documents.as_docx())) as package:
        return {name: package.read(name) for name in WORD_PARTS}


def package(parts: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of ``parts``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as zipped:
        for name, data in parts.items():
            zipped.writestr(name, data)
    return out.getvalue()


# --- the Word document part -----------------------------------------------------------------

TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\x00"),
    max_size=40,
) | st.sampled_from(["- En idé", "• Tema", "Deltagere", "Anne, Ældresagen, anne@x.dk", ""])
TAGS = st.sampled_from(
    ["p", "r", "t", "tab", "br", "tbl", "tr", "tc", "pPr", "pStyle", "numPr", "body", "sectPr"]
)


def _element(tag: str, attributes: str, children: list[str], text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;")
    return f"<w:{tag}{attributes}>{escaped}{''.join(children)}</w:{tag}>"


ATTRIBUTES = st.sampled_from(
    ["", ' w:val="Heading1"', ' w:val="ListBullet"', ' w:val="Overskrift2"', ' w:val=""']
)
ELEMENTS = st.recursive(
    st.builds(_element, TAGS, ATTRIBUTES, st.just([]), TEXT),
    lambda children: st.builds(_element, TAGS, ATTRIBUTES, st.lists(children, max_size=5), TEXT),
    max_leaves=30,
)
HOSTILE_XML = st.sampled_from(
    [
        b"",
        b"\xef\xbb\xbf",
        b"<w:document/>",
        f'<w:document xmlns:w="{W}"/>'.encode(),  # no body
        f'<w:document xmlns:w="{W}"><w:body/></w:document>'.encode(),
        # entity expansion and an external entity: never expanded, never fetched
        f'<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>- &b;</w:t></w:r></w:p>'
        f"</w:body></w:document>".encode(),
        f'<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><w:document xmlns:w="{W}">'
        f"<w:body><w:p><w:r><w:t>- &e;</w:t></w:r></w:p></w:body></w:document>".encode(),
        f'<w:document xmlns:w="{W}"><w:body>{"<w:p>" * 3000}{"</w:p>" * 3000}</w:body>'
        f"</w:document>".encode(),
        "<w:document xmlns:w='x'>\u00e6\u00f8\u00e5</w:document>".encode("utf-16"),
    ]
)


def document_part(elements: list[str]) -> bytes:
    return f'<w:document xmlns:w="{W}"><w:body>{"".join(elements)}</w:body></w:document>'.encode()


@fuzz(80)
@given(
    part=st.lists(ELEMENTS, max_size=8).map(document_part) | HOSTILE_XML | st.binary(max_size=500)
)
def test_word_files_with_any_document_part(part: bytes) -> None:
    import_or_reject("referat.docx", package({**word_parts(), DOCUMENT_PART: part}))


@fuzz(60)
@given(
    left_out=st.sets(st.sampled_from(sorted(word_parts())), max_size=4),
    broken=st.dictionaries(st.sampled_from(sorted(word_parts())), st.binary(max_size=200),
                           max_size=3),
    stored=st.booleans(),
)  # fmt: skip
def test_word_packages_with_parts_missing_or_broken(
    left_out: set[str], broken: dict[str, bytes], stored: bool
) -> None:
    parts = {name: broken.get(name, data) for name, data in word_parts().items()}
    parts = {name: data for name, data in parts.items() if name not in left_out}
    compression = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    import_or_reject("referat.docx", package(parts, compression))


def claiming(content: bytes, name: str, size: int) -> bytes:
    """``content`` (a zip) with its directory saying part ``name`` unpacks to ``size`` bytes:
    what a zip bomb says of itself (a gigabyte of spaces deflates to a megabyte)."""
    data = bytearray(content)
    at = data.find(b"PK\x01\x02")
    while at != -1:
        length = int.from_bytes(data[at + 28 : at + 30], "little")
        if data[at + 46 : at + 46 + length] == name.encode():
            data[at + 24 : at + 28] = size.to_bytes(4, "little")
            return bytes(data)
        at = data.find(b"PK\x01\x02", at + 1)
    raise AssertionError(f"{name} is not in the zip")


def test_a_word_file_that_unpacks_to_gigabytes_is_refused_unread() -> None:
    bomb = claiming(package(word_parts()), "word/styles.xml", 4_000_000_000)
    with pytest.raises(MinutesRejected, match="unpacks to more than 50 MB"):
        parse_document("referat.docx", bomb)


def test_a_word_document_part_without_a_body_is_refused() -> None:
    part = f'<w:document xmlns:w="{W}"></w:document>'.encode()
    with pytest.raises(MinutesRejected, match="not a readable Word"):
        parse_document("referat.docx", package({**word_parts(), DOCUMENT_PART: part}))


# --- PDF --------------------------------------------------------------------------------------

LATIN = st.text(st.characters(codec="latin-1", exclude_characters="\x00"), max_size=60)


@fuzz(40)
@given(lines=st.lists(LATIN | st.sampled_from(["\u2022 En idé om noget", "Deltagere"]),
                      max_size=12),
       size=st.integers(1, 40))  # fmt: skip
def test_pdfs_with_any_text(lines: list[str], size: int) -> None:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=True)
    pdf.setFont("Helvetica", size)
    for number, line in enumerate(lines):
        pdf.drawString(40, 800 - number * (size + 2), line)
    pdf.showPage()
    pdf.save()
    import_or_reject("referat.pdf", buffer.getvalue())


OPERANDS = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(lambda f: f"{f:.3f}"),
    st.binary(max_size=20).map(lambda b: "(" + b.decode("latin-1").replace(")", "") + ")"),
    st.binary(max_size=10).map(lambda b: "<" + b.hex() + ">"),
    st.sampled_from(["/F1", "/F2", "/Nope", "[(a) -120 (b)]", "[", "]", "<<", ">>", "null"]),
)
OPERATORS = st.sampled_from(
    ["BT", "ET", "Tf", "Tj", "TJ", "'", '"', "Td", "TD", "Tm", "T*", "Tc", "Tw", "Tz", "TL",
     "cm", "q", "Q", "re", "f", "Do", "gs", "BI", "ID", "EI", "xx"]
)  # fmt: skip
CONTENT = st.lists(
    st.tuples(st.lists(OPERANDS, max_size=4), OPERATORS).map(
        lambda step: " ".join([*step[0], step[1]])
    ),
    max_size=25,
).map(lambda steps: "BT /F1 12 Tf 50 700 Td (\x95 En ide) Tj ET\n" + "\n".join(steps))


def raw_pdf(content: bytes, filters: str) -> bytes:
    """A one-page PDF with a correct cross-reference table around ``content``."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d%s >>\nstream\n" % (len(content), filters.encode()) + content
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]  # fmt: skip
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@fuzz(80)
@given(
    content=CONTENT.map(lambda text: text.encode("latin-1")) | st.binary(max_size=300),
    filters=st.sampled_from(["", " /Filter /FlateDecode", " /Filter /LZWDecode",
                             " /Filter /ASCIIHexDecode", " /Filter /Nope", " /Filter [/A85 /Fl]"]),
)  # fmt: skip
def test_pdfs_with_any_content_stream(content: bytes, filters: str) -> None:
    import_or_reject("referat.pdf", raw_pdf(content, filters))


def test_the_raw_pdf_reads() -> None:
    content = b"BT /F1 12 Tf 50 700 Td (Referat) Tj 0 -20 Td (- En ide om noget) Tj ET"
    document = parse_document("referat.pdf", raw_pdf(content, ""))
    assert [idea.text for idea in document.minutes.ideas] == ["En ide om noget"]
