"""Who may use which route: every route in the URL map × anonymous, viewer, the idea's owner,
another owner, manager and admin, against the table below.

The table is the product's rules, not a copy of the code. A route without a row fails the
test (deny by default: a new route must be classified here), and so does a row without a
route. Follower and participant email addresses must not show on any page or API answer to
whom they are not for.

Cells: ``OK`` allowed (any answer but 401, 403, 404 or a redirect to sign in, never a 5xx),
``LOGIN`` redirected to sign in, ``DENY`` 403, ``TOKEN`` 401 (the API without a token).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from werkzeug.routing import Rule

from tests.web.world import (
    FOLLOWER_EMAIL,
    PARTICIPANT_EMAILS,
    ROLES,
    UowFactory,
    World,
    build_world,
)
from workflow.permissions import Actor
from workflow.states import TRIGGER_NAMES, TRIGGERS_BY_NAME

OK, LOGIN, DENY, TOKEN = "ok", "login", "403", "401"


def cells(anonymous: str, viewer: str, owner: str, other: str, manager: str, admin: str) -> Any:
    """One row: the expected outcome for each role, in ROLES order."""
    return dict(zip(ROLES, (anonymous, viewer, owner, other, manager, admin), strict=True))


PUBLIC = cells(OK, OK, OK, OK, OK, OK)
SIGNED_IN = cells(LOGIN, OK, OK, OK, OK, OK)
NOT_VIEWERS = cells(LOGIN, DENY, OK, OK, OK, OK)
IDEA_OWNER = cells(LOGIN, DENY, OK, DENY, OK, OK)  # the idea's owner, managers and admins
MANAGERS = cells(LOGIN, DENY, DENY, DENY, OK, OK)
ADMINS = cells(LOGIN, DENY, DENY, DENY, DENY, OK)
UPLOADER = cells(LOGIN, DENY, OK, DENY, DENY, OK)  # the owner uploaded it; admins see any
API_SIGNED_IN = cells(TOKEN, OK, OK, OK, OK, OK)
API_NOT_VIEWERS = cells(TOKEN, DENY, OK, OK, OK, OK)
API_IDEA_OWNER = cells(TOKEN, DENY, OK, DENY, OK, OK)
API_MANAGERS = cells(TOKEN, DENY, DENY, DENY, OK, OK)

GATE_ROWS = {
    f"{method} /ideas/<int:idea_id>/transitions/<name>:{name}": (
        IDEA_OWNER if TRIGGERS_BY_NAME[name].owner_may_fire else MANAGERS
    )
    for method in ("GET", "POST")
    for name in TRIGGER_NAMES
}
MATRIX: dict[str, dict[str, str]] = {
    # Reachable without signing in: assets, the health check, signing in, and the pages
    # stakeholders reach by signed links from their email.
    "GET /static/<path:filename>": PUBLIC,
    "GET /healthz": PUBLIC,
    "GET /login": PUBLIC,
    "POST /login": PUBLIC,
    "POST /language": PUBLIC,
    "GET /invite/<token>": PUBLIC,
    "POST /invite/<token>": PUBLIC,
    "GET /unsubscribe/<token>": PUBLIC,
    "POST /unsubscribe/<token>": PUBLIC,
    "GET /status/<token>": PUBLIC,
    "GET /reports/<token>": PUBLIC,
    "GET /api/v1/openapi.json": PUBLIC,
    # Pages: everybody signed in reads; viewers only read.
    "POST /logout": SIGNED_IN,
    "GET /": SIGNED_IN,
    "GET /board": SIGNED_IN,
    "GET /my": SIGNED_IN,
    "GET /ideas": SIGNED_IN,
    "GET /ideas.csv": SIGNED_IN,
    "GET /ideas/<int:idea_id>": SIGNED_IN,
    "GET /meetings": SIGNED_IN,
    "GET /meetings/<int:meeting_id>": SIGNED_IN,
    "GET /ideas/new": NOT_VIEWERS,
    "POST /ideas/new": NOT_VIEWERS,
    # Owners act on the ideas they own; other owners get 403 on someone else's idea.
    "GET /ideas/<int:idea_id>/edit": IDEA_OWNER,
    "POST /ideas/<int:idea_id>/edit": IDEA_OWNER,
    "POST /ideas/<int:idea_id>/comments": NOT_VIEWERS,  # colleagues share what they know
    "POST /ideas/<int:idea_id>/followers": IDEA_OWNER,
    "POST /ideas/<int:idea_id>/followers/<int:contact_id>/delete": IDEA_OWNER,
    **GATE_ROWS,  # every trigger but merge (managers and admins only)
    # Importing minutes: not viewers; an upload waiting for its preview is its uploader's.
    "GET /imports/new": NOT_VIEWERS,
    "POST /imports/new": NOT_VIEWERS,
    "GET /imports/<token>": UPLOADER,
    "POST /imports/<token>": UPLOADER,
    "POST /imports/<token>/discard": UPLOADER,
    "POST /imports/<token>/again": UPLOADER,  # read a scan again after its reading failed
    # Managers and admins.
    "GET /dashboard": MANAGERS,
    "POST /meetings/<int:meeting_id>/participants": MANAGERS,
    "GET /meetings/<int:meeting_id>/document": MANAGERS,
    "POST /meetings/<int:meeting_id>/report/plan": MANAGERS,
    "GET /meetings/<int:meeting_id>/report/preview": MANAGERS,
    "GET /meetings/<int:meeting_id>/report/preview/html": MANAGERS,
    "POST /meetings/<int:meeting_id>/report/send": MANAGERS,
    "GET /admin/notifications": MANAGERS,
    # Admins only.
    "GET /admin/users": ADMINS,
    "POST /admin/users/invite": ADMINS,
    "POST /admin/users/<int:user_id>/invitation": ADMINS,
    "POST /admin/users/<int:user_id>/role": ADMINS,
    "POST /admin/sign-in": ADMINS,
    "POST /admin/users/<int:user_id>/deactivate": ADMINS,
    "POST /admin/users/<int:user_id>/reactivate": ADMINS,
    "GET /admin/contacts": ADMINS,
    "GET /admin/contacts/<int:contact_id>/export": ADMINS,
    "GET /admin/contacts/<int:contact_id>/erase": ADMINS,
    "POST /admin/contacts/<int:contact_id>/erase": ADMINS,
    "GET /admin/mail": ADMINS,
    "GET /admin/mail/<name>": ADMINS,
    "GET /admin/mail/<name>/html": ADMINS,
    "POST /admin/suppressions/clear": ADMINS,
    "POST /admin/outbox/retry": ADMINS,
    "POST /admin/outbox/<int:outbox_id>/retry": ADMINS,
    "POST /admin/notifications/resend": ADMINS,
    # The API: a bearer token for everything but the document.
    "GET /api/v1/ideas": API_SIGNED_IN,
    "GET /api/v1/ideas/<int:idea_id>": API_SIGNED_IN,
    "GET /api/v1/ideas/<int:idea_id>/history": API_SIGNED_IN,
    "GET /api/v1/pipeline": API_SIGNED_IN,
    "GET /api/v1/meetings": API_SIGNED_IN,
    "GET /api/v1/meetings/<int:meeting_id>": API_SIGNED_IN,
    "POST /api/v1/ideas": API_NOT_VIEWERS,
    "POST /api/v1/imports": API_NOT_VIEWERS,
    "PATCH /api/v1/ideas/<int:idea_id>": API_IDEA_OWNER,
    "POST /api/v1/ideas/<int:idea_id>/transitions:reject": API_IDEA_OWNER,
    "POST /api/v1/ideas/<int:idea_id>/transitions:merge": API_MANAGERS,
    "POST /api/v1/ideas/<int:idea_id>/followers": API_IDEA_OWNER,
    "DELETE /api/v1/ideas/<int:idea_id>/followers/<int:contact_id>": API_IDEA_OWNER,
    "GET /api/v1/meetings/<int:meeting_id>/document": API_MANAGERS,
    "POST /api/v1/meetings/<int:meeting_id>/participants": API_MANAGERS,
    "GET /api/v1/meetings/<int:meeting_id>/report": API_MANAGERS,
    "GET /api/v1/notifications": API_MANAGERS,
}
VARIANTS = {  # routes whose rule depends on more than the URL pattern
    "gates.gate": TRIGGER_NAMES,
    "api.fire_trigger": ("reject", "merge"),
}
API_BODIES: dict[str, dict[str, Any]] = {  # a request each may refuse only after its checks
    "api.fire_trigger": {"trigger": "reject"},
    "api.create_import": {},
}
PUBLIC_LINKS = ("public.",)  # pages for the addressee of a signed link show their address


def routes(app: Flask) -> Iterator[tuple[str, str, Rule, str | None]]:
    """(key, method, rule, variant) for every method of every route in the URL map."""
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            for variant in VARIANTS.get(rule.endpoint, (None,)):
                key = f"{method} {rule.rule}" + (f":{variant}" if variant else "")
                yield key, method, rule, variant


def request(world: World, role: str, method: str, rule: Rule, variant: str | None) -> Any:
    """Send the cell's request: an empty form (with its CSRF token) or a minimal API body."""
    url = world.url(rule, variant)
    if rule.rule.startswith("/api/"):
        client = world.client("anonymous")
        headers = world.bearer(role)
        if rule.endpoint == "api.create_import":
            upload = {"file": (__import__("io").BytesIO(b"not minutes"), "x.txt")}
            return client.open(url, method=method, headers=headers, data=upload)
        body = {"trigger": variant} if rule.endpoint == "api.fire_trigger" else {}
        json = body if method in ("POST", "PATCH") else None
        return client.open(url, method=method, headers=headers, json=json)
    fresh = rule.endpoint == "auth.logout"  # signing out must not sign out the shared client
    client = world.client(role, fresh=fresh)
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={"csrf_token": world.csrf_token(role, client)})


def outcome(response: Any) -> str:
    """What a response amounts to, in the table's terms (signing out also ends at /login, but
    only a page that needs a signed-in user sends strangers there with ``next``)."""
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303) and "/login?next=" in location:
        return LOGIN
    if response.status_code in (401, 403):
        return str(response.status_code)
    if response.status_code == 404 or response.status_code >= 500:
        return f"status {response.status_code}"
    return OK


def test_every_route_has_a_row_and_every_row_a_route(app: Flask) -> None:
    keys = {key for key, *_ in routes(app)}
    assert sorted(keys - set(MATRIX)) == [], "classify these routes in MATRIX"
    assert sorted(set(MATRIX) - keys) == [], "these rows have no route any more"


@pytest.fixture
def world(app: Flask, uow: UowFactory, make_user: Callable[..., Actor]) -> World:
    return build_world(app, uow, make_user)


def test_who_may_use_which_route(world: World) -> None:
    wrong: list[str] = []
    for key, method, rule, variant in routes(world.app):
        for role in ROLES:
            response = request(world, role, method, rule, variant)
            text = response.get_data(as_text=True)
            response.close()  # static files are streamed from an open file
            expected, got = MATRIX[key][role], outcome(response)
            if got != expected:
                wrong.append(f"{key} as {role}: expected {expected}, got {got}")
            if response.status_code == 200 and not rule.endpoint.startswith(PUBLIC_LINKS):
                wrong.extend(f"{key} as {role}: {leak}" for leak in leaks(role, text))
    assert wrong == [], "\n".join(wrong)


def leaks(role: str, text: str) -> list[str]:
    """Addresses in the answer that ``role`` may not see: followers' (managers, admins and
    the idea's owner only) and participants' (managers and admins only)."""
    hidden = [] if role in ("owner", "manager", "admin") else [FOLLOWER_EMAIL]
    hidden += [] if role in ("manager", "admin") else list(PARTICIPANT_EMAILS)
    return [f"shows {address}" for address in hidden if address in text]


@pytest.mark.parametrize(
    ("role", "sees"),
    [("viewer", False), ("other", False), ("owner", True), ("manager", True), ("admin", True)],
)
def test_a_followers_address_on_the_idea_page_and_in_the_api(
    world: World, role: str, sees: bool
) -> None:
    page = world.client(role).get(f"/ideas/{world.idea_id}").get_data(as_text=True)
    assert "Fie Følger" in page
    assert (FOLLOWER_EMAIL in page) is sees
    for path in (f"/api/v1/ideas/{world.idea_id}", f"/api/v1/ideas/{world.idea_id}/history",
                 "/api/v1/ideas", f"/api/v1/meetings/{world.meeting_id}"):  # fmt: skip
        answer = world.client("anonymous").get(path, headers=world.bearer(role))
        assert answer.status_code == 200 and FOLLOWER_EMAIL not in answer.get_data(as_text=True)
