"""Passwords (argon2id) and API token secrets (random, stored as SHA-256 digests)."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TOKEN_PREFIX = "ifl_"  # noqa: S105 (a prefix, not a secret)
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``password_hash``; False for no hash or a bad one."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token_secret() -> str:
    """A fresh API token: a recognisable prefix and 256 random bits."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(secret: str) -> str:
    """The SHA-256 hex digest stored in place of a token (its entropy makes a slow hash moot)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
