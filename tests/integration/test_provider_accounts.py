"""Accounts that follow the identity provider's claims, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from web.cli_users import users_group
from workflow.clock import utcnow
from workflow.identity_provider import RoleGrant
from workflow.models import User, UserSession
from workflow.permissions import Actor, Role
from workflow.services import provider_sign_in, sessions
from workflow.services.provider_sign_in import ProviderIdentity, ProviderSignInRefused, Refusal
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
ISSUER = "https://login.randers.dk/realms/kommune"
OWNER = RoleGrant(Role.OWNER, "IDEAFLOW-Ejere")


def person(sub: str, email: str | None = None, grant: RoleGrant | None = OWNER,
           name: str | None = "Ole Ejer") -> ProviderIdentity:  # fmt: skip
    return ProviderIdentity(f"{ISSUER}|{sub}", email, name, grant)


def sign_in(uow: UowFactory, identity: ProviderIdentity, days_ago: int = 0) -> int:
    with uow() as unit:
        signed_in = provider_sign_in.sign_in_with_provider(
            unit, identity, utcnow() - timedelta(days=days_ago)
        )
        return signed_in.actor.id


def user(uow: UowFactory, user_id: int) -> User:
    with uow() as unit:
        found = unit.session.get(User, user_id)
        assert found is not None
        unit.session.expunge_all()
        return found


def sessions_of(uow: UowFactory, user_id: int) -> int:
    with uow() as unit:
        return len(
            unit.session.scalars(select(UserSession).where(UserSession.user_id == user_id)).all()
        )


def test_an_address_changed_at_the_provider_follows_unless_another_account_holds_it(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    user_id = sign_in(uow, person("ole", "ole@randers.dk"))
    sign_in(uow, person("ole", "Ole.Ejer@Randers.dk"))
    assert user(uow, user_id).email == "ole.ejer@randers.dk"
    make_user("viewer", "ole@aarhus.dk")
    sign_in(uow, person("ole", "ole@aarhus.dk"))  # somebody else's address here: kept as it was
    assert user(uow, user_id).email == "ole.ejer@randers.dk"
    sign_in(uow, person("ole", None, name=None))  # no address, no name this time: nothing lost
    found = user(uow, user_id)
    assert (found.email, found.name) == ("ole.ejer@randers.dk", "Ole Ejer")


@pytest.mark.parametrize("email", [None, "", "not-an-address", "a@b", "x" * 320 + "@randers.dk"])
def test_a_new_person_without_a_usable_address_is_refused(
    uow: UowFactory, email: str | None
) -> None:
    with pytest.raises(ProviderSignInRefused) as refused:
        sign_in(uow, person("nn", email))
    assert refused.value.reason is Refusal.NO_EMAIL
    with uow() as unit:
        assert unit.session.scalars(select(User)).all() == []


def test_two_provider_accounts_never_share_one_ideaflow_account(uow: UowFactory) -> None:
    sign_in(uow, person("ole", "ole@randers.dk"))
    with pytest.raises(ProviderSignInRefused) as refused:
        sign_in(uow, person("impostor", "ole@randers.dk"))
    assert refused.value.reason is Refusal.EMAIL_TAKEN


def test_no_role_closes_the_account_and_ends_its_sessions(uow: UowFactory) -> None:
    user_id = sign_in(uow, person("ole", "ole@randers.dk"))
    sign_in(uow, person("ole", "ole@randers.dk"))
    assert sessions_of(uow, user_id) == 2
    with pytest.raises(ProviderSignInRefused) as refused:
        sign_in(uow, person("ole", "ole@randers.dk", grant=None))
    assert refused.value.reason is Refusal.NO_ROLE
    closed = user(uow, user_id)
    assert not closed.active and closed.provider_deactivated and closed.role_source is None
    assert sessions_of(uow, user_id) == 0


def test_sync_closes_provider_accounts_not_seen_for_the_days_given(
    app: Flask, uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    gone = sign_in(uow, person("gone", "gone@randers.dk"), days_ago=61)
    recent = sign_in(uow, person("recent", "recent@randers.dk"), days_ago=59)
    local = make_user("admin", "breakglass@randers.dk")  # local password only: never closed
    result = app.test_cli_runner().invoke(users_group, ["sync", "--days", "60"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Deactivated gone@randers.dk.",
        "1 user deactivated (not seen for 60 days).",
    ]
    assert not user(uow, gone).active and user(uow, gone).provider_deactivated
    assert user(uow, recent).active and user(uow, local.id).active
    assert sessions_of(uow, gone) == 0
    again = app.test_cli_runner().invoke(users_group, ["sync", "--days", "60"])
    assert again.output.strip() == "0 users deactivated (not seen for 60 days)."
    # back through the provider with a group that gives a role: open again
    sign_in(uow, person("gone", "gone@randers.dk"))
    assert user(uow, gone).active
    assert app.test_cli_runner().invoke(users_group, ["sync", "--days", "0"]).exit_code == 2


def test_a_password_is_refused_to_non_administrators_once_they_may_not_use_one(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    from tests.conftest import PASSWORD
    from workflow.services import sign_in_policy

    admin, manager = make_user("admin"), make_user("manager")
    with uow() as unit:
        sign_in_policy.choose_local_passwords(unit, admin, "admins")
    with uow() as unit, pytest.raises(sessions.PasswordsOff):
        sessions.sign_in(unit, manager.email, PASSWORD, "10.0.0.1", provider_on=True)
    with uow() as unit:  # without a provider, passwords are the only way in
        assert sessions.sign_in(unit, manager.email, PASSWORD, "10.0.0.1").actor.id == manager.id
    with uow() as unit:
        assert sessions.sign_in(unit, admin.email, PASSWORD, "10.0.0.1", provider_on=True)
