"""Bounds on reading a PDF: pages, unpacked bytes, drawing instructions and time.

A PDF is small on disk and can be vast inside: a 1 MB stream may inflate to gigabytes, a content
stream may repeat an operator millions of times, a page tree may hold thousands of pages.
pdfminer reads all of that whole, so every read of a PDF runs inside ``PdfBudget.active`` and the
hooks below make pdfminer draw from that budget (and stop the read) as it goes.
"""

from __future__ import annotations

import contextvars
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from workflow.importer.errors import MinutesRejected

TOO_MANY_PAGES = "The PDF has more than 300 pages, which is more than minutes need."
TOO_MUCH_DATA = (
    "The PDF unpacks to far more data than minutes need (over 50 MB in one part or 100 MB in all)."
)
TOO_SLOW = (
    "Reading the PDF took longer than 30 seconds, which minutes never need, so it was stopped."
)
TOO_COMPLEX = "A page of the PDF holds far more text or drawing than minutes need."


@dataclass(frozen=True)
class PdfLimits:
    """How much a PDF may hold before it is refused (the messages name the defaults)."""

    max_pages: int = 300
    max_stream_bytes: int = 50 * 1024 * 1024
    max_total_bytes: int = 100 * 1024 * 1024
    seconds: float = 30.0
    max_page_operations: int = 100_000  # operands and operators on one page (seconds of work)
    max_page_glyphs: int = 20_000  # a full page of small print has about six thousand
    max_nesting: int = 256  # saved graphics states ("q") open at once; the standard allows 28


class PdfRefused(MinutesRejected):
    """A limit was reached while pdfminer was working."""


class PdfBudget:
    """What is left of the limits for the read in progress."""

    _current: contextvars.ContextVar[PdfBudget | None] = contextvars.ContextVar(
        "pdf_budget", default=None
    )

    def __init__(self, limits: PdfLimits) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.seconds
        self.unpacked = 0
        self.operations = 0
        self.glyphs = 0
        self.refusal: str | None = None  # kept: pdfminer swallows some exceptions

    @classmethod
    @contextmanager
    def active(cls, limits: PdfLimits) -> Iterator[PdfBudget]:
        """Run the block with a fresh budget that pdfminer's hooks draw from."""
        _install_hooks()
        budget = cls(limits)
        token = cls._current.set(budget)
        try:
            yield budget
        finally:
            cls._current.reset(token)

    @classmethod
    def running(cls) -> PdfBudget | None:
        """The budget of the read in progress, if any."""
        return cls._current.get()

    @classmethod
    def current(cls) -> PdfBudget:
        """The budget of the read in progress (outside a read: one of the default limits)."""
        return cls._current.get() or cls(PdfLimits())

    def refuse(self, message: str) -> PdfRefused:
        """Remember the refusal (later hooks then fail at once) and return it to raise."""
        self.refusal = self.refusal or message
        return PdfRefused(self.refusal)

    def check(self) -> None:
        """Raise when a limit was passed earlier or the time is up."""
        if self.refusal is not None:
            raise PdfRefused(self.refusal)
        if time.monotonic() > self.deadline:
            raise self.refuse(TOO_SLOW)

    def start_page(self) -> None:
        """Between pages: check the time and start counting the page's operations afresh."""
        self.check()
        self.operations = self.glyphs = 0

    def tick(self, count: int = 1) -> None:
        """Count drawing work on the current page; check the time every thousand steps."""
        before = self.operations
        self.operations += count
        if self.operations > self.limits.max_page_operations:
            raise self.refuse(TOO_COMPLEX)
        if before // 1000 != self.operations // 1000 or self.refusal is not None:
            self.check()

    def unpack(self, size: int) -> None:
        """Count ``size`` unpacked bytes of one stream against the limits."""
        self.check()
        self.unpacked += size
        if size > self.limits.max_stream_bytes or self.unpacked > self.limits.max_total_bytes:
            raise self.refuse(TOO_MUCH_DATA)

    def stream_room(self) -> int:
        """How many bytes the next stream may unpack to."""
        remaining = self.limits.max_total_bytes - self.unpacked
        return max(0, min(self.limits.max_stream_bytes, remaining))


# --- bounded decoders -----------------------------------------------------------------------
# pdfminer.pdftypes.PDFStream.decode calls zlib.decompress(data), lzwdecode(data),
# rldecode(data) and ccittfaxdecode(data, params), each of which builds the whole output in
# memory. The names are swapped, in pdfminer.pdftypes only, for versions that stop one byte past
# what the budget allows; the output of a stream within the limits is unchanged.

_CHUNK = 64 * 1024


def _inflate(data: bytes) -> bytes:
    """zlib.decompress, bounded; a truncated stream gives what it holds (as pdfminer would)."""
    budget = PdfBudget.current()
    out = zlib.decompressobj().decompress(data, budget.stream_room() + 1)
    budget.unpack(len(out))
    return out


def _inflate_corrupted(data: bytes) -> bytes:
    """What a damaged zlib stream holds up to the damage, bounded and in linear time.

    (pdfminer's own version feeds one byte at a time and concatenates: quadratic.)
    """
    budget = PdfBudget.current()
    room = budget.stream_room()
    inflater = zlib.decompressobj()
    out = bytearray()
    # max_length is at least 1 everywhere below (0 would mean no limit).
    for start in range(0, len(data), _CHUNK):
        if len(out) > room:
            break
        chunk = data[start : start + _CHUNK]
        saved = inflater.copy()
        try:
            out += inflater.decompress(chunk, room + 1 - len(out))
        except zlib.error:
            for byte in range(len(chunk)):  # the damaged chunk again, byte by byte
                if len(out) > room:
                    break
                try:
                    out += saved.decompress(chunk[byte : byte + 1], room + 1 - len(out))
                except zlib.error:
                    break
            break
    budget.unpack(len(out))
    return bytes(out)


class _BoundedZlib:
    """The parts of the zlib module that pdfminer.pdftypes uses, bounded."""

    error = zlib.error
    decompress = staticmethod(_inflate)
    decompressobj = staticmethod(zlib.decompressobj)


def _lzw(data: bytes) -> bytes:
    from io import BytesIO

    from pdfminer.lzw import LZWDecoder

    budget = PdfBudget.current()
    room = budget.stream_room()
    out = bytearray()
    for piece in LZWDecoder(BytesIO(data)).run():
        out += piece
        if len(out) > room:
            break
    budget.unpack(len(out))
    return bytes(out)


def _run_length(data: bytes) -> bytes:
    """RunLength decoding (PDF 1.4, 3.3.4) into a bytearray, bounded."""
    budget = PdfBudget.current()
    room = budget.stream_room()
    out = bytearray()
    index = 0
    while index < len(data) and len(out) <= room:
        length = data[index]
        if length == 128:
            break
        if length < 128:
            out += data[index + 1 : index + length + 2]
            index += length + 2
        else:
            out += data[index + 1 : index + 2] * (257 - length)
            index += 2
    budget.unpack(len(out))
    return bytes(out)


def _ccitt(data: bytes, params: dict[str, object]) -> bytes:
    from pdfminer.ccitt import CCITTFaxDecoder
    from pdfminer.pdfexceptions import PDFValueError

    budget = PdfBudget.current()
    room = budget.stream_room()

    class Bounded(CCITTFaxDecoder):
        def output_line(self, y: int, bits: Any) -> None:
            super().output_line(y, bits)
            if len(self._buf) > room:
                budget.unpack(len(self._buf))

    if params.get("K") != -1:
        raise PDFValueError(params.get("K"))
    columns, align, reverse = (
        params.get(key) for key in ("Columns", "EncodedByteAlign", "BlackIs1")
    )
    decoder = Bounded(cast(int, columns), bytealign=bool(align), reversed=bool(reverse))
    decoder.feedbytes(data)
    out: bytes = decoder.close()
    budget.unpack(len(out))
    return out


# --- pdfminer's interpreter and layout collector, bounded --------------------------------------


@cache
def _install_hooks() -> None:
    """Swap pdfminer's decoders and content parser for bounded ones (once per process)."""
    from pdfminer import pdfinterp, pdftypes

    class CountingContentParser(pdfinterp.PDFContentParser):
        """pdfminer's content-stream parser, counting every operand and operator it reads."""

        def nextobject(self) -> Any:
            budget = PdfBudget.running()
            if budget is not None:  # pdfminer used elsewhere is not counted
                budget.tick()
            return super().nextobject()

    hooks: dict[Any, dict[str, Any]] = {
        pdftypes: {
            "zlib": _BoundedZlib,
            "decompress_corrupted": _inflate_corrupted,
            "lzwdecode": _lzw,
            "rldecode": _run_length,
            "ccittfaxdecode": _ccitt,
        },
        pdfinterp: {"PDFContentParser": CountingContentParser},
    }
    for module, names in hooks.items():
        for name, value in names.items():
            setattr(module, name, value)


def bounded_interpreter(resources: Any, device: Any) -> Any:
    """pdfminer's page interpreter with its graphics-state stack bounded."""
    return _interpreter_class()(resources, device)


def bounded_aggregator(resources: Any, laparams: Any) -> Any:
    """pdfminer's layout collector, counting glyphs and keeping no drawings or images.

    Text is all the importer reads; lines, shapes and pictures would only take memory.
    """
    return _aggregator_class()(resources, laparams=laparams)


@cache
def _interpreter_class() -> type:
    from pdfminer.pdfinterp import PDFPageInterpreter

    class Interpreter(PDFPageInterpreter):
        def do_q(self) -> None:
            budget = PdfBudget.current()
            if len(self.gstack) >= budget.limits.max_nesting:
                raise budget.refuse(TOO_COMPLEX)
            super().do_q()

    return Interpreter


@cache
def _aggregator_class() -> type:
    from pdfminer.converter import PDFPageAggregator

    class Aggregator(PDFPageAggregator):
        def render_char(self, *args: Any, **kwargs: Any) -> Any:
            budget = PdfBudget.current()
            budget.glyphs += 1
            if budget.glyphs > budget.limits.max_page_glyphs:
                raise budget.refuse(TOO_COMPLEX)
            budget.tick()
            return super().render_char(*args, **kwargs)

        def paint_path(self, *args: Any, **kwargs: Any) -> None:
            PdfBudget.current().tick()

        def render_image(self, *args: Any, **kwargs: Any) -> None:
            PdfBudget.current().tick()

    return Aggregator
