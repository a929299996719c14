"""Passwords (argon2id) and API token secrets (random, stored as SHA-256 digests)."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TOKEN_PREFIX = "ifl_"  # noqa: S105 (a prefix, not a secret)
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_dummy_hash: str | None = None


def use_hasher(hasher: PasswordHasher) -> None:
    """Hash new passwords with ``hasher`` (tests choose cheap parameters; hashes say theirs)."""
    global _hasher, _dummy_hash
    _hasher, _dummy_hash = hasher, None


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``password_hash``; False for no hash or a bad one.

    Without a hash (no such account, or one without a password) the password is still checked,
    against a hash of nothing anybody knows, so the answer takes as long either way and its
    timing does not tell which accounts exist.
    """
    try:
        matches = _hasher.verify(password_hash or _dummy(), password)
    except (VerificationError, InvalidHashError):
        return False
    return matches and bool(password_hash)


def _dummy() -> str:
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash(secrets.token_urlsafe(32))
    return _dummy_hash


def new_token_secret() -> str:
    """A fresh API token: a recognisable prefix and 256 random bits."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(secret: str) -> str:
    """The SHA-256 hex digest stored in place of a token (its entropy makes a slow hash moot)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
