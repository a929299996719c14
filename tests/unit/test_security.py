"""Passwords are argon2id hashes; API tokens are random and stored only as digests."""

from __future__ import annotations

from typing import ClassVar, Literal

import pytest
from argon2 import PasswordHasher, extract_parameters

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


def test_production_hashes_use_the_library_defaults_and_tests_only_swap_the_hasher() -> None:
    from argon2.profiles import RFC_9106_LOW_MEMORY

    from workflow import security

    production = PasswordHasher()
    assert extract_parameters(production.hash("x")).memory_cost >= RFC_9106_LOW_MEMORY.memory_cost
    assert security.PasswordHasher is PasswordHasher  # the module builds the default one


class CountingHasher(PasswordHasher):
    """The tests' hasher, recording each hash it verifies against."""

    verified: ClassVar[list[str]] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        CountingHasher.verified.append(str(hash))
        return super().verify(hash, password)


def test_a_missing_hash_is_checked_against_a_dummy_with_the_same_parameters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from workflow import security

    current = security._hasher
    counting = CountingHasher(current.time_cost, current.memory_cost, current.parallelism)
    monkeypatch.setattr(security, "_hasher", counting)
    monkeypatch.setattr(security, "_dummy_hash", None)
    CountingHasher.verified.clear()
    real = hash_password("correct horse battery")
    assert not verify_password(None, "correct horse battery")
    assert not verify_password("", "")
    assert verify_password(real, "correct horse battery")
    verified = CountingHasher.verified
    assert len(verified) == 3  # every answer paid for one argon2 verification
    assert extract_parameters(verified[0]) == extract_parameters(real)
