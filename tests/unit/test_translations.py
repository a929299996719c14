"""Every string the interface shows has a Danish translation; the compiled catalogue is current."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "workflow" / "translations" / "da" / "LC_MESSAGES"
METHODS = [
    ("workflow/**.py", "python"),
    ("web/**.py", "python"),
    ("web/templates/**.html", "jinja2"),
    ("workflow/notifications/templates/**", "jinja2"),
]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "N_": None,
            "_l": None}  # fmt: skip
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%%")


def _key(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value


def source_messages() -> set[str]:
    """The message ids the source code and templates use (singular ids for plurals)."""
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_message_in_the_source_is_translated_into_danish() -> None:
    with (CATALOGUE / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale="da")
    translated = {
        (m.id[0] if isinstance(m.id, tuple) else m.id): m
        for m in catalogue
        if m.id and not m.fuzzy and all(m.string if isinstance(m.string, tuple) else [m.string])
    }
    missing = sorted(source_messages() - set(translated))
    assert missing == [], f"{len(missing)} messages lack a Danish translation: {missing[:20]}"


def test_translations_keep_their_placeholders() -> None:
    with (CATALOGUE / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale="da")
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = sorted(PLACEHOLDER.findall(ids[-1]))
        for string in strings[-1:]:
            assert sorted(PLACEHOLDER.findall(string)) == expected, message.id


def test_the_compiled_catalogue_matches_the_source_catalogue() -> None:
    with (CATALOGUE / "messages.po").open("rb") as handle:
        source = {_key(m.id): _key(m.string) for m in read_po(handle, locale="da")
                  if m.id and not m.fuzzy}  # fmt: skip
    with (CATALOGUE / "messages.mo").open("rb") as handle:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(handle) if m.id}
    assert compiled == source, "run `make translations` to compile the catalogue"


# Calls whose message reaches people on a page: built with an f-string, it could not be
# translated (it is not in the catalogue, and its words change with what is filled in).
SHOWN_TO_PEOPLE = {"MinutesRejected", "NoIdeasFound", "flash", "ExplainedForbidden", "N_", "_"}


def test_no_message_shown_to_people_is_built_with_an_f_string() -> None:
    import ast

    root = Path(__file__).resolve().parents[2]
    found = []
    for package in ("workflow", "web", "tasks"):
        for path in sorted((root / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in SHOWN_TO_PEOPLE and isinstance(node.args[0], ast.JoinedStr):
                    found.append(f"{path.relative_to(root)}:{node.lineno}")
    assert found == []
