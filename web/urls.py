"""``url_for`` for templates, from a pattern per endpoint: a list's rows repeat the same links.

Werkzeug builds each URL from its rule (converters, quoting, defaults), about 30 µs; /my has
250 links, the board and the lists dozens. The first call for an endpoint and a set of argument
names builds the URL with stand-in values and keeps it as a pattern with their places marked;
later calls fill the places in. Only values that every converter and the query string write
as they are take this way (whole numbers from 1 to the largest id, and words of letters, digits,
``_`` and ``-``); anything else, and every call with a ``_``-argument (``_external``,
``_anchor``...), is built by ``url_for`` itself.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from flask import Flask, request, url_for

from workflow.gates import MAX_ID

_PLAIN_WORD = re.compile(r"[A-Za-z0-9_-]+")
_NUMBER_STAND_IN = 1_000_000_007  # a valid id (below MAX_ID) unlikely to appear in a path
_WORD_STAND_IN = "qx{}zq"
_Key = tuple[str, str, tuple[tuple[str, bool], ...]]
_patterns: dict[_Key, str | None] = {}
_lock = threading.Lock()
assert _NUMBER_STAND_IN < MAX_ID


def template_url_for(endpoint: str, **values: Any) -> str:
    """The URL ``url_for(endpoint, **values)`` builds, from the endpoint's pattern if it can."""
    if endpoint.startswith("."):  # relative to the request's blueprint
        return url_for(endpoint, **values)
    kinds = []
    for name, value in values.items():
        if type(value) is int and 1 <= value <= MAX_ID:
            kinds.append((name, True))
        elif type(value) is str and _PLAIN_WORD.fullmatch(value) and not name.startswith("_"):
            kinds.append((name, False))
        else:
            return url_for(endpoint, **values)
    key = (endpoint, request.script_root, tuple(kinds))
    try:
        pattern = _patterns[key]
    except KeyError:
        pattern = _pattern(endpoint, key[2])
        with _lock:
            _patterns[key] = pattern
    if pattern is None:
        return url_for(endpoint, **values)
    return pattern.format(*[str(value) for value in values.values()])


def _pattern(endpoint: str, kinds: tuple[tuple[str, bool], ...]) -> str | None:
    """The URL with a numbered place for each argument, or None when a stand-in does not show
    up exactly once as written (a converter changed it, or it is not in the URL)."""
    stand_ins = [
        str(_NUMBER_STAND_IN + index) if number else _WORD_STAND_IN.format(index)
        for index, (_, number) in enumerate(kinds)
    ]
    arguments: dict[str, Any] = {
        name: _value(s, n) for (name, n), s in zip(kinds, stand_ins, strict=True)
    }
    built = url_for(endpoint, **arguments)
    pattern = built.replace("{", "{{").replace("}", "}}")
    for index, stand_in in enumerate(stand_ins):
        if pattern.count(stand_in) != 1:
            return None
        pattern = pattern.replace(stand_in, "{" + str(index) + "}")
    return pattern


def _value(stand_in: str, number: bool) -> int | str:
    return int(stand_in) if number else stand_in


def init_app(app: Flask) -> None:
    """Templates build URLs with :func:`template_url_for`; Python code keeps ``url_for``."""
    app.jinja_env.globals["url_for"] = template_url_for
