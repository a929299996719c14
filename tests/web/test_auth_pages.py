"""Signing in and out: sessions, throttling, redirects, CSRF and the security headers."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from flask import Flask

from tests.conftest import PASSWORD
from tests.web.conftest import Web
from workflow.permissions import Actor


def test_pages_need_a_signed_in_user(web: Web) -> None:
    for path in ("/", "/board", "/my", "/ideas", "/ideas/1", "/meetings", "/dashboard"):
        response = web.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


def test_managers_land_on_the_board_and_owners_on_their_ideas(
    client_factory: Callable[[], Web], make_user: Callable[..., Actor]
) -> None:
    manager_web, owner_web = client_factory(), client_factory()
    manager_web.login(make_user("manager"))
    owner_web.login(make_user("owner"))
    assert manager_web.get("/").headers["Location"] == "/board"
    assert owner_web.get("/").headers["Location"] == "/my"


def test_wrong_password_and_unknown_user_get_the_same_answer(
    web: Web, make_user: Callable[..., Actor]
) -> None:
    user = make_user("owner")
    for email, password in ((user.email, "wrong password"), ("nobody@randers.dk", PASSWORD)):
        response = web.post("/login", {"email": email, "password": password})
        assert response.status_code == 200
        assert "The email address or the password is wrong." in response.get_data(as_text=True)


@pytest.fixture
def one_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sign-ins all happen at one moment, inside one throttling window."""
    from workflow.clock import utcnow
    from workflow.services import sessions

    moment = utcnow().replace(second=30, microsecond=0)
    monkeypatch.setattr(sessions, "utcnow", lambda: moment)


@pytest.mark.usefixtures("one_minute")
def test_the_eleventh_attempt_at_one_address_is_throttled_with_retry_after(
    web: Web, make_user: Callable[..., Actor]
) -> None:
    user = make_user("owner")
    for _ in range(10):
        assert web.post("/login", {"email": user.email, "password": "nope"}).status_code == 200
    refused = web.post(
        "/login",
        {"email": user.email, "password": PASSWORD},
        headers={"Accept-Language": "da"},
    )
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "30"
    assert "Vent et minut" in refused.get_data(as_text=True)


@pytest.mark.usefixtures("one_minute")
def test_somebody_elses_failures_never_lock_the_owner_out(
    app: Flask, make_user: Callable[..., Actor]
) -> None:
    from web import create_app

    proxied = create_app(app.config["IDEAFLOW_SETTINGS"].with_overrides(trusted_proxies=1))
    user = make_user("owner")
    web = Web(proxied.test_client())
    attacker = {"X-Forwarded-For": "203.0.113.66"}
    for _ in range(30):
        web.post("/login", {"email": user.email, "password": "guess"}, headers=attacker)
    assert web.post("/login", {"email": user.email, "password": PASSWORD},
                    headers=attacker).status_code == 429  # fmt: skip
    ok = web.post("/login", {"email": user.email, "password": PASSWORD},
                  headers={"X-Forwarded-For": "10.0.0.99"})  # fmt: skip
    assert ok.status_code == 302
    proxied.extensions["ideaflow.database"].dispose()


def test_an_overlong_password_is_refused_like_a_wrong_one(
    web: Web, make_user: Callable[..., Actor]
) -> None:
    user = make_user("owner")
    response = web.post("/login", {"email": user.email * 100, "password": PASSWORD * 10_000})
    assert response.status_code == 200
    assert "The email address or the password is wrong." in response.get_data(as_text=True)


def test_next_goes_only_to_pages_on_this_site(
    client_factory: Callable[[], Web], make_user: Callable[..., Actor]
) -> None:
    user = make_user("manager")
    for target, expected in (
        ("/ideas?state=assessed", "/ideas?state=assessed"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ):
        web = client_factory()
        response = web.post("/login", {"email": user.email, "password": PASSWORD, "next": target})
        assert response.status_code == 302
        assert response.headers["Location"] == expected, target


def test_logout_really_ends_the_session(web: Web, make_user: Callable[..., Actor]) -> None:
    web.login(make_user("manager"))
    stolen = web.client.get_cookie("ideaflow_session")
    assert stolen is not None
    assert web.get("/board").status_code == 200
    assert web.post("/logout").status_code == 302
    web.client.set_cookie("ideaflow_session", stolen.value)  # a copy of the old cookie
    assert web.get("/board").status_code == 302


def test_the_session_is_rotated_at_sign_in(web: Web, make_user: Callable[..., Actor]) -> None:
    before = web.client.get("/login")
    assert before.status_code == 200
    old = web.client.get_cookie("ideaflow_session")
    web.login(make_user("manager"))
    new = web.client.get_cookie("ideaflow_session")
    assert old is not None and new is not None and old.value != new.value


def test_forms_without_a_csrf_token_are_refused(web: Web, make_user: Callable[..., Actor]) -> None:
    user = make_user("manager")
    response = web.client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    web.login(user)
    assert web.client.post("/logout").status_code == 400
    assert web.client.post("/ideas/new", data={"title": "x"}).status_code == 400


def test_pages_carry_the_security_headers(web: Web, make_user: Callable[..., Actor]) -> None:
    web.login(make_user("manager"))
    response = web.get("/board")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_session_cookie_flags(
    client_factory: Callable[[], Web], make_user: Callable[..., Actor]
) -> None:
    web = client_factory()
    user = make_user("owner")
    response = web.client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": web.csrf_token()}
    )
    set_cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie


@pytest.mark.parametrize(
    ("header", "expected"),
    [(None, 'lang="da"'), ("en-GB,en;q=0.9", 'lang="en"'), ("da,en;q=0.5", 'lang="da"')],
)
def test_danish_by_default_and_english_by_accept_language(
    web: Web, header: str | None, expected: str
) -> None:
    headers = {"Accept-Language": header} if header else {}
    page = web.client.get("/login", headers=headers).get_data(as_text=True)
    assert expected in page


def test_a_user_can_choose_english_and_it_sticks(
    client_factory: Callable[[], Web], make_user: Callable[..., Actor]
) -> None:
    user = make_user("owner")
    web = client_factory()
    web.login(user)
    assert 'lang="da"' in web.client.get("/my").get_data(as_text=True)
    web.post("/language", {"lang": "en", "next": "/my"})
    assert 'lang="en"' in web.client.get("/my").get_data(as_text=True)
    other_browser = client_factory()  # the choice is remembered for the user, not the browser
    other_browser.login(user)
    assert 'lang="en"' in other_browser.client.get("/my").get_data(as_text=True)


def test_behind_a_trusted_proxy_throttling_counts_the_real_client(
    app: Flask, make_user: Callable[..., Actor]
) -> None:
    from web import create_app

    proxied = create_app(app.config["IDEAFLOW_SETTINGS"].with_overrides(trusted_proxies=1))
    user = make_user("owner")
    web = Web(proxied.test_client())
    for n in range(10):  # ten different people, one failure each, through one proxy
        response = web.post(
            "/login",
            {"email": f"nobody{n}@randers.dk", "password": "x"},
            headers={"X-Forwarded-For": f"10.0.0.{n}"},
        )
        assert response.status_code == 200
    ok = web.post("/login", {"email": user.email, "password": PASSWORD},
                  headers={"X-Forwarded-For": "10.0.0.99"})  # fmt: skip
    assert ok.status_code == 302
    proxied.extensions["ideaflow.database"].dispose()


def test_the_session_cookie_is_secure_when_served_over_https(
    app: Flask, make_user: Callable[..., Actor]
) -> None:
    from web import create_app

    settings = app.config["IDEAFLOW_SETTINGS"].with_overrides(base_url="https://ideer.randers.dk")
    secure = create_app(settings)
    user = make_user("owner")
    web = Web(secure.test_client())
    response = web.client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": web.csrf_token()},
        base_url="https://ideer.randers.dk",
    )
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    secure.extensions["ideaflow.database"].dispose()


def test_a_failed_sign_in_keeps_where_the_user_was_going(
    web: Web, make_user: Callable[..., Actor]
) -> None:
    user = make_user("manager")
    sent_away = web.get("/ideas?state=assessed")
    assert sent_away.status_code == 302
    login_url = sent_away.headers["Location"]
    failed = web.post(login_url, {"email": user.email, "password": "forkert kode"})
    page = failed.get_data(as_text=True)
    assert failed.status_code == 200 and "password is wrong" in page
    form_action = re.search(r'<form method="post" action="([^"]+)"', page)
    assert form_action is not None
    assert html.unescape(form_action.group(1)) == "/login?next=/ideas?state%3Dassessed"
    retried = web.post(form_action.group(1).replace("&amp;", "&"),
                       {"email": user.email, "password": PASSWORD})  # fmt: skip
    assert retried.headers["Location"] == "/ideas?state=assessed"


def test_a_new_installation_says_how_to_create_the_first_administrator(
    web: Web, make_user: Callable[..., Actor]
) -> None:
    first = web.get("/login").get_data(as_text=True)
    assert "Nobody can sign in yet" in first and "ideaflow users create" in first
    make_user("admin")
    assert "Nobody can sign in yet" not in web.get("/login").get_data(as_text=True)
