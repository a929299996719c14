"""Sign-in through a real OpenID Provider (oidc-provider on Node), on the Flask test client.

The provider runs as its own process; ideaflow talks to it over HTTP (discovery, keys, token),
and the test follows its sign-in form the way a browser would. The failure cases make the
provider's token endpoint return ID tokens spoiled in one way each, re-signed with its own key.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.conftest import PASSWORD, service_unavailable
from tests.identity_provider import TestProvider, missing_provider, query_of, start_provider
from tests.mailsink import free_port
from tests.web.conftest import Web
from workflow.models import User
from workflow.permissions import Actor
from workflow.services import sign_in_policy, users
from workflow.settings import Settings
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
BASE_URL = "http://ideaflow.test"
DANISH = {"Accept-Language": "da"}


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestProvider]:
    reason = missing_provider()
    if reason:
        service_unavailable(reason)
    provider = start_provider(tmp_path_factory.mktemp("idp"), [BASE_URL])
    yield provider
    provider.stop()


@pytest.fixture
def settings(settings: Settings, idp: TestProvider) -> Settings:
    idp.misbehave(None)
    return settings.with_overrides(**idp.settings())


def begin(client: FlaskClient, next_page: str | None = None) -> str:
    """Press "Sign in with …": the address at the provider the browser is sent to."""
    path = "/login/oidc" + (f"?{urlencode({'next': next_page})}" if next_page else "")
    response = client.get(path, headers=DANISH)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def sign_in(client: FlaskClient, idp: TestProvider, login: str, **kwargs: str):  # type: ignore[no-untyped-def]
    """The whole round trip as ``login``; the response to ideaflow's callback."""
    callback = idp.sign_in(begin(client, kwargs.get("next_page")), login, requests.Session())
    assert callback.startswith(f"{BASE_URL}/login/oidc/callback?"), callback
    return client.get(query_of(callback), headers=DANISH)


def stored(uow: UowFactory, email: str) -> User | None:
    with uow() as unit:
        user = unit.session.scalars(select(User).where(User.email == email)).first()
        unit.session.expunge_all()
        return user


def text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.get_data(as_text=True))


def test_the_request_to_the_provider_uses_pkce_state_and_nonce(
    client: FlaskClient, idp: TestProvider
) -> None:
    query = parse_qs(urlsplit(begin(client)).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == [f"{BASE_URL}/login/oidc/callback"]
    assert set(query["scope"][0].split()) == {"openid", "email", "profile"}


@pytest.mark.parametrize(
    ("groups", "role", "because_of", "landing"),
    [
        (["IDEAFLOW-Admins"], "admin", "IDEAFLOW-Admins", "/admin/users"),
        (["Andet", "IDEAFLOW-Ledere"], "manager", "IDEAFLOW-Ledere", "/dashboard"),
        (["IDEAFLOW-Ejere", "IDEAFLOW-Laesere"], "owner", "IDEAFLOW-Ejere", "/my"),
        (["IDEAFLOW-Laesere"], "viewer", "IDEAFLOW-Laesere", "/ideas"),
        (["IDEAFLOW-Ejere", "IDEAFLOW-Admins"], "admin", "IDEAFLOW-Admins", "/admin/users"),
    ],
)
def test_a_person_gets_the_strongest_role_their_groups_map_to(
    client: FlaskClient,
    idp: TestProvider,
    uow: UowFactory,
    groups: list[str],
    role: str,
    because_of: str,
    landing: str,
) -> None:
    idp.put("sofie", groups=groups, name="Sofie Holm")
    response = sign_in(client, idp, "sofie", next_page=landing)
    assert response.status_code == 302 and response.headers["Location"] == landing
    assert client.get(landing).status_code == 200
    user = stored(uow, "sofie@randers.dk")
    assert user is not None and user.active
    assert (user.role, user.role_source, user.name) == (role, because_of, "Sofie Holm")
    assert user.provider_subject == f"{idp.issuer}|sofie" and user.password_hash is None


def test_roles_follow_the_groups_and_a_person_without_one_is_closed(
    client_factory: Callable[[], Web], idp: TestProvider, uow: UowFactory
) -> None:
    first, second = client_factory(), client_factory()
    idp.put("ole", groups=["IDEAFLOW-Ejere"])
    assert sign_in(first.client, idp, "ole").status_code == 302
    assert first.client.get("/dashboard").status_code == 403  # an owner
    idp.put("ole", groups=["IDEAFLOW-Ledere"])
    assert sign_in(second.client, idp, "ole").status_code == 302
    assert second.client.get("/dashboard").status_code == 200  # a manager now
    assert stored(uow, "ole@randers.dk").role == "manager"  # type: ignore[union-attr]

    idp.put("ole", groups=["Kantinen"])
    refused = sign_in(first.client, idp, "ole")
    assert refused.status_code == 403
    assert "Ingen adgang til ideaflow" in text(refused)
    assert "ingen af dine grupper" in text(refused)
    user = stored(uow, "ole@randers.dk")
    assert user is not None and not user.active and user.provider_deactivated
    # every session of theirs ends with it
    assert second.client.get("/dashboard").status_code == 302

    idp.put("ole", groups=["IDEAFLOW-Ejere"])  # back in a group: the account opens again
    assert sign_in(first.client, idp, "ole").status_code == 302
    assert stored(uow, "ole@randers.dk").active  # type: ignore[union-attr]


def test_groups_sent_only_through_userinfo_are_read_there(
    client: FlaskClient, idp: TestProvider, uow: UowFactory
) -> None:
    idp.put("kim", groups=["IDEAFLOW-Ledere"], groups_in_userinfo_only=True)
    assert sign_in(client, idp, "kim").status_code == 302
    assert stored(uow, "kim@randers.dk").role == "manager"  # type: ignore[union-attr]


def test_an_unknown_group_creates_no_account(
    client: FlaskClient, idp: TestProvider, uow: UowFactory
) -> None:
    idp.put("bo", groups=["Kantinen", "IDEAFLOW-admins"])  # the map is case-sensitive
    response = sign_in(client, idp, "bo")
    assert response.status_code == 403 and "Ingen adgang til ideaflow" in text(response)
    assert stored(uow, "bo@randers.dk") is None
    assert client.get("/my").status_code == 302  # not signed in


def test_an_account_an_administrator_closed_stays_closed(
    client: FlaskClient, idp: TestProvider, uow: UowFactory
) -> None:
    idp.put("lis", groups=["IDEAFLOW-Ejere"])
    assert sign_in(client, idp, "lis").status_code == 302
    with uow() as unit:
        users.set_active(unit, "lis@randers.dk", False)
    response = sign_in(client, idp, "lis")
    assert response.status_code == 403 and "lukket af en administrator" in text(response)
    assert not stored(uow, "lis@randers.dk").active  # type: ignore[union-attr]


def test_a_local_account_with_the_same_address_is_taken_over_with_its_api_tokens(
    client: FlaskClient, idp: TestProvider, uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    local = make_user("viewer", "karen@randers.dk", "Karen")
    with uow() as unit:
        secret = users.issue_token(unit, local.email).secret
    idp.put("karen", groups=["IDEAFLOW-Ledere"], email="Karen@Randers.dk")
    assert sign_in(client, idp, "karen").status_code == 302
    user = stored(uow, "karen@randers.dk")
    assert user is not None and (user.id, user.role) == (local.id, "manager")
    api = client.get("/api/v1/ideas", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200


@pytest.mark.parametrize(
    ("mode", "refused_for"),
    [
        ("wrong_audience", "Invalid claim: 'aud'"),
        ("extra_audience", "Invalid claim: 'aud'"),
        ("expired", "The token is expired"),
        ("bad_nonce", "Invalid claim: 'nonce'"),
        ("wrong_issuer", "Invalid claim: 'iss'"),
        ("bad_signature", "BadSignatureError"),
    ],
)
def test_an_id_token_spoiled_in_any_way_signs_nobody_in(
    client: FlaskClient,
    idp: TestProvider,
    uow: UowFactory,
    caplog: pytest.LogCaptureFixture,
    mode: str,
    refused_for: str,
) -> None:
    idp.put("eva", groups=["IDEAFLOW-Admins"])
    idp.misbehave(mode)
    response = sign_in(client, idp, "eva")
    assert response.status_code == 401, mode
    assert refused_for in caplog.text  # refused by that check, not by another on the way
    assert "kunne ikke godkendes" in text(response)
    assert stored(uow, "eva@randers.dk") is None
    assert client.get("/my").status_code == 302


def test_a_callback_with_another_state_is_refused(client: FlaskClient, idp: TestProvider) -> None:
    idp.put("per", groups=["IDEAFLOW-Admins"])
    callback = idp.sign_in(begin(client), "per", requests.Session())
    parts = urlsplit(callback)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    forged = f"{parts.path}?{urlencode({**query, 'state': 'forged-state'})}"
    response = client.get(forged, headers=DANISH)
    assert response.status_code == 400 and "kunne ikke gennemføres" in text(response)
    assert client.get("/my").status_code == 302
    # nor in a browser that never started a sign-in (a code planted by somebody else)
    with client.application.test_client() as stranger:
        planted = stranger.get(query_of(callback), headers=DANISH)
        assert planted.status_code == 400
        assert stranger.get("/my").status_code == 302


def test_a_sign_in_cancelled_at_the_provider_says_so(client: FlaskClient) -> None:
    begin(client)
    response = client.get("/login/oidc/callback?error=access_denied&state=x", headers=DANISH)
    assert response.status_code == 401 and "Log ind blev afbrudt" in text(response)


def test_a_provider_that_cannot_be_reached_gets_a_danish_page_not_a_500(
    settings: Settings, tmp_path: Path
) -> None:
    from web import create_app

    closed = settings.with_overrides(oidc_issuer=f"http://127.0.0.1:{free_port()}")
    app = create_app(closed)
    try:
        response = app.test_client().get("/login/oidc", headers=DANISH)
        assert response.status_code == 503 and response.headers["Retry-After"] == "60"
        assert "kan ikke nås lige nu" in text(response)
    finally:
        app.extensions["ideaflow.database"].dispose()


def test_a_provider_that_goes_away_mid_sign_in_gets_the_same_page(
    settings: Settings, tmp_path: Path
) -> None:
    from web import create_app

    leaving = start_provider(tmp_path / "leaving", [BASE_URL])
    app = create_app(settings.with_overrides(**leaving.settings()))
    try:
        client = app.test_client()
        leaving.put("ib", groups=["IDEAFLOW-Admins"])
        callback = leaving.sign_in(begin(client), "ib", requests.Session())
        leaving.stop()
        response = client.get(query_of(callback), headers=DANISH)
        assert response.status_code == 503 and "kan ikke nås lige nu" in text(response)
    finally:
        leaving.stop()
        app.extensions["ideaflow.database"].dispose()


def test_signing_out_ends_the_session_at_the_provider_too(web: Web, idp: TestProvider) -> None:
    idp.put("tove", groups=["IDEAFLOW-Ejere"])
    assert sign_in(web.client, idp, "tove").status_code == 302
    response = web.post("/logout")
    assert response.status_code == 302
    target = response.headers["Location"]
    assert target.startswith(f"{idp.issuer}/session/end?")
    query = parse_qs(urlsplit(target).query)
    assert query["post_logout_redirect_uri"] == [f"{BASE_URL}/login"]
    assert query["id_token_hint"][0].count(".") == 2
    assert web.client.get("/my").status_code == 302


def test_the_sign_in_page_offers_the_provider_in_danish_and_english(client: FlaskClient) -> None:
    danish = text(client.get("/login", headers=DANISH))
    assert "Log ind med Testkommune" in danish and 'href="/login/oidc"' in danish
    english = text(client.get("/login", headers={"Accept-Language": "en"}))
    assert "Sign in with Testkommune" in english


def test_administrators_may_keep_passwords_for_themselves_only(
    web: Web, client_factory: Callable[[], Web], make_user: Callable[..., Actor], uow: UowFactory
) -> None:
    admin, manager = make_user("admin"), make_user("manager")
    web.login(manager)  # passwords allowed for everyone until an administrator narrows it
    with uow() as unit:
        sign_in_policy.choose_local_passwords(unit, admin, "admins")
    other = client_factory()
    refused = other.client.post(
        "/login",
        data={"email": manager.email, "password": PASSWORD,
              "csrf_token": other.csrf_token()},
        headers=DANISH,
    )  # fmt: skip
    assert refused.status_code == 200
    assert "kun for administratorer" in text(refused) and "Testkommune" in text(refused)
    client_factory().login(admin)  # the break-glass administrator still gets in
    page = text(client_factory().client.get("/login", headers=DANISH))
    assert "Nødadgang for administratorer" in page


def test_admin_users_shows_where_each_role_came_from(
    web: Web, idp: TestProvider, client_factory: Callable[[], Web],
    make_user: Callable[..., Actor], uow: UowFactory,
) -> None:  # fmt: skip
    admin = make_user("admin", "admin@randers.dk", "Ada Admin")
    idp.put("mette", groups=["IDEAFLOW-Ledere"], name="Mette Leder")
    assert sign_in(client_factory().client, idp, "mette").status_code == 302
    mette = stored(uow, "mette@randers.dk")
    assert mette is not None
    web.login(admin)
    page = text(web.get("/admin/users", headers=DANISH))
    assert "Fra gruppen “IDEAFLOW-Ledere” hos Testkommune" in page
    assert f'action="/admin/users/{mette.id}/role"' not in page  # changed at the provider
    assert "Sat i ideaflow" in page and "Sidst logget ind via login-udbyderen" in page
    refused = web.post(f"/admin/users/{mette.id}/role", {"role": "viewer"}, headers=DANISH)
    assert refused.status_code == 422 and "skift den dér" in text(refused)
    assert stored(uow, "mette@randers.dk").role == "manager"  # type: ignore[union-attr]

    assert "Hvem må stadig logge ind med adgangskode?" in page
    chosen = web.post("/admin/sign-in", {"local_passwords": "admins"}, headers=DANISH)
    assert chosen.status_code == 302
    with uow() as unit:
        assert sign_in_policy.local_passwords(unit) is sign_in_policy.LocalPasswords.ADMINS
    assert web.post("/admin/sign-in", {"local_passwords": "nobody"}).status_code == 422


def test_only_administrators_choose_how_people_sign_in(
    web: Web, make_user: Callable[..., Actor]
) -> None:
    web.login(make_user("manager"))
    assert web.post("/admin/sign-in", {"local_passwords": "admins"}).status_code == 403


def test_pages_let_the_sign_out_form_continue_at_the_provider(
    client: FlaskClient, idp: TestProvider
) -> None:
    policy = client.get("/login").headers["Content-Security-Policy"]
    assert f"form-action 'self' {idp.issuer};" in policy


@pytest.mark.parametrize(
    "query",
    [
        "",
        "code=&state=",
        "code=%00&state=%00",
        "code=x&state=<script>alert(1)</script>",
        "error=<script>alert(1)</script>&error_description=%E2%80%AE",
        "error=access_denied&error=other&state=" + "s" * 5000,
        "code=" + "c" * 20000,
    ],
)
def test_hostile_callbacks_get_a_page_not_a_500(client: FlaskClient, query: str) -> None:
    begin(client)
    response = client.get(f"/login/oidc/callback?{query}", headers=DANISH)
    assert response.status_code in (400, 401, 422)  # 422: a NUL is refused before any view
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    assert client.get("/my").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example.org/", "//evil.example.org/x", "/\\evil"])
def test_signing_in_never_sends_the_browser_off_the_site(
    client: FlaskClient, idp: TestProvider, target: str
) -> None:
    idp.put("nora", groups=["IDEAFLOW-Ejere"])
    response = sign_in(client, idp, "nora", next_page=target)
    assert response.status_code == 302 and response.headers["Location"] == "/"
