"""Scanned PDFs: each page rendered to an image and read by Tesseract in Danish (and English).

Tesseract runs as a program (``tesseract``, or the one IDEAFLOW_TESSERACT names), one page at a
time with a time limit, and writes its words as TSV with a confidence each. The words become
lines with the mean confidence of their words, and the lines become blocks through the same
``text_to_blocks`` that reads typed text, so bullets and wrapped lines are found the same way.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from workflow import tuning
from workflow.importer.blocks import Block, normalise_space
from workflow.importer.errors import MinutesRejected
from workflow.importer.lines import BULLET, text_to_blocks

Progress = Callable[[int, int], None]
"""Told ``(pages done, pages in all)`` as a scan is read."""

LANGUAGES = "dan+eng"
DPI = 300
MAX_PAGES = 100
PAGE_TIMEOUT_S = 90.0
NO_OCR = (
    "The PDF is a scan and text recognition is not installed: install the Debian packages "
    "tesseract-ocr and tesseract-ocr-dan, or export the minutes from Word."
)
TOO_MANY_PAGES = "The scan has more than 100 pages, which is more than minutes need."
OCR_FAILED = "Text recognition failed on the scan, so it cannot be read."
NO_TEXT_FOUND = "Text recognition found no text in the scan, so it cannot be read."
# What Tesseract makes of a bullet ("•") at the start of a line: a lone mark, or a lone "e"/"o"
# before a capital letter.
_OCR_BULLET = re.compile(r"^\s*(?:[«»°©®@¢+*·•■▪●]|[eoO0](?=\s+[A-ZÆØÅ0-9\"“„]))\s+(?=\S)")


class ScanFound(Exception):
    """The PDF has no text layer; reading it needs text recognition (``pages`` pages)."""

    def __init__(self, pages: int) -> None:
        super().__init__(f"a scan of {pages} pages")
        self.pages = pages


@dataclass(frozen=True)
class RecognisedLine:
    """One line as Tesseract read it; ``gap_before`` when a new paragraph starts with it."""

    text: str
    confidence: float
    gap_before: bool = False


def tesseract_binary() -> str | None:
    """The Tesseract program (IDEAFLOW_TESSERACT, else ``tesseract`` on PATH), or None."""
    return shutil.which(tuning.current().tesseract or "tesseract")


@functools.cache
def _languages(binary: str) -> frozenset[str]:
    try:
        listed = subprocess.run(  # noqa: S603 (the configured Tesseract)
            [binary, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    return frozenset(line.strip() for line in listed.stdout.splitlines()[1:])


def danish_tesseract() -> str | None:
    """The Tesseract program when it is installed with the Danish language, else None."""
    binary = tesseract_binary()
    return binary if binary is not None and "dan" in _languages(binary) else None


def is_scan(content: bytes) -> bool:
    """True for a PDF whose pages have no text but something drawn (page images, or text drawn
    as outlines); False for anything PDFium cannot read, and for pages with nothing on them,
    which the PDF reader refuses with its reason: there is nothing to recognise."""
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(content)
    except pypdfium2.PdfiumError:
        return False
    drawn = False
    try:
        for number in range(len(pdf)):
            page = pdf[number]
            text = page.get_textpage()
            try:
                if text.get_text_range().strip():
                    return False
                drawn = drawn or _draws_something(page)
            finally:
                text.close()
                page.close()
        return drawn
    except pypdfium2.PdfiumError:
        return False
    finally:
        pdf.close()


def _draws_something(page: Any) -> bool:
    return next(iter(page.get_objects(max_depth=1)), None) is not None


def page_count(content: bytes) -> int:
    """How many pages the PDF has."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(content)
    try:
        return len(pdf)
    finally:
        pdf.close()


def scan_blocks(content: bytes, progress: Progress | None = None) -> list[Block]:
    """Read a scanned PDF page by page; ``progress(done, total)`` after each page."""
    import pypdfium2

    binary = danish_tesseract()
    if binary is None:
        raise MinutesRejected(NO_OCR)
    try:
        pdf = pypdfium2.PdfDocument(content)
    except pypdfium2.PdfiumError:
        raise MinutesRejected("The PDF is damaged or not a PDF, so it cannot be read.") from None
    try:
        total = len(pdf)
        if total > MAX_PAGES:
            raise MinutesRejected(TOO_MANY_PAGES)
        if progress:
            progress(0, total)
        lines: list[RecognisedLine] = []
        for number in range(total):
            pgm = _page_image(pdf, number)
            # A page break is no paragraph break: a bullet may go on at the top of the next page.
            lines += recognised_lines(_tesseract(binary, pgm))
            if progress:
                progress(number + 1, total)
    finally:
        pdf.close()
    if not lines:
        raise MinutesRejected(NO_TEXT_FOUND)
    return lines_to_blocks(lines)


def _page_image(pdf: Any, number: int) -> bytes:
    import pypdfium2

    try:
        page = pdf[number]
        try:
            image = page.render(scale=DPI / 72, grayscale=True)
            return _pgm(image.buffer, image.width, image.height, image.stride)
        finally:
            page.close()
    except pypdfium2.PdfiumError:
        raise MinutesRejected("The PDF is damaged or not a PDF, so it cannot be read.") from None


def _pgm(buffer: object, width: int, height: int, stride: int) -> bytes:
    """A grey image as PGM (which Tesseract reads from stdin without any imaging library)."""
    data = memoryview(buffer).cast("B")  # type: ignore[arg-type]
    rows = (
        data
        if stride == width
        else b"".join(data[row * stride : row * stride + width] for row in range(height))
    )
    return b"P5\n%d %d\n255\n" % (width, height) + bytes(rows)


def _tesseract(binary: str, image: bytes) -> str:
    # One thread: the machine's cores serve the web and the other workers too.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    command = [binary, "stdin", "stdout", "-l", LANGUAGES, "--dpi", str(DPI), "tsv"]
    try:
        done = subprocess.run(  # noqa: S603 (the configured Tesseract)
            command, input=image, capture_output=True, timeout=PAGE_TIMEOUT_S, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        raise MinutesRejected(OCR_FAILED) from None
    if done.returncode != 0:
        raise MinutesRejected(OCR_FAILED)
    return done.stdout.decode("utf-8", "replace")


def recognised_lines(tsv: str) -> list[RecognisedLine]:
    """Tesseract's TSV as lines, each with the mean confidence of its words.

    A line starts a new paragraph (``gap_before``) when an empty line's height or more lies
    between it and the line above, as on the paper; Tesseract's own paragraphs are not used,
    since it starts one at every line of a bullet's hanging indent.
    """
    words: dict[tuple[str, str, str], list[tuple[str, float]]] = {}
    boxes: dict[tuple[str, str, str], tuple[int, int]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        key = (row["block_num"], row["par_num"], row["line_num"])
        if row.get("level") == "4":
            boxes[key] = (int(row["top"]), int(row["height"]))
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        words.setdefault(key, []).append((text, max(float(row["conf"]), 0.0)))
    lines: list[RecognisedLine] = []
    above: tuple[int, int] | None = None
    for key, line_words in sorted(words.items(), key=lambda item: boxes.get(item[0], (0, 0))):
        confidence = sum(conf for _, conf in line_words) / len(line_words)
        text = " ".join(word for word, _ in line_words)
        top, height = boxes.get(key, (0, 0))
        gap = above is not None and top - (above[0] + above[1]) > 0.8 * max(above[1], height)
        lines.append(RecognisedLine(text, round(confidence, 1), gap))
        above = (top, height)
    return lines


def bullet_marked(text: str) -> str:
    """A line with the bullet Tesseract misread ("e", "«", "°", ...) written as "•"."""
    if BULLET.match(text):
        return text
    return _OCR_BULLET.sub("\u2022 ", text, count=1)


def lines_to_blocks(lines: list[RecognisedLine]) -> list[Block]:
    """Recognised lines as blocks, each with the mean confidence of the lines it was made of."""
    marked = [replace(line, text=bullet_marked(line.text)) for line in lines]
    text = "\n".join(("\n" if line.gap_before else "") + line.text for line in marked)
    blocks = text_to_blocks(text)
    pieces = [(_content(line.text), line.confidence) for line in marked]
    out: list[Block] = []
    cursor = 0
    for block in blocks:
        confidences: list[float] = []
        position = 0
        while cursor < len(pieces):
            piece, confidence = pieces[cursor]
            found = block.text.find(piece, position) if piece else position
            if confidences and found < 0:
                break
            confidences.append(confidence)
            position = max(found, 0) + len(piece)
            cursor += 1
            if position >= len(block.text):
                break
        mean = sum(confidences) / len(confidences) if confidences else None
        out.append(replace(block, confidence=round(mean, 1) if mean is not None else None))
    return out


def _content(line: str) -> str:
    """A line's text as it appears in a block: its bullet left off, white space normalised."""
    match = BULLET.match(line)
    return normalise_space(match.group("text") if match else line)
