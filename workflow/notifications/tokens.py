"""Signed tokens for links in emails: unsubscribe (per contact and list), public status pages
and public meeting reports.

A token is its payload plus an HMAC-SHA256 of purpose and payload under a key derived from the
secret key, so a token made for one purpose never works for another. Tokens are compared in
constant time; anything tampered with reads as None.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from workflow.models import MAILING_LISTS

MAC_BYTES = 16
ID_DIGITS = 10  # MAX_ID (2**31 - 1) has ten digits


def _key(secret: str, purpose: str) -> bytes:
    return hashlib.sha256(f"ideaflow:{purpose}:{secret}".encode()).digest()


def _mac(secret: str, purpose: str, payload: str) -> str:
    digest = hmac.new(_key(secret, purpose), payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:MAC_BYTES]).decode().rstrip("=")


def sign(secret: str, purpose: str, payload: str) -> str:
    """``payload`` with its signature for ``purpose``."""
    return f"{payload}.{_mac(secret, purpose, payload)}"


def verify(secret: str, purpose: str, token: str) -> str | None:
    """The payload of a genuine token for ``purpose``, else None."""
    payload, _, mac = token.rpartition(".")
    if not payload or not mac or not token.isascii():
        return None  # every genuine token is ASCII; compare_digest refuses non-ASCII text
    return payload if hmac.compare_digest(mac, _mac(secret, purpose, payload)) else None


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
