"""Zipped documents (.docx, .odt): which kind a zip is, its parts read within a size cap, and
their XML read as a stream of events without ever holding the whole document."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from xml.parsers import expat

from workflow.importer.errors import MinutesRejected

MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # the parts read from one document, unpacked, together
MAX_PARAGRAPHS = 20_000
MAX_TABLE_ROWS = 5_000
CHUNK = 64 * 1024
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
_ODF_PREFIX = "application/vnd.oasis.opendocument."
NOT_DOCX = "The file is not a readable Word (.docx) file."
NOT_ODT = "The file is not a readable OpenDocument text (.odt) file."
TOO_LARGE = "The document unpacks to more than 50 MB, which is more than minutes need."
TOO_MANY_PARAGRAPHS = (
    "The document has more than 20,000 paragraphs, which is more than minutes need."
)
MAX_ELEMENTS = 1_000_000  # per part: minutes of 20,000 paragraphs have about half as many
TOO_COMPLEX = (
    "The document is made of more than 1,000,000 XML elements, which is more than minutes need."
)
TOO_MANY_ROWS = "The document's tables have more than 5,000 rows, which is more than minutes need."
NOT_TEXT_ODF = (
    "The file is an OpenDocument spreadsheet, presentation or drawing rather than text: save "
    "the minutes as .docx, .odt or PDF and upload that file."
)
NOT_WORD_OOXML = (
    "The file is an Excel or PowerPoint file rather than a Word file: save the minutes as .docx, "
    ".odt or PDF and upload that file."
)
NOT_A_DOCUMENT_ZIP = (
    "The file is a zip archive, not a Word (.docx) or OpenDocument text (.odt) file: save the "
    "minutes as .docx, .odt or PDF and upload that file."
)

START, END, TEXT = 0, 1, 2
Event = tuple[int, str, dict[str, str] | str | None]


@dataclass
class Package:
    """An open zip and what is left of the document's unpacking allowance."""

    archive: zipfile.ZipFile
    unreadable: str  # the sentence for a part that cannot be read
    left: int = MAX_UNPACKED_BYTES

    def has(self, name: str) -> bool:
        """Whether the zip holds a part of that name."""
        try:
            self.archive.getinfo(name)
        except KeyError:
            return False
        return True

    def read(self, name: str) -> bytes:
        """A part's bytes, counted against the allowance (a small part: styles, relations)."""
        return b"".join(self.stream(name))

    def stream(self, name: str) -> Iterator[bytes]:
        """A part's bytes in chunks; refused once the document has unpacked past the cap.

        The sizes a zip declares are not trusted: the bytes are counted as they come out.
        """
        try:
            with self.archive.open(name) as part:
                while chunk := part.read(CHUNK):
                    self.left -= len(chunk)
                    if self.left < 0:
                        raise MinutesRejected(TOO_LARGE)
                    yield chunk
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError,
                OSError, RuntimeError, ValueError, KeyError, zlib.error):  # fmt: skip
            raise MinutesRejected(self.unreadable) from None

    def check_size(self, *names: str, paragraph_tags: tuple[bytes, ...] = ()) -> None:
        """Refuse parts that say, or turn out, to unpack past the cap, before parsing them: the
        declared sizes first, then the bytes counted as they unpack (a zip can lie); and parts
        with more elements, or paragraphs (start tags as usually written), than the caps."""
        present = [name for name in names if self.has(name)]
        if sum(self.archive.getinfo(name).file_size for name in present) > self.left:
            raise MinutesRejected(TOO_LARGE)
        budget = self.left
        for name in present:
            elements = paragraphs = 0  # counted at C speed: a vast document is refused unparsed
            for chunk in self.stream(name):
                paragraphs += sum(chunk.count(tag) for tag in paragraph_tags)
                if paragraphs > MAX_PARAGRAPHS:
                    raise MinutesRejected(TOO_MANY_PARAGRAPHS)
                elements += chunk.count(b"<") - chunk.count(b"</")
                if elements > MAX_ELEMENTS + 1:  # (+1: the XML declaration)
                    raise MinutesRejected(TOO_COMPLEX)
        self.left = budget


def open_package(filename: str, content: bytes) -> tuple[str, Package]:
    """The kind of zipped document (DOCX or ODT media type) and its package; others refused."""
    lowered = filename.lower()
    unreadable = NOT_ODT if lowered.endswith(".odt") else NOT_DOCX
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, zlib.error):
        raise MinutesRejected(unreadable) from None
    if "mimetype" in names:
        mimetype = Package(archive, unreadable).read("mimetype")[:200].decode("ascii", "replace")
        mimetype = mimetype.strip()
        if mimetype == ODT:
            return ODT, Package(archive, NOT_ODT)
        if mimetype.startswith(_ODF_PREFIX):
            raise MinutesRejected(NOT_TEXT_ODF)
    if "word/document.xml" in names or ("[Content_Types].xml" in names and "_rels/.rels" in names):
        if any(name.startswith(("xl/", "ppt/")) for name in names):
            raise MinutesRejected(NOT_WORD_OOXML)
        return DOCX, Package(archive, NOT_DOCX)
    if lowered.endswith((".docx", ".odt")):
        raise MinutesRejected(unreadable)
    raise MinutesRejected(NOT_A_DOCUMENT_ZIP)


def xml_events(chunks: Iterator[bytes], unreadable: str) -> Iterator[Event]:
    """Start, end and text events of an XML stream; names are ``uri}local``.

    A document type declaration is refused outright, so no entity is ever expanded or fetched.
    """
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.buffer_size = CHUNK
    events: list[Event] = []

    def doctype(*_: object) -> None:
        raise MinutesRejected(unreadable)

    parser.StartElementHandler = lambda name, attributes: events.append((START, name, attributes))
    parser.EndElementHandler = lambda name: events.append((END, name, None))
    parser.CharacterDataHandler = lambda data: events.append((TEXT, data, None))
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    seen = 0
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
            seen += len(events)
            if seen > 2 * MAX_ELEMENTS:  # a start and an end event each
                raise MinutesRejected(TOO_COMPLEX)
            yield from events
            events.clear()
        parser.Parse(b"", True)
    except expat.ExpatError:
        raise MinutesRejected(unreadable) from None
    yield from events


def part_events(package: Package, name: str) -> Iterator[Event]:
    """The XML events of one part of the package."""
    return xml_events(package.stream(name), package.unreadable)


def local(name: str) -> str:
    """``uri}local`` to ``local``."""
    return name.rpartition("}")[2]
