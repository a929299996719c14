"""PDFs that are small on disk and vast inside are refused within seconds, with one sentence."""

from __future__ import annotations

import io
import re
import time
import zlib
from collections.abc import Iterable

import pytest

from tests.importer.pdf_text import pdf_text
from workflow.importer.document import parse_document
from workflow.importer.errors import MinutesRejected
from workflow.importer.readers.pdf_limits import (
    TOO_COMPLEX,
    TOO_MANY_PAGES,
    TOO_MUCH_DATA,
    TOO_SLOW,
    PdfLimits,
)

MB = 1024 * 1024
TEXT = b"BT /F1 11 Tf 56 800 Td (Referat af borgermoede) Tj ET\n"


def hand_made_pdf(
    content: bytes, filters: str = "", pages: int = 1, count: int | None = None
) -> bytes:
    """A PDF whose pages all show ``content`` (a stream, already encoded for ``filters``)."""
    page_ids = [4 + i for i in range(pages)]
    kids = " ".join(f"{n} 0 R" for n in page_ids)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages if count is None else count} >>".encode(),
        b"<< /Length %d %s >>\nstream\n" % (len(content), filters.encode()) + content
        + b"\nendstream",
    ]  # fmt: skip
    font = 4 + pages
    objects += [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R "
        b"/Resources << /Font << /F1 %d 0 R >> >> >>" % font
        for _ in page_ids
    ]
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    return _assemble(objects)


def _assemble(objects: Iterable[bytes]) -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, xref)
    )
    return out.getvalue()


def deflated(size: int, head: bytes = TEXT) -> bytes:
    """``head`` and then spaces up to ``size`` bytes, deflated (a few hundred KB for 800 MB)."""
    packer = zlib.compressobj(9)
    parts = [packer.compress(head)]
    block = b" " * MB
    for _ in range((size - len(head)) // MB):
        parts.append(packer.compress(block))
    parts.append(packer.flush())
    return b"".join(parts)


def rejection(content: bytes, limits: PdfLimits | None = None) -> tuple[str, float]:
    started = time.monotonic()
    with pytest.raises(MinutesRejected) as caught:
        pdf_text(content, limits)
    return caught.value.message, time.monotonic() - started


def test_a_hand_made_pdf_is_read() -> None:
    assert pdf_text(hand_made_pdf(TEXT)) == "Referat af borgermoede"
    assert pdf_text(hand_made_pdf(zlib.compress(TEXT), "/Filter /FlateDecode")) == (
        "Referat af borgermoede"
    )


def test_a_deflate_bomb_is_refused_within_seconds() -> None:
    bomb = hand_made_pdf(deflated(120 * MB), "/Filter /FlateDecode")
    assert len(bomb) < MB
    message, seconds = rejection(bomb)
    assert message == TOO_MUCH_DATA
    assert seconds < 15  # within seconds; generous for a busy machine
    with pytest.raises(MinutesRejected, match="unpacks to far more data"):
        parse_document("referat.pdf", bomb)


def test_a_stream_just_within_the_limit_is_read() -> None:
    stream = deflated(2 * MB)
    limits = PdfLimits(max_stream_bytes=2 * MB, max_total_bytes=2 * MB)
    assert pdf_text(hand_made_pdf(stream, "/Filter /FlateDecode"), limits) == (
        "Referat af borgermoede"
    )
    message, _ = rejection(hand_made_pdf(deflated(3 * MB), "/Filter /FlateDecode"), limits)
    assert message == TOO_MUCH_DATA


def test_many_streams_within_the_limit_each_are_refused_together() -> None:
    """Every page draws the one stream once, but a stream is unpacked once: the total counts
    distinct streams. Two filters in a row (hex of deflate) are bounded as well."""
    stream = deflated(30 * MB).hex().encode() + b">"
    pdf = hand_made_pdf(stream, "/Filter [/ASCIIHexDecode /FlateDecode]")
    assert pdf_text(pdf) == "Referat af borgermoede"
    message, _ = rejection(pdf, PdfLimits(max_total_bytes=20 * MB))
    assert message == TOO_MUCH_DATA


def test_a_damaged_stream_still_gives_its_text_and_a_damaged_bomb_is_refused() -> None:
    damaged = zlib.compress(TEXT)[:-4] + b"\x00\x00\x00\x00"  # a wrong checksum
    assert pdf_text(hand_made_pdf(damaged, "/Filter /FlateDecode")) == "Referat af borgermoede"
    bomb = deflated(120 * MB)
    broken = bomb[: len(bomb) // 2] + b"\xff" * 64 + bomb[len(bomb) // 2 :]
    message, seconds = rejection(hand_made_pdf(broken, "/Filter /FlateDecode"))
    assert message == TOO_MUCH_DATA and seconds < 15  # within seconds; generous for a busy machine


def test_run_length_data_is_bounded_too() -> None:
    packed = b"\x81 " * (600 * 1024) + b"\x80"  # each pair: 128 spaces
    message, seconds = rejection(
        hand_made_pdf(packed, "/Filter /RunLengthDecode"), PdfLimits(max_stream_bytes=MB)
    )
    assert message == TOO_MUCH_DATA and seconds < 15  # within seconds; generous for a busy machine
    literal = bytes([len(TEXT) - 1]) + TEXT + b"\x81 \x80"  # the text as is, then 128 spaces
    assert pdf_text(hand_made_pdf(literal, "/Filter /RunLengthDecode")) == "Referat af borgermoede"


def test_more_than_300_pages_are_refused_from_the_page_tree() -> None:
    pdf = hand_made_pdf(TEXT, pages=301)
    message, seconds = rejection(pdf)
    assert message == TOO_MANY_PAGES and seconds < 15  # within seconds; generous for a busy machine
    assert pdf_text(hand_made_pdf(TEXT, pages=3), PdfLimits(max_pages=3)).count("\f") == 2


def test_a_page_tree_that_understates_its_pages_is_counted() -> None:
    pdf = hand_made_pdf(TEXT, pages=4, count=1)
    assert re.search(rb"/Count 1 ", pdf)
    message, _ = rejection(pdf, PdfLimits(max_pages=3))
    assert message == TOO_MANY_PAGES


def test_reading_stops_when_the_time_is_up() -> None:
    message, _ = rejection(hand_made_pdf(TEXT, pages=2), PdfLimits(seconds=0.0))
    assert message == TOO_SLOW


@pytest.mark.parametrize(
    ("content", "limits"),
    [
        (b"BT /F1 1 Tf 56 800 Td (" + b"x" * 5000 + b") Tj ET", PdfLimits(max_page_glyphs=1000)),
        (b"0 0 m 1 1 l S\n" * 3000, PdfLimits(max_page_operations=5000)),
        (b"q " * 300 + TEXT, PdfLimits()),
    ],
    ids=["glyphs", "operations", "nesting"],
)
def test_a_page_with_far_too_much_on_it_is_refused(content: bytes, limits: PdfLimits) -> None:
    message, _ = rejection(hand_made_pdf(content), limits)
    assert message == TOO_COMPLEX


def test_the_limits_name_the_defaults() -> None:
    limits = PdfLimits()
    assert str(limits.max_pages) in TOO_MANY_PAGES
    assert f"{limits.max_stream_bytes // MB} MB" in TOO_MUCH_DATA
    assert f"{limits.max_total_bytes // MB} MB" in TOO_MUCH_DATA
    assert f"{limits.seconds:.0f} seconds" in TOO_SLOW
