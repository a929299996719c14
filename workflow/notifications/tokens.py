"""Signed tokens for links in emails: unsubscribe (per contact and list), public status pages
and public meeting reports.

Tokens are itsdangerous ``URLSafeSerializer`` signatures (HMAC-SHA256) under the secret key with
a salt per purpose, so a token made for one purpose never works for another; anything tampered
with reads as None. They carry no expiry: an unsubscribe link in an old email must always work.

Until ``LEGACY_TOKENS_UNTIL`` the earlier format (the payload, a dot, and a truncated
HMAC-SHA256 under a key derived from purpose and secret) is accepted too, so links in emails
sent before the change keep working; after that date such links read as not genuine.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import date

from itsdangerous import BadData, URLSafeSerializer

from workflow.clock import local_today
from workflow.models import MAILING_LISTS

PURPOSES = ("unsubscribe", "status", "report")
LEGACY_TOKENS_UNTIL = date(2027, 6, 30)  # six months after the switch; then drop _legacy_verify
LEGACY_MAC_BYTES = 16
ID_DIGITS = 10  # MAX_ID (2**31 - 1) has ten digits


def _serializer(secret: str, purpose: str) -> URLSafeSerializer:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    return URLSafeSerializer(
        secret, salt=f"ideaflow.{purpose}", signer_kwargs={"digest_method": hashlib.sha256}
    )


def sign(secret: str, purpose: str, payload: str) -> str:
    """``payload`` signed for ``purpose``."""
    return str(_serializer(secret, purpose).dumps(payload))


def verify(secret: str, purpose: str, token: str, *, today: date | None = None) -> str | None:
    """The payload of a genuine token for ``purpose``, else None.

    Tokens in the earlier format are accepted until ``LEGACY_TOKENS_UNTIL`` (``today`` defaults
    to the Danish date now).
    """
    if not token.isascii():
        return None  # every genuine token is ASCII
    serializer = _serializer(secret, purpose)
    try:
        payload = serializer.loads(token)
    except BadData:
        payload = None
    # Only the token as it was written: base64 lets a few spellings decode to the same bytes.
    if isinstance(payload, str) and serializer.dumps(payload) == token:
        return payload
    if (today or local_today()) <= LEGACY_TOKENS_UNTIL:
        return _legacy_verify(secret, purpose, token)
    return None


def legacy_sign(secret: str, purpose: str, payload: str) -> str:
    """A token in the earlier format (only tests make these now)."""
    return f"{payload}.{_legacy_mac(secret, purpose, payload)}"


def _legacy_mac(secret: str, purpose: str, payload: str) -> str:
    key = hashlib.sha256(f"ideaflow:{purpose}:{secret}".encode()).digest()
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:LEGACY_MAC_BYTES]).decode().rstrip("=")


def _legacy_verify(secret: str, purpose: str, token: str) -> str | None:
    payload, _, mac = token.rpartition(".")
    if not payload or not mac:
        return None
    return payload if hmac.compare_digest(mac, _legacy_mac(secret, purpose, payload)) else None


def unsubscribe_token(secret: str, contact_id: int, list_name: str) -> str:
    """The token of the link that takes ``contact_id`` off ``list_name``."""
    return sign(secret, "unsubscribe", f"{contact_id}-{list_name}")


def read_unsubscribe_token(secret: str, token: str) -> tuple[int, str] | None:
    """(contact id, list) from a genuine unsubscribe token, else None."""
    payload = verify(secret, "unsubscribe", token)
    if payload is None:
        return None
    contact, _, list_name = payload.partition("-")
    if not _is_id(contact) or list_name not in MAILING_LISTS:
        return None
    return int(contact), list_name


def status_token(secret: str, idea_id: int) -> str:
    """The token of an idea's public, read-only status page."""
    return sign(secret, "status", str(idea_id))


def read_status_token(secret: str, token: str) -> int | None:
    """The idea id from a genuine status token, else None."""
    payload = verify(secret, "status", token)
    return int(payload) if payload is not None and _is_id(payload) else None


def report_token(secret: str, report_id: int) -> str:
    """The token of a sent meeting report's public, read-only page."""
    return sign(secret, "report", str(report_id))


def read_report_token(secret: str, token: str) -> int | None:
    """The sent report's id from a genuine report token, else None."""
    payload = verify(secret, "report", token)
    return int(payload) if payload is not None and _is_id(payload) else None


def _is_id(text: str) -> bool:
    """True for an id as ``sign`` wrote it: ASCII digits only (``"²".isdigit()`` is True)."""
    return text.isascii() and text.isdecimal() and len(text) <= ID_DIGITS
