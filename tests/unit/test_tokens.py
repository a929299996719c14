"""Links in emails are itsdangerous signatures with a salt per purpose; the earlier format still
verifies until LEGACY_TOKENS_UNTIL."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from itsdangerous import URLSafeSerializer

from workflow.notifications import tokens
from workflow.notifications.tokens import (
    LEGACY_TOKENS_UNTIL,
    legacy_sign,
    read_report_token,
    read_status_token,
    read_unsubscribe_token,
    report_token,
    status_token,
    unsubscribe_token,
    verify,
)

SECRET = "test-secret"


def test_new_tokens_are_itsdangerous_signatures_with_a_salt_per_purpose() -> None:
    token = status_token(SECRET, 42)
    sha256 = {"digest_method": hashlib.sha256}
    reader = URLSafeSerializer(SECRET, salt="ideaflow.status", signer_kwargs=sha256)
    assert reader.loads(token) == "42"
    assert read_status_token(SECRET, token) == 42
    assert read_unsubscribe_token(SECRET, unsubscribe_token(SECRET, 7, "idea_updates")) == (
        7,
        "idea_updates",
    )
    assert read_report_token(SECRET, report_token(SECRET, 3)) == 3


def test_a_token_for_one_purpose_never_verifies_for_another() -> None:
    status, report = status_token(SECRET, 42), report_token(SECRET, 42)
    assert status != report
    assert read_report_token(SECRET, status) is None
    assert read_status_token(SECRET, report) is None
    assert verify(SECRET, "unsubscribe", status) is None
    assert read_status_token("another-secret", status) is None


@pytest.mark.parametrize("purpose", tokens.PURPOSES)
def test_old_format_tokens_still_verify_during_the_transition(purpose: str) -> None:
    old = legacy_sign(SECRET, purpose, "42")
    assert verify(SECRET, purpose, old, today=LEGACY_TOKENS_UNTIL) == "42"
    assert verify(SECRET, purpose, old, today=LEGACY_TOKENS_UNTIL + timedelta(days=1)) is None
    other = next(name for name in tokens.PURPOSES if name != purpose)
    assert verify(SECRET, other, old, today=LEGACY_TOKENS_UNTIL) is None


def test_old_links_in_sent_emails_still_work_today() -> None:
    # As the earlier code wrote them: the payload, a dot, a truncated HMAC.
    old_unsubscribe = legacy_sign(SECRET, "unsubscribe", "7-idea_updates")
    assert old_unsubscribe.startswith("7-idea_updates.")
    assert read_unsubscribe_token(SECRET, old_unsubscribe) == (7, "idea_updates")
    assert read_status_token(SECRET, legacy_sign(SECRET, "status", "42")) == 42
    assert read_status_token(SECRET, legacy_sign(SECRET, "status", "42") + "x") is None


def test_tampered_tokens_read_as_nothing() -> None:
    token = status_token(SECRET, 42)
    payload, _, signature = token.rpartition(".")
    forged = URLSafeSerializer("guess", salt="ideaflow.status").dumps("43")
    respelled = token[:-1] + ("A" if token[-1] != "A" else "B")  # may decode the same
    for bad in (payload + ".x" + signature, forged, respelled, "", ".", "42", "\u00e9.abc"):
        assert read_status_token(SECRET, bad) is None
