"""OpenDocument styles (styles.xml, and the automatic styles in content.xml): headings, lists,
bold and type size."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from workflow.importer.readers.zipped import END, START, Event

OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
HEADING_NAMES = ("heading", "overskrift", "title", "titel")
DEFAULT_SIZE = 12.0
_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(pt|%|cm|mm|in|pc|px)?\s*$", re.I)
_POINTS = {"pt": 1.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "in": 72.0, "pc": 12.0, "px": 0.75}
_MAX_CHAIN = 20


def q(namespace: str, name: str) -> str:
    """An expanded name as the XML events give it."""
    return f"{namespace}}}{name}"


@dataclass
class OdfStyle:
    """One paragraph or text style."""

    display: str = ""
    parent: str | None = None
    outline: bool = False  # it has an outline level: a heading style
    listed: bool = False  # it attaches a list style: its paragraphs are list items
    bold: bool | None = None
    size: float | None = None  # points
    scale: float | None = None  # a size relative to the parent's ("120%")


@dataclass
class OdfStyles:
    """Styles by (family, name), and the default type size."""

    by_name: dict[tuple[str, str], OdfStyle] = field(default_factory=dict)
    size: float = DEFAULT_SIZE

    def chain(self, family: str, name: str | None) -> Iterator[tuple[str, OdfStyle]]:
        """The style and its parents, nearest first."""
        seen: set[str] = set()
        while name and name not in seen and len(seen) < _MAX_CHAIN:
            seen.add(name)
            style = self.by_name.get((family, name))
            if style is None:
                return
            yield name, style
            name = style.parent

    def is_heading(self, name: str | None) -> bool:
        """Whether a paragraph style is a heading or title style, or based on one."""
        for style_name, style in self.chain("paragraph", name):
            names = (style_name.replace("_20_", " ").lower(), style.display.lower())
            if style.outline or any(n.startswith(HEADING_NAMES) for n in names):
                return True
        return False

    def is_listed(self, name: str | None) -> bool:
        """Whether a paragraph style makes its paragraphs list items."""
        return any(style.listed for _, style in self.chain("paragraph", name))

    def bold(self, family: str, name: str | None) -> bool | None:
        """The bold a style (or a parent) sets, if any."""
        return next((s.bold for _, s in self.chain(family, name) if s.bold is not None), None)

    def size_of(self, family: str, name: str | None, base: float) -> float | None:
        """The type size a style (or a parent) sets, relative sizes resolved against ``base``."""
        scale = 1.0
        for _, style in self.chain(family, name):
            if style.size is not None:
                return style.size * scale
            if style.scale is not None:
                scale *= style.scale
        return base * scale if scale != 1.0 else None


def read_odf_styles(events: Iterator[Event], styles: OdfStyles) -> bool:
    """Add the styles an ODF part defines; stop at the document body (True) or the end."""
    current: OdfStyle | None = None
    default = False
    for kind, name, attributes in events:
        if kind == END:
            if name in (q(STYLE, "style"), q(STYLE, "default-style")):
                current, default = None, False
            continue
        if kind != START or not isinstance(attributes, dict):
            continue
        if name == q(OFFICE, "body"):
            return True
        if name == q(STYLE, "style"):
            family = attributes.get(q(STYLE, "family"), "")
            current = OdfStyle(
                display=attributes.get(q(STYLE, "display-name"), ""),
                parent=attributes.get(q(STYLE, "parent-style-name")),
                outline=bool(attributes.get(q(STYLE, "default-outline-level"))),
                listed=bool(attributes.get(q(STYLE, "list-style-name"))),
            )
            styles.by_name[(family, attributes.get(q(STYLE, "name"), ""))] = current
        elif name == q(STYLE, "default-style"):
            default = attributes.get(q(STYLE, "family")) == "paragraph"
        elif name == q(STYLE, "text-properties"):
            weight = attributes.get(q(FO, "font-weight"))
            points, scale = _length(attributes.get(q(FO, "font-size")))
            if current is not None:
                current.bold = _bold(weight) if weight else None
                current.size, current.scale = points, scale
            elif default and points:
                styles.size = points
    return False


def _bold(weight: str) -> bool:
    return weight == "bold" or (weight.isdigit() and int(weight) >= 600)


def _length(value: str | None) -> tuple[float | None, float | None]:
    """A font size as (points, None) or (None, a scale for "120%")."""
    match = _LENGTH.match(value or "")
    if not match:
        return None, None
    number, unit = float(match.group(1)), (match.group(2) or "pt").lower()
    if unit == "%":
        return None, number / 100
    return number * _POINTS[unit], None
