"""The administration's use cases: who may administer, invitations, roles and deactivation."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD
from workflow.clock import utcnow
from workflow.errors import Forbidden, NotFound, ValidationFailed
from workflow.models import Invitation, User, UserSession
from workflow.permissions import Actor, Role
from workflow.security import token_digest, verify_password
from workflow.services import admin, sessions, users
from workflow.services.admin import InvitationInvalid, InvitationProblem, UserStatus
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
MakeUser = Callable[..., Actor]
NEW_PASSWORD = "a long enough password"


def invite(uow: UowFactory, actor: Actor, email: str = "ny@randers.dk", **kwargs: object) -> str:
    """Invite a viewer; return the invitation's token."""
    with uow() as unit:
        issued = admin.invite_user(
            unit, actor, name="Ny Kollega", email=email, role="viewer", **kwargs
        )
    return issued.token


@dataclass(frozen=True)
class Stored:
    """A user's row as committed."""

    id: int
    role: str
    active: bool
    password_hash: str | None


def stored_user(uow: UowFactory, email: str) -> Stored:
    with uow() as unit:
        user = unit.users.by_email(email)
        assert user is not None
        return Stored(user.id, user.role, user.active, user.password_hash)


def problem(uow: UowFactory, token: str) -> InvitationProblem:
    with uow() as unit, pytest.raises(InvitationInvalid) as caught:
        admin.open_invitation(unit, token)
    return caught.value.problem


def test_the_list_shows_every_user_with_their_status(uow: UowFactory, make_user: MakeUser) -> None:
    boss = make_user("admin", name="Anna Admin")
    gone = make_user("owner", name="Bo Borte")
    invite(uow, boss)
    with uow() as unit:
        admin.deactivate_user(unit, boss, gone.id)
    with uow() as unit:
        listed = {person.email: person for person in admin.list_users(unit, boss)}
    assert {email: (p.role, p.status) for email, p in listed.items()} == {
        boss.email: ("admin", UserStatus.ACTIVE),
        gone.email: ("owner", UserStatus.DEACTIVATED),
        "ny@randers.dk": ("viewer", UserStatus.INVITED),
    }
    expires = listed["ny@randers.dk"].invitation_expires_at
    assert expires is not None and expires - utcnow() > timedelta(days=6)
    assert listed[boss.email].invitation_expires_at is None


@pytest.mark.parametrize("role", ["manager", "owner", "viewer"])
def test_nobody_but_an_administrator_administers(
    uow: UowFactory, make_user: MakeUser, role: str
) -> None:
    boss = make_user("admin")
    other = make_user("viewer")
    actor = make_user(role)
    calls: list[Callable[[UnitOfWork], object]] = [
        lambda unit: admin.list_users(unit, actor),
        lambda unit: admin.invite_user(unit, actor, name="X", email="x@randers.dk", role="admin"),
        lambda unit: admin.reinvite_user(unit, actor, other.id),
        lambda unit: admin.change_role(unit, actor, actor.id, "admin"),
        lambda unit: admin.change_role(unit, actor, boss.id, "viewer"),
        lambda unit: admin.deactivate_user(unit, actor, boss.id),
        lambda unit: admin.reactivate_user(unit, actor, other.id),
    ]
    for call in calls:
        with uow() as unit, pytest.raises(Forbidden):
            call(unit)
    assert stored_user(uow, actor.email).role == role
    assert stored_user(uow, boss.email).role == "admin"


def test_an_administrator_who_was_demoted_meanwhile_is_refused(
    uow: UowFactory, make_user: MakeUser
) -> None:
    first, second = make_user("admin"), make_user("admin")
    with uow() as unit:
        admin.change_role(unit, first, second.id, "manager")
    stale = second  # still says "admin": the service looks at the stored user
    with uow() as unit, pytest.raises(Forbidden):
        admin.change_role(unit, stale, first.id, "viewer")
    with uow() as unit, pytest.raises(Forbidden):
        admin.list_users(unit, stale)


def test_an_invitation_stores_only_a_digest_and_lasts_seven_days(
    uow: UowFactory, make_user: MakeUser
) -> None:
    boss = make_user("admin")
    now = utcnow()
    with uow() as unit:
        issued = admin.invite_user(
            unit, boss, name="  Ny   Kollega ", email=" Ny@Randers.DK ", role="owner", now=now
        )
    assert issued.user.status is UserStatus.INVITED and issued.user.name == "Ny Kollega"
    assert issued.expires_at == now + timedelta(days=7)
    assert len(issued.token) >= 40
    with uow() as unit:
        stored = unit.session.scalars(select(Invitation)).one()
        assert stored.token_hash == token_digest(issued.token)
        assert issued.token not in stored.token_hash
        assert (stored.created_by_id, stored.used_at) == (boss.id, None)
        user = unit.users.by_email("ny@randers.dk")
        assert user is not None and user.password_hash is None and user.role == "owner"
    with uow() as unit:
        seen = admin.open_invitation(unit, issued.token)
    assert (seen.name, seen.email) == ("Ny Kollega", "ny@randers.dk")


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"email": "Admin1@Randers.dk"}, "email"),  # exists already, whatever the case
        ({"email": "a" * 320 + "@randers.dk"}, "email"),
        ({"name": "   "}, "name"),
        ({"name": "n" * 201}, "name"),
        ({"role": "boss"}, "role"),
    ],
)
def test_bad_invitations_name_the_field(
    uow: UowFactory, make_user: MakeUser, fields: dict[str, str], key: str
) -> None:
    boss = make_user("admin", email="admin1@randers.dk")
    values = {"name": "Ny", "email": "ny@randers.dk", "role": "viewer", **fields}
    with uow() as unit, pytest.raises(ValidationFailed) as caught:
        admin.invite_user(unit, boss, **values)
    assert list(caught.value.fields) == [key]
    with uow() as unit:
        assert unit.session.scalar(select(func.count(User.id))) == 1
        assert unit.session.scalar(select(func.count(Invitation.id))) == 0


def test_accepting_sets_an_argon2id_password_once(uow: UowFactory, make_user: MakeUser) -> None:
    boss = make_user("admin")
    token = invite(uow, boss)
    with uow() as unit, pytest.raises(ValidationFailed) as caught:
        admin.accept_invitation(unit, token, "short", "short")
    assert caught.value.fields == {"password": "Must be at least 10 characters."}
    with uow() as unit, pytest.raises(ValidationFailed) as caught:
        admin.accept_invitation(unit, token, NEW_PASSWORD, NEW_PASSWORD + "!")
    assert caught.value.fields == {"password_again": "The two passwords are not the same."}
    assert stored_user(uow, "ny@randers.dk").password_hash is None

    with uow() as unit:
        accepted = admin.accept_invitation(unit, token, NEW_PASSWORD, NEW_PASSWORD)
    assert accepted.status is UserStatus.ACTIVE
    user = stored_user(uow, "ny@randers.dk")
    assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, NEW_PASSWORD)
    with uow() as unit:
        assert unit.session.scalars(select(Invitation)).one().used_at is not None
        signed_in = sessions.sign_in(unit, "ny@randers.dk", NEW_PASSWORD, "127.0.0.1")
    assert signed_in.actor.role is Role.VIEWER

    assert problem(uow, token) is InvitationProblem.USED
    with uow() as unit, pytest.raises(InvitationInvalid):
        admin.accept_invitation(unit, token, "another password!", "another password!")
    assert verify_password(stored_user(uow, "ny@randers.dk").password_hash, NEW_PASSWORD)


def test_expired_and_unknown_links_are_refused(uow: UowFactory, make_user: MakeUser) -> None:
    boss = make_user("admin")
    token = invite(uow, boss, now=utcnow() - timedelta(days=7, seconds=1))
    assert problem(uow, token) is InvitationProblem.EXPIRED
    with uow() as unit, pytest.raises(InvitationInvalid):
        admin.accept_invitation(unit, token, NEW_PASSWORD, NEW_PASSWORD)
    assert problem(uow, "no-such-token") is InvitationProblem.UNKNOWN
    assert problem(uow, "") is InvitationProblem.UNKNOWN
    assert stored_user(uow, "ny@randers.dk").password_hash is None


def test_a_new_invitation_replaces_the_older_ones(uow: UowFactory, make_user: MakeUser) -> None:
    boss = make_user("admin")
    old = invite(uow, boss)
    user_id = stored_user(uow, "ny@randers.dk").id
    with uow() as unit:
        new = admin.reinvite_user(unit, boss, user_id).token
    assert problem(uow, old) is InvitationProblem.EXPIRED
    with uow() as unit:
        admin.accept_invitation(unit, new, NEW_PASSWORD, NEW_PASSWORD)
    with uow() as unit, pytest.raises(ValidationFailed) as caught:
        admin.reinvite_user(unit, boss, user_id)  # the password is set: no more invitations
    assert list(caught.value.fields) == ["invitation"]


def test_deactivation_ends_sessions_and_invitations(uow: UowFactory, make_user: MakeUser) -> None:
    boss = make_user("admin")
    owner = make_user("owner")
    with uow() as unit:
        token = sessions.sign_in(unit, owner.email, PASSWORD, "127.0.0.1").token
    invitation = invite(uow, boss)
    invited_id = stored_user(uow, "ny@randers.dk").id
    with uow() as unit:
        assert admin.deactivate_user(unit, boss, owner.id).status is UserStatus.DEACTIVATED
        admin.deactivate_user(unit, boss, invited_id)
    with uow() as unit:
        assert sessions.session_actor(unit, token) is None
        assert unit.session.scalar(select(func.count(UserSession.id))) == 0
        with pytest.raises(sessions.SignInRefused):
            sessions.sign_in(unit, owner.email, PASSWORD, "127.0.0.1")
    assert problem(uow, invitation) is InvitationProblem.EXPIRED
    with uow() as unit, pytest.raises(ValidationFailed):
        admin.reinvite_user(unit, boss, invited_id)  # reactivate first

    with uow() as unit:
        assert admin.reactivate_user(unit, boss, owner.id).status is UserStatus.ACTIVE
        assert admin.reactivate_user(unit, boss, invited_id).status is UserStatus.INVITED
    with uow() as unit:
        assert sessions.session_actor(unit, token) is None  # the old session stays ended
        sessions.sign_in(unit, owner.email, PASSWORD, "127.0.0.1")
    assert problem(uow, invitation) is InvitationProblem.EXPIRED  # a new one is needed
    with uow() as unit:
        fresh = admin.reinvite_user(unit, boss, invited_id).token
        assert admin.open_invitation(unit, fresh).email == "ny@randers.dk"


def test_a_role_change_applies_to_the_next_request(uow: UowFactory, make_user: MakeUser) -> None:
    boss = make_user("admin")
    manager = make_user("manager")
    with uow() as unit:
        token = sessions.sign_in(unit, manager.email, PASSWORD, "127.0.0.1").token
    with uow() as unit:
        assert admin.change_role(unit, boss, manager.id, "viewer").role == "viewer"
    with uow() as unit:
        actor = sessions.session_actor(unit, token)
    assert actor is not None and actor.role is Role.VIEWER
    with uow() as unit, pytest.raises(ValidationFailed) as caught:
        admin.change_role(unit, boss, manager.id, "boss")
    assert list(caught.value.fields) == ["role"]
    with uow() as unit, pytest.raises(NotFound):
        admin.change_role(unit, boss, 999_999, "viewer")


def test_administrators_cannot_demote_or_deactivate_themselves(
    uow: UowFactory, make_user: MakeUser
) -> None:
    boss = make_user("admin")
    make_user("admin")  # another admin exists: the refusal is about oneself
    with uow() as unit, pytest.raises(ValidationFailed) as caught:
        admin.change_role(unit, boss, boss.id, "manager")
    assert caught.value.fields == {"role": admin.OWN_ROLE}
    with uow() as unit, pytest.raises(ValidationFailed) as caught:
        admin.deactivate_user(unit, boss, boss.id)
    assert caught.value.fields == {"active": admin.OWN_DEACTIVATION}
    with uow() as unit:
        admin.change_role(unit, boss, boss.id, "admin")  # keeping one's role is no change
    user = stored_user(uow, boss.email)
    assert (user.role, user.active) == ("admin", True)


def test_the_last_active_administrator_is_never_removed(
    uow: UowFactory, make_user: MakeUser
) -> None:
    only = make_user("admin")
    # An administrator without a password (made on the command line) can act through the CLI but
    # cannot sign in, so does not count as the administrator who keeps the app administrable.
    with uow() as unit:
        users.create_user(unit, email="cli@randers.dk", name="CLI", role="admin")
        cli = users.find_actor(unit, "cli@randers.dk")
    with uow() as unit, pytest.raises(ValidationFailed) as caught:
        admin.change_role(unit, cli, only.id, "manager")
    assert caught.value.fields == {"role": admin.LAST_ADMIN}
    with uow() as unit, pytest.raises(ValidationFailed) as caught:
        admin.deactivate_user(unit, cli, only.id)
    assert caught.value.fields == {"active": admin.LAST_ADMIN}
    user = stored_user(uow, only.email)
    assert (user.role, user.active) == ("admin", True)

    second = make_user("admin")  # with a second one, either may go
    with uow() as unit:
        admin.change_role(unit, cli, only.id, "manager")
    with uow() as unit, pytest.raises(ValidationFailed):
        admin.deactivate_user(unit, cli, second.id)


def test_two_administrators_removing_each_other_at_once_leave_one(
    uow: UowFactory, make_user: MakeUser, database_url: str
) -> None:
    first, second = make_user("admin"), make_user("admin")
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def remove(actor: Actor, target: Actor) -> None:
        start.wait()
        try:
            with uow() as unit:
                admin.change_role(unit, actor, target.id, "viewer")
        except (Forbidden, ValidationFailed):
            outcomes.append("refused")
        except Exception as error:  # SQLite may refuse the second writer outright
            outcomes.append("refused" if database_url.startswith("sqlite") else repr(error))
        else:
            outcomes.append("done")

    threads = [
        threading.Thread(target=remove, args=(first, second)),
        threading.Thread(target=remove, args=(second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["done", "refused"]
    with uow() as unit:
        admins = unit.session.scalar(
            select(func.count(User.id)).where(User.role == "admin", User.active.is_(True))
        )
    assert admins == 1
