"""Formats refused with a sentence saying what to do, and zipped documents past the caps:
vast unpacked sizes, dense XML, too many paragraphs or table rows, refused with little memory."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
import zlib

import pytest

from tests.importer.structured import Grid, Heading, as_odt, odt_package
from tests.importer.test_bad_input import rejection
from workflow.importer.document import parse_document
from workflow.importer.readers.zipped import MAX_PARAGRAPHS, MAX_TABLE_ROWS, MAX_UNPACKED_BYTES

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
SAVE_AS = "save the minutes as .docx, .odt or PDF and upload that file"
MIB = 1 << 20


def word_package(document_xml: bytes) -> bytes:
    """A zip holding only a Word document part."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/document.xml", document_xml)
    return buffer.getvalue()


def document_xml(body: str, prefix: str = "w") -> bytes:
    return (
        f'<{prefix}:document xmlns:{prefix}="{W}"><{prefix}:body>{body}</{prefix}:body>'
        f"</{prefix}:document>"
    ).encode()


@pytest.mark.parametrize(
    ("filename", "content", "start"),
    [
        ("referat.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000), "Old Word files (.doc)"),
        ("referat.rtf", b"{\\rtf1\\ansi\\deff0 {\\fonttbl}\\par Forslag}", "Rich Text files"),
        ("referat.txt", b"  \r\n{\\RTF1\\ansi Forslag}", "Rich Text files"),
    ],
)
def test_old_word_and_rich_text_files_are_refused_with_what_to_do(
    filename: str, content: bytes, start: str
) -> None:
    message = rejection(filename, content)
    assert message.startswith(start)
    assert SAVE_AS in message


@pytest.mark.parametrize("kind", ["spreadsheet", "presentation", "graphics", "formula"])
def test_other_opendocument_files_are_refused(kind: str) -> None:
    content = odt_package("<text:p>Forslag</text:p>", f"application/vnd.oasis.opendocument.{kind}")
    message = rejection(f"referat.od{kind[0]}", content)
    assert "OpenDocument spreadsheet, presentation or drawing" in message
    assert SAVE_AS in message


def test_excel_files_and_other_zips_are_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name in ("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml"):
            package.writestr(name, "<x/>")
    assert "Excel or PowerPoint" in rejection("referat.xlsx", buffer.getvalue())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("referat.txt", "• Cykelsti\n")
    message = rejection("referat.zip", buffer.getvalue())
    assert "zip archive, not a Word (.docx) or OpenDocument text (.odt) file" in message
    assert "not a readable OpenDocument text (.odt)" in rejection("a.odt", buffer.getvalue())


@pytest.mark.parametrize(
    "content",
    [
        "<text:p>Forslag",  # cut off
        '<!DOCTYPE d [<!ENTITY a "aaaa">]><x/>',  # no document type declarations at all
    ],
)
def test_broken_opendocument_content_is_refused(content: str) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        package.writestr("content.xml", content)
    assert "not a readable OpenDocument text (.odt)" in rejection("a.odt", buffer.getvalue())


def test_an_odt_without_content_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    assert "not a readable OpenDocument text (.odt)" in rejection("a.odt", buffer.getvalue())


# --- zip bombs and caps -----------------------------------------------------------------------


def raw_zip(name: str, compressed: bytes, crc: int, size: int) -> bytes:
    """A zip of one deflated part whose bytes are given, its header claiming ``size``."""
    encoded = name.encode()
    header = struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(compressed), size, len(encoded), 0
    )
    local = header + encoded + compressed
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(compressed), size,
        len(encoded), 0, 0, 0, 0, 0, 0,
    ) + encoded  # fmt: skip
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local), 0)
    return local + central + end


def gigabyte_of_spaces_in_a_paragraph() -> tuple[bytes, int, int]:
    """A deflate stream of a Word document whose one paragraph holds 1 GiB of spaces, built
    from one compressed mebibyte repeated (each piece flushed to stand alone)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    opening = document_xml("<w:p><w:r><w:t>")[: -len("</w:body></w:document>")]
    opening += b"<w:p><w:r><w:t>"
    closing = b"</w:t></w:r></w:p></w:body></w:document>"
    start = compressor.compress(opening) + compressor.flush(zlib.Z_FULL_FLUSH)
    spaces = b" " * MIB
    piece = compressor.compress(spaces) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(opening)
    for _ in range(1024):
        crc = zlib.crc32(spaces, crc)
    crc = zlib.crc32(closing, crc)
    stream = start + piece * 1024 + compressor.compress(closing) + compressor.flush()
    return stream, crc & 0xFFFFFFFF, len(opening) + 1024 * MIB + len(closing)


def refused_within(limit_mb: int, filename: str, content: bytes) -> str:
    """The refusal, with the memory traced while reading held under ``limit_mb``."""
    tracemalloc.start()
    try:
        message = rejection(filename, content)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < limit_mb * MIB, f"{peak / MIB:.0f} MB"
    return message


def test_a_one_megabyte_word_file_that_unpacks_to_a_gigabyte() -> None:
    stream, crc, size = gigabyte_of_spaces_in_a_paragraph()
    assert len(stream) < 2 * MIB and size > 1024 * MIB
    content = raw_zip("word/document.xml", stream, crc, size)
    assert "unpacks to more than 50 MB" in refused_within(20, "bomb.docx", content)


def test_a_zip_bomb_that_claims_a_small_size_is_refused_too() -> None:
    stream, crc, _ = gigabyte_of_spaces_in_a_paragraph()
    for claimed in (2000, MAX_UNPACKED_BYTES - 1):
        message = refused_within(
            80, "bomb.docx", raw_zip("word/document.xml", stream, crc, claimed)
        )
        assert "not a readable Word (.docx) file" in message or "unpacks to more" in message


def test_dense_xml_is_refused_before_it_is_parsed() -> None:
    body = "<w:p>" + "<w:r/>" * (1_100_000) + "</w:p>"
    message = refused_within(40, "dense.docx", word_package(document_xml(body)))
    assert "more than 1,000,000 XML elements" in message


@pytest.mark.parametrize("prefix", ["w", "x"])  # "x": missed by the count made while unpacking
def test_too_many_paragraphs_in_a_word_file(prefix: str) -> None:
    count = 300_000 if prefix == "w" else MAX_PARAGRAPHS + 1
    body = f"<{prefix}:p><{prefix}:r><{prefix}:t>- Idé</{prefix}:t></{prefix}:r></{prefix}:p>"
    content = word_package(document_xml(body * 10 + f"<{prefix}:p/>" * count, prefix))
    assert "more than 20,000 paragraphs" in refused_within(40, "lang.docx", content)


def test_too_many_paragraphs_in_an_odt() -> None:
    content = odt_package("<text:p>- Idé</text:p>" * (MAX_PARAGRAPHS + 1))
    assert "more than 20,000 paragraphs" in rejection("lang.odt", content)


def test_too_many_table_rows() -> None:
    row = "<w:tr><w:tc><w:p><w:r><w:t>Cykelsti</w:t></w:r></w:p></w:tc></w:tr>"
    body = "<w:tbl>" + row * (MAX_TABLE_ROWS + 1) + "</w:tbl>"
    assert "more than 5,000 rows" in rejection("tabel.docx", word_package(document_xml(body)))
    rows = tuple(("Cykelsti",) for _ in range(MAX_TABLE_ROWS + 1))
    odt = as_odt([Heading("Møde"), Grid(("Forslag",), rows)])
    assert "more than 5,000 rows" in rejection("tabel.odt", odt)


def test_a_table_of_proposals_at_the_row_cap_is_read() -> None:
    rows = tuple((f"Idé nummer {n}", str(n)) for n in range(MAX_TABLE_ROWS - 1))
    minutes = parse_document("a.odt", as_odt([Heading("Møde"), Grid(("Forslag", "Nr"), rows)]))
    ideas = minutes.minutes.ideas
    assert len(ideas) == MAX_TABLE_ROWS - 1
    assert (ideas[-1].text, ideas[-1].notes) == (
        f"Idé nummer {MAX_TABLE_ROWS - 2}",
        (("Nr", "4998"),),
    )
