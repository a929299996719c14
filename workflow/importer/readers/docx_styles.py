"""Word styles (word/styles.xml): which styles are headings or lists, and their bold and size."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from workflow.importer.readers.zipped import END, START, Event

W_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # Strict Open XML
)
HEADING_NAMES = ("heading", "overskrift", "title", "titel")
LIST_NAMES = ("list", "liste", "opstilling")
_LEVEL_DIGIT = re.compile(r"\s*(\d)$")
_MAX_CHAIN = 20


def w_local(name: str) -> str | None:
    """The local name of a WordprocessingML element or attribute; None for other namespaces."""
    namespace, _, local = name.rpartition("}")
    return local if namespace in W_NAMESPACES else None


def w_attr(attributes: dict[str, str], name: str) -> str | None:
    """A ``w:`` attribute's value."""
    for namespace in W_NAMESPACES:
        value = attributes.get(f"{namespace}}}{name}")
        if value is not None:
            return value
    return None


def on(value: str | None) -> bool:
    """A Word on/off property (``<w:b/>``, ``<w:b w:val="0"/>``) as a bool."""
    return value is None or value.lower() not in ("0", "false", "off", "none")


def half_points(value: str | None) -> float | None:
    """``w:sz`` (half-points) in points."""
    try:
        return int(value or "") / 2
    except ValueError:
        return None


@dataclass
class Style:
    """One style as styles.xml defines it."""

    name: str = ""
    based_on: str | None = None
    outline: bool = False  # an outline level 0-8: a heading
    list_level: int | None = None  # the level its numbering names (w:ilvl)
    numbered: bool = False  # it has numbering: its paragraphs are list items
    bold: bool | None = None
    size: float | None = None


@dataclass
class Styles:
    """A document's styles, by id, and its defaults."""

    by_id: dict[str, Style] = field(default_factory=dict)
    default_paragraph: str | None = None
    size: float | None = None
    bold: bool = False
    _bold: dict[str, bool | None] = field(default_factory=dict)  # resolved, by style id
    _size: dict[str, float | None] = field(default_factory=dict)

    def chain(self, style_id: str | None) -> Iterator[tuple[str, Style]]:
        """The style and those it is based on, nearest first."""
        seen: set[str] = set()
        while style_id and style_id not in seen and len(seen) < _MAX_CHAIN:
            seen.add(style_id)
            style = self.by_id.get(style_id)
            if style is None:  # not defined (no styles part): its id is all there is to go by
                yield style_id, Style()
                return
            yield style_id, style
            style_id = style.based_on

    def is_heading(self, style_id: str | None) -> bool:
        """Whether a paragraph style is a heading or title style, or based on one."""
        return any(
            style.outline or _named(style_id, style, HEADING_NAMES, start=True)
            for style_id, style in self.chain(style_id)
        )

    def list_level(self, style_id: str | None) -> int | None:
        """A list style's level ("List Bullet 2" is 1); None for a style that is no list."""
        for chain_id, style in self.chain(style_id):
            if style.list_level is not None:
                return style.list_level
            if _named(chain_id, style, LIST_NAMES, start=False):
                # Word's "List Bullet 2" numbers at level 0 of a list indented further
                digit = _LEVEL_DIGIT.search(style.name) or _LEVEL_DIGIT.search(chain_id)
                return int(digit.group(1)) - 1 if digit and digit.group(1) != "0" else 0
            if style.numbered:
                return 0
        return None

    def bold_of(self, style_id: str | None) -> bool | None:
        """The bold a style (or a style it is based on) sets, if any."""
        if style_id is None:
            return None
        if style_id not in self._bold:
            chain = self.chain(style_id)
            self._bold[style_id] = next((s.bold for _, s in chain if s.bold is not None), None)
        return self._bold[style_id]

    def size_of(self, style_id: str | None) -> float | None:
        """The type size a style (or a style it is based on) sets, if any."""
        if style_id is None:
            return None
        if style_id not in self._size:
            chain = self.chain(style_id)
            self._size[style_id] = next((s.size for _, s in chain if s.size is not None), None)
        return self._size[style_id]


def _named(style_id: str, style: Style, names: tuple[str, ...], start: bool) -> bool:
    for name in (style.name.lower(), style_id.lower()):
        if name.startswith(names) if start else any(word in name for word in names):
            return True
    return False


def read_styles(events: Iterator[Event]) -> Styles:
    """The styles of a styles.xml part."""
    styles = Styles()
    style: Style | None = None
    path: list[str] = []
    for kind, name, attributes in events:
        if kind == END:
            if path and path.pop() == "style":
                style = None
            continue
        if kind != START:
            continue
        local = w_local(name) or "?"
        path.append(local)
        assert isinstance(attributes, dict)
        value = w_attr(attributes, "val")
        if local == "style":
            style = Style()
            style_id = w_attr(attributes, "styleId") or ""
            styles.by_id[style_id] = style
            default = w_attr(attributes, "default")
            if w_attr(attributes, "type") == "paragraph" and default is not None and on(default):
                styles.default_paragraph = style_id
        elif style is not None:
            _style_property(style, local, value, path)
        elif "rPrDefault" in path:
            if local == "sz":
                styles.size = half_points(value)
            elif local == "b":
                styles.bold = on(value)
    return styles


def _style_property(style: Style, local: str, value: str | None, path: list[str]) -> None:
    if local == "name":
        style.name = value or ""
    elif local == "basedOn":
        style.based_on = value
    elif local == "outlineLvl" and "pPr" in path:
        style.outline = value is not None and value.isdigit() and int(value) < 9
    elif local == "ilvl" and "numPr" in path and value and value.isdigit() and value != "0":
        style.list_level = min(int(value), 8)
    elif local == "numId" and "numPr" in path:
        style.numbered = value != "0"
    elif local == "b" and "rPr" in path:
        style.bold = on(value)
    elif local == "sz" and "rPr" in path:
        style.size = half_points(value)
