"""The administration pages: users, roles, deactivation, and the invitation link end to end."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.web.conftest import Web
from workflow.clock import utcnow
from workflow.models import Invitation, User
from workflow.permissions import Actor
from workflow.security import token_digest
from workflow.services import admin, users
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
MakeUser = Callable[..., Actor]
NEW_PASSWORD = "a long enough password"
LINK = re.compile(r'value="http://ideaflow\.test/invite/([A-Za-z0-9_-]+)"')


def browser(app: Flask) -> Web:
    """Another signed-out browser on the same app."""
    return Web(app.test_client())


def invite_through_the_page(web: Web, email: str = "ny@randers.dk", role: str = "viewer") -> str:
    """Invite someone as the signed-in admin; return the token from the one-time link."""
    response = web.post("/admin/users/invite", {"name": "Ny Kollega", "email": email, "role": role})
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    match = LINK.search(response.get_data(as_text=True))
    assert match, "no invitation link on the page"
    return match.group(1)


def user_id(uow: UowFactory, email: str) -> int:
    with uow() as unit:
        user = unit.users.by_email(email)
        assert user is not None
        return user.id


def role_and_active(uow: UowFactory, email: str) -> tuple[str, bool]:
    with uow() as unit:
        user = unit.users.by_email(email)
        assert user is not None
        return user.role, user.active


def signs_in(app: Flask, email: str, password: str) -> bool:
    """Post the sign-in form in a fresh browser; True when it lets the user in."""
    other = browser(app)
    response = other.client.post(
        "/login", data={"email": email, "password": password, "csrf_token": other.csrf_token()}
    )
    return response.status_code == 302


def test_an_admin_sees_every_user_with_role_and_status(
    web: Web, uow: UowFactory, make_user: MakeUser
) -> None:
    boss = make_user("admin", name="Anna Admin")
    make_user("manager", name="Mette Manager")
    gone = make_user("owner", name="Bo Borte")
    with uow() as unit:
        admin.invite_user(unit, boss, name="Ida Inviteret", email="ida@randers.dk", role="viewer")
        admin.deactivate_user(unit, boss, gone.id)
    web.login(boss)
    response = web.get("/admin/users")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in ("Anna Admin", "Mette Manager", "Bo Borte", "Ida Inviteret", "ida@randers.dk"):
        assert text in page
    assert page.count("<h1>") == 1 and "<caption" in page and '<th scope="row">' in page
    assert 'class="status status--deactivated">Deactivated' in page
    assert 'class="status status--invited">Invited' in page
    assert 'class="status status--active">Active' in page
    assert "Link valid until" in page
    forms = page.count('method="post"')
    assert forms > 5 and page.count('name="csrf_token"') >= forms  # + the sign-out form
    assert "style=" not in page and "<script>" not in page
    assert f'action="/admin/users/{gone.id}/reactivate"' in page
    assert f'action="/admin/users/{boss.id}/deactivate"' not in page  # not offered for oneself
    assert '<a href="/admin/users" aria-current="page">Users</a>' in page


@pytest.mark.parametrize("role", ["manager", "owner", "viewer"])
def test_everyone_else_is_refused_every_admin_page_and_action(
    web: Web, uow: UowFactory, make_user: MakeUser, role: str
) -> None:
    boss = make_user("admin")
    target = make_user("viewer")
    actor = make_user(role)
    web.login(actor)
    assert web.get("/admin/users").status_code == 403
    posts = {
        "/admin/users/invite": {"name": "X", "email": "x@randers.dk", "role": "admin"},
        f"/admin/users/{actor.id}/role": {"role": "admin"},
        f"/admin/users/{boss.id}/role": {"role": "viewer"},
        f"/admin/users/{boss.id}/deactivate": {},
        f"/admin/users/{target.id}/reactivate": {},
        f"/admin/users/{target.id}/invitation": {},
    }
    for path, data in posts.items():
        assert web.post(path, data).status_code == 403, path
    assert role_and_active(uow, actor.email) == (role, True)
    assert role_and_active(uow, boss.email) == ("admin", True)
    with uow() as unit:
        assert unit.users.by_email("x@randers.dk") is None
    assert "/admin/users" not in web.text("/my")  # no menu link either


def test_signed_out_visitors_are_sent_to_sign_in(web: Web) -> None:
    response = web.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_invitation_link_sets_a_password_once_and_then_sign_in_works(
    web: Web, app: Flask, uow: UowFactory, make_user: MakeUser
) -> None:
    web.login(make_user("admin"))
    token = invite_through_the_page(web, role="owner")
    with uow() as unit:
        stored = unit.session.scalars(select(Invitation)).one()
        assert stored.token_hash == token_digest(token) and token not in stored.token_hash
        user = unit.session.scalars(select(User).where(User.email == "ny@randers.dk")).one()
        assert user.password_hash is None and user.role == "owner"
    listing = web.text("/admin/users")
    assert token not in listing  # the link is shown once, on the invitation page only

    guest = browser(app)
    page = guest.get(f"/invite/{token}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Ny Kollega" in text and 'value="ny@randers.dk"' in text
    assert 'autocomplete="new-password"' in text

    short = guest.post(f"/invite/{token}", {"password": "kort", "password_again": "kort"})
    assert short.status_code == 422
    text = short.get_data(as_text=True)
    assert 'class="error-summary"' in text and 'href="#password"' in text
    assert "Must be at least 10 characters." in text
    assert 'aria-describedby="password-hint password-error" aria-invalid="true"' in text
    assert "kort" not in text  # passwords are never echoed back

    mismatch = guest.post(
        f"/invite/{token}", {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD + "x"}
    )
    assert mismatch.status_code == 422
    text = mismatch.get_data(as_text=True)
    assert "The two passwords are not the same." in text and 'href="#password_again"' in text
    assert not signs_in(app, "ny@randers.dk", NEW_PASSWORD)

    done = guest.post(
        f"/invite/{token}", {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    assert "Your password is set." in guest.text("/login")

    for again in (guest.get(f"/invite/{token}"), browser(app).get(f"/invite/{token}")):
        assert again.status_code == 410
        assert "Ask an administrator for a new invitation." in again.get_data(as_text=True)
    reuse = guest.post(f"/invite/{token}", {"password": "x" * 12, "password_again": "x" * 12})
    assert reuse.status_code == 410

    assert signs_in(app, "ny@randers.dk", NEW_PASSWORD)
    with uow() as unit:
        actor = users.find_actor(unit, "ny@randers.dk")
    newcomer = browser(app)
    newcomer.login(actor, password=NEW_PASSWORD)
    assert newcomer.get("/my").status_code == 200


def test_expired_and_unknown_links_ask_for_a_new_invitation(
    web: Web, uow: UowFactory, make_user: MakeUser
) -> None:
    boss = make_user("admin")
    last_week = utcnow() - timedelta(days=8)
    with uow() as unit:
        issued = admin.invite_user(
            unit, boss, name="Sen", email="sen@randers.dk", role="viewer", now=last_week
        )
    expired = web.get(f"/invite/{issued.token}")
    assert expired.status_code == 410
    text = expired.get_data(as_text=True)
    assert "This invitation link has expired" in text
    assert "Ask an administrator for a new invitation." in text
    passwords = {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    posted = web.post(f"/invite/{issued.token}", passwords)
    assert posted.status_code == 410
    unknown = web.get("/invite/not-a-real-token")
    assert unknown.status_code == 404
    assert "Ask an administrator for a new invitation." in unknown.get_data(as_text=True)


def test_a_new_link_replaces_the_old_one(
    web: Web, app: Flask, uow: UowFactory, make_user: MakeUser
) -> None:
    web.login(make_user("admin"))
    old = invite_through_the_page(web)
    new_id = user_id(uow, "ny@randers.dk")
    response = web.post(f"/admin/users/{new_id}/invitation")
    assert response.status_code == 200
    assert "Older links for Ny Kollega no longer work." in response.get_data(as_text=True)
    match = LINK.search(response.get_data(as_text=True))
    assert match
    new = match.group(1)
    assert web.get(f"/invite/{old}").status_code == 410
    guest = browser(app)
    ok = guest.post(f"/invite/{new}", {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert ok.status_code == 302
    refused = web.post(f"/admin/users/{new_id}/invitation")  # has a password now
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "This user has set a password already." in text
    assert f'href="#invitation-{new_id}"' in text


def test_invitation_errors_are_shown_next_to_the_fields(
    web: Web, uow: UowFactory, make_user: MakeUser
) -> None:
    web.login(make_user("admin"))
    make_user("viewer", email="findes@randers.dk")
    response = web.post(
        "/admin/users/invite", {"name": " ", "email": "Findes@Randers.dk", "role": "chef"}
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert 'class="error-summary"' in text
    for key in ("invite-name", "invite-email", "invite-role"):
        assert f'href="#{key}"' in text and f'id="{key}-error"' in text
    assert "A user with this email address exists already." in text
    assert 'value="Findes@Randers.dk"' in text  # what was typed is kept
    with uow() as unit:
        assert unit.session.scalars(select(Invitation)).first() is None


def test_a_role_change_applies_to_the_users_next_request(
    web: Web, app: Flask, uow: UowFactory, make_user: MakeUser
) -> None:
    web.login(make_user("admin"))
    manager = make_user("manager", name="Mette")
    their = browser(app)
    their.login(manager)
    assert their.get("/dashboard").status_code == 200
    response = web.post(f"/admin/users/{manager.id}/role", {"role": "viewer"})
    assert response.status_code == 302
    assert "Mette is now: Reader." in web.text("/admin/users")
    assert their.get("/dashboard").status_code == 403
    assert "(Reader)" in their.text("/my")
    bad = web.post(f"/admin/users/{manager.id}/role", {"role": "chef"})
    assert bad.status_code == 422 and f'href="#role-{manager.id}"' in bad.get_data(as_text=True)
    assert web.post("/admin/users/999999/role", {"role": "viewer"}).status_code == 404


def test_deactivation_signs_the_user_out_and_blocks_sign_in(
    web: Web, app: Flask, uow: UowFactory, make_user: MakeUser
) -> None:
    web.login(make_user("admin"))
    owner = make_user("owner", name="Olga")
    their = browser(app)
    their.login(owner)
    assert their.get("/my").status_code == 200
    response = web.post(f"/admin/users/{owner.id}/deactivate")
    assert response.status_code == 302
    assert "Olga is deactivated" in web.text("/admin/users")
    next_request = their.get("/my")
    assert next_request.status_code == 302 and "/login" in next_request.headers["Location"]
    assert not signs_in(app, owner.email, PASSWORD)

    assert web.post(f"/admin/users/{owner.id}/reactivate").status_code == 302
    assert role_and_active(uow, owner.email) == ("owner", True)
    assert their.get("/my").status_code == 302  # the old session stays ended
    assert signs_in(app, owner.email, PASSWORD)


def test_admins_cannot_remove_themselves(web: Web, uow: UowFactory, make_user: MakeUser) -> None:
    boss = make_user("admin")
    make_user("admin")
    web.login(boss)
    demote = web.post(f"/admin/users/{boss.id}/role", {"role": "manager"})
    assert demote.status_code == 422
    text = demote.get_data(as_text=True)
    assert "You cannot change your own role." in text and f'href="#role-{boss.id}"' in text
    assert f'id="role-{boss.id}-error"' in text
    deactivate = web.post(f"/admin/users/{boss.id}/deactivate")
    assert deactivate.status_code == 422
    text = deactivate.get_data(as_text=True)
    assert "You cannot deactivate yourself." in text and f'href="#active-{boss.id}"' in text
    assert role_and_active(uow, boss.email) == ("admin", True)
    assert web.get("/admin/users").status_code == 200


def test_the_last_active_admin_cannot_be_removed(
    web: Web, uow: UowFactory, make_user: MakeUser
) -> None:
    only = make_user("admin")
    # An admin without a password (made on the command line) cannot sign in, so it does not
    # count; to reach the page anyway, sign in as a second admin and then take its password away.
    acting = make_user("admin")
    web.login(acting)
    with uow() as unit:
        stored = unit.users.get(acting.id)
        assert stored is not None
        stored.password_hash = None
        unit.commit()
    attempts: list[tuple[str, dict[str, str]]] = [
        (f"/admin/users/{only.id}/role", {"role": "viewer"}),
        (f"/admin/users/{only.id}/deactivate", {}),
    ]
    for path, data in attempts:
        response = web.post(path, data)
        assert response.status_code == 422, path
        assert "This is the last active administrator." in response.get_data(as_text=True)
    assert role_and_active(uow, only.email) == ("admin", True)


def test_forms_without_a_csrf_token_are_refused(
    web: Web, app: Flask, uow: UowFactory, make_user: MakeUser
) -> None:
    boss = make_user("admin")
    viewer = make_user("viewer")
    web.login(boss)
    client = web.client
    invite = {"name": "X", "email": "x@randers.dk", "role": "admin"}
    assert client.post("/admin/users/invite", data=invite).status_code == 400
    assert client.post(f"/admin/users/{viewer.id}/role", data={"role": "admin"}).status_code == 400
    assert client.post(f"/admin/users/{viewer.id}/deactivate").status_code == 400
    assert role_and_active(uow, viewer.email) == ("viewer", True)
    with uow() as unit:
        token = admin.invite_user(unit, boss, name="Ny", email="ny@randers.dk", role="viewer").token
    guest = browser(app).client
    passwords = {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    posted = guest.post(f"/invite/{token}", data=passwords)
    assert posted.status_code == 400
    with uow() as unit:
        user = unit.users.by_email("ny@randers.dk")
        assert user is not None and user.password_hash is None
