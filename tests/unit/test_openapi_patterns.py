"""The OpenAPI document's text patterns mean what the server's str.strip() means."""

from __future__ import annotations

import re

from workflow.contracts.base import BLANK_PATTERN, NOT_BLANK_PATTERN, SPACE


def test_space_is_exactly_what_python_strips() -> None:
    space = re.compile(f"[{SPACE}]")
    for code in range(0x110000):
        char = chr(code)
        assert bool(space.fullmatch(char)) is char.isspace(), hex(code)


def test_blank_and_not_blank() -> None:
    for text in ["", " ", "\x1e\x1f", "\u3000\n", "a", " a ", "\ufeff", "\x00"]:
        assert bool(re.search(NOT_BLANK_PATTERN, text)) is bool(text.strip()), repr(text)
        assert bool(re.search(BLANK_PATTERN, text)) is not bool(text.strip()), repr(text)
