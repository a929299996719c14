"""The id converter's pattern takes exactly the whole numbers 1 to MAX_ID."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from web.converters import up_to
from workflow.gates import MAX_ID


@settings(max_examples=300, deadline=None)
@given(limit=st.integers(1, 10**12), number=st.integers(0, 10**13))
def test_up_to_matches_exactly_one_to_the_limit(limit: int, number: int) -> None:
    pattern = re.compile(up_to(limit))
    for candidate in (number, limit - 1, limit, limit + 1, number % (limit + 2)):
        assert (pattern.fullmatch(str(candidate)) is not None) == (1 <= candidate <= limit)


def test_ids_are_written_plainly() -> None:
    pattern = re.compile(up_to(MAX_ID))
    for text in ("007", "0", "-1", "+1", " 1", "1 ", "\u0663", "\u00b2", "1_0", "1e3", ""):
        assert pattern.fullmatch(text) is None, text
    assert pattern.fullmatch(str(MAX_ID)) and not pattern.fullmatch(str(MAX_ID + 1))
