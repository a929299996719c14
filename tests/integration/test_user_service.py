"""Users and tokens as stored: argon2id hashes, token digests only, revocation, deactivation."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from workflow.errors import ValidationFailed
from workflow.models import ApiToken, User
from workflow.services import users
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]


def test_a_user_is_stored_with_an_argon2id_hash(uow: UowFactory) -> None:
    with uow() as unit:
        created = users.create_user(
            unit,
            email=" Mette@Randers.DK ",
            name="Mette  Holm",
            role="manager",
            password="correct horse battery",
        )
    assert (created.email, created.name) == ("mette@randers.dk", "Mette Holm")
    with uow() as unit:
        stored = unit.session.scalars(select(User)).one()
        assert stored.password_hash is not None and stored.password_hash.startswith("$argon2id$")
        assert "correct horse battery" not in stored.password_hash


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"role": "boss"}, "role"),
        ({"name": "  "}, "name"),
        ({"password": "short"}, "password"),
    ],
)
def test_bad_user_fields_are_named(uow: UowFactory, fields: dict[str, str], key: str) -> None:
    values = {"email": "a@randers.dk", "name": "A", "role": "owner", "password": "long enough pw"}
    with uow() as unit, pytest.raises(ValidationFailed) as caught:
        users.create_user(unit, **{**values, **fields})
    assert key in caught.value.fields


def test_emails_are_unique_whatever_their_case(uow: UowFactory) -> None:
    with uow() as unit:
        users.create_user(unit, email="a@randers.dk", name="A", role="owner")
    with uow() as unit, pytest.raises(ValidationFailed):
        users.create_user(unit, email="A@RANDERS.DK", name="A2", role="owner")


def test_tokens_are_stored_as_digests_and_stop_working_when_revoked_or_deactivated(
    uow: UowFactory,
) -> None:
    with uow() as unit:
        users.create_user(unit, email="o@randers.dk", name="O", role="owner")
        first = users.issue_token(unit, "o@randers.dk", "integration")
        second = users.issue_token(unit, "o@randers.dk")
    with uow() as unit:
        stored = unit.session.scalars(select(ApiToken.token_hash)).all()
        assert first.secret not in stored and second.secret not in stored
        actor = users.authenticate_token(unit, first.secret)
        assert actor is not None and actor.email == "o@randers.dk"
        users.revoke_token(unit, token_id=first.token.id)
    with uow() as unit:
        assert users.authenticate_token(unit, first.secret) is None
        assert users.authenticate_token(unit, second.secret) is not None
        users.set_active(unit, "o@randers.dk", False)
    with uow() as unit:
        assert users.authenticate_token(unit, second.secret) is None
        listed = users.list_tokens(unit, "o@randers.dk")
        assert [(t.name, t.revoked_at is not None) for t in listed] == [
            ("integration", True),
            ("", False),
        ]
