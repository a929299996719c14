"""Where a permission came from: stored in one wording, read back as kind and detail."""

from __future__ import annotations

from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow import consent_sources
from workflow.consent_sources import MINUTES_LIST, SOURCE_LENGTH, SourceKind

KINDS = [kind for kind in get_args(SourceKind) if kind != "minutes_list"]
details = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=60).filter(
    lambda text: text == text.strip("“”") and text.strip() == text
)


@given(kind=st.sampled_from(KINDS), detail=details)
def test_what_is_recorded_reads_back(kind: SourceKind, detail: str) -> None:
    assert consent_sources.read(consent_sources.recorded(kind, detail)) == (kind, detail)


def test_the_wording_kept_before_sources_were_recorded_is_read() -> None:
    assert consent_sources.read(MINUTES_LIST) == ("minutes_list", "")


@pytest.mark.parametrize("text", ["", "imported by hand in 2024", "listed in the minutes"])
def test_a_wording_this_version_did_not_write_is_not_guessed(text: str) -> None:
    assert consent_sources.read(text) is None


def test_a_long_meeting_title_is_cut_to_the_column() -> None:
    stored = consent_sources.recorded("minutes", "Møde " * 100)
    assert len(stored) == SOURCE_LENGTH
    assert consent_sources.read(stored) is not None
