"""Passwords are argon2id hashes; API tokens are random and stored only as digests."""

from __future__ import annotations

from workflow.security import hash_password, new_token_secret, token_digest, verify_password


def test_passwords_are_hashed_with_argon2id_and_verified() -> None:
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "correct horse battery")
    assert not verify_password(hashed, "Correct horse battery")
    assert not verify_password(None, "anything")
    assert not verify_password("not a hash", "anything")


def test_token_secrets_are_unique_and_only_their_digest_is_kept() -> None:
    secrets = {new_token_secret() for _ in range(100)}
    assert len(secrets) == 100
    secret = secrets.pop()
    assert secret.startswith("ifl_") and len(secret) >= 40
    assert token_digest(secret) == token_digest(secret) != secret
    assert len(token_digest(secret)) == 64
