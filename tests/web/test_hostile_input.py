"""Malformed and hostile input the testers sent the pages: each answered 500 once; now a 4xx
(or a redirect) with a message."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from tests.web.conftest import Web
from workflow.notifications.tokens import read_report_token, read_status_token, verify
from workflow.permissions import Actor
from workflow.services import ideas
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
MakeUser = Callable[..., Actor]
NUL_MESSAGE = "holds a NUL character (U+0000), which no text may contain."


@pytest.mark.parametrize("token", ["22.\u00e9", "1.\u00e9", "\u00e9.abc", "1.\U0001f600", "x" * 20])
def test_a_token_with_non_ascii_text_is_simply_not_genuine(token: str) -> None:
    assert verify("secret", "status", token) is None
    assert read_status_token("secret", token) is None
    assert read_report_token("secret", token) is None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/status/22.%C3%A9"),
        ("GET", "/unsubscribe/1.%C3%A9"),
        ("POST", "/unsubscribe/1.%C3%A9"),
        ("GET", "/reports/1.%C3%A9"),
        ("GET", "/status/%C3%A9.%C3%A9"),
        ("GET", "/reports/%F0%9F%98%80.%F0%9F%98%80"),
        ("GET", "/status/%FF.%FE"),  # not UTF-8 at all
    ],
)
def test_public_links_with_non_ascii_signatures_are_not_found(
    client: FlaskClient, method: str, path: str
) -> None:
    response = client.open(path, method=method, headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "link" in response.get_data(as_text=True).lower()


@pytest.mark.parametrize(
    "path",
    [
        "/ideas/99999999999999999999",
        "/ideas/2147483648",
        "/ideas/0",
        "/ideas/2147483648/edit",
        "/meetings/99999999999999999999",
        "/meetings/2147483648/document",
        "/admin/contacts/99999999999999999999/export",
        "/ideas/\u0663",  # an Arabic-Indic three: a digit to \\d, not to a URL
        "/ideas/" + "9" * 5000,
    ],
)
def test_ids_beyond_what_the_database_holds_are_not_found(
    web: Web, make_user: MakeUser, path: str
) -> None:
    web.login(make_user("admin"))
    assert web.get(path).status_code == 404


def test_a_follower_beyond_what_the_database_holds_is_not_found(
    web: Web, make_user: MakeUser, uow: UowFactory
) -> None:
    manager = make_user("manager")
    with uow() as unit:
        idea_id = ideas.create_idea(unit, manager, {"title": "Natbus"}).id
    web.login(manager)
    response = web.post(f"/ideas/{idea_id}/followers/99999999999999999999/delete")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/ideas?q=%00",
        "/ideas?owner=a%00b",
        "/ideas.csv?q=%00",
        "/admin/contacts?q=%00",
        "/admin/notifications?q=%00",
        "/admin/notifications?kind=%00",
        "/imports/%00abc",
        "/invite/%00",
    ],
)
def test_nul_in_a_page_address_is_refused_with_a_message(
    web: Web, make_user: MakeUser, path: str
) -> None:
    web.login(make_user("admin"))
    response = web.get(path)
    assert response.status_code == 422
    assert NUL_MESSAGE in response.get_data(as_text=True)


def test_nul_in_a_form_is_refused_with_a_message(web: Web, make_user: MakeUser) -> None:
    web.login(make_user("manager"))
    response = web.post("/ideas/new", {"title": "Natbus\x00"})
    assert response.status_code == 422
    assert NUL_MESSAGE in response.get_data(as_text=True)


def test_nul_on_public_pages_is_refused_too(client: FlaskClient) -> None:
    response = client.get("/status/1.abc?lang=%00", headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert NUL_MESSAGE in response.get_data(as_text=True)


def test_strangers_are_sent_to_sign_in_before_their_input_is_looked_at(
    client: FlaskClient,
) -> None:
    response = client.get("/ideas?q=%00")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("page", ["\u00b2", "\u0663", "1_0", " 1", "9" * 5000, "-1", "0"])
def test_page_numbers_that_are_no_page_numbers(web: Web, make_user: MakeUser, page: str) -> None:
    web.login(make_user("admin"))
    assert web.get("/admin/mail", query_string={"page": page}).status_code == 404
    assert web.get("/meetings", query_string={"page": page}).status_code == 404
    notifications = web.get("/admin/notifications", query_string={"page": page})
    assert notifications.status_code == 422
    assert "Must be a whole number of 1 or more." in notifications.get_data(as_text=True)
    listed = web.get("/ideas", query_string={"page": page})
    assert listed.status_code == 422
    assert "A filter was not understood" in listed.get_data(as_text=True)


@pytest.mark.parametrize("number", ["9" * 5000, "\u00b2", "\u0663", "1" * 19])
def test_huge_and_unicode_numbers_in_forms(
    web: Web, make_user: MakeUser, uow: UowFactory, number: str
) -> None:
    manager = make_user("manager")
    with uow() as unit:
        idea_id = ideas.create_idea(unit, manager, {"title": "Natbus"}).id
    web.login(manager)
    edited = web.post(f"/ideas/{idea_id}/edit", {"title": "Natbus", "expected_version": number})
    assert edited.status_code in (302, 409)
    assessed = web.post(
        f"/ideas/{idea_id}/transitions/assess",
        {"data-impact": number, "data-feasibility": "3", "data-cost": "3",
         "data-summary": "Godt", "expected_version": "1"},
    )  # fmt: skip
    assert assessed.status_code == 422
    assert "Must be a whole number from 1 to 5." in assessed.get_data(as_text=True)
    merged = web.post(
        f"/ideas/{idea_id}/transitions/merge", {"data-into": number, "expected_version": "1"}
    )
    assert merged.status_code == 422
    assert "Must be the id of an idea." in merged.get_data(as_text=True)


def test_a_form_part_without_a_name(web: Web, make_user: MakeUser) -> None:
    web.login(make_user("manager"))
    token = web.csrf_token().encode()
    body = (
        b'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n' + token + b"\r\n"
        b'--b\r\nContent-Disposition: form-data; name="a\\"\r\n\r\n1\r\n--b--\r\n'
    )
    response = web.client.post(
        "/imports/new",
        data=body,
        content_type="multipart/form-data; boundary=b",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert "Choose the file with the minutes." in response.get_data(as_text=True)


def test_a_long_address_is_not_echoed_into_the_session_cookie(
    web: Web, make_user: MakeUser
) -> None:
    web.login(make_user("admin"))
    response = web.post("/admin/suppressions/clear", {"email": "x" * 100_000 + "@x.dk"})
    assert response.status_code == 302
    assert len(response.headers.get("Set-Cookie", "")) < 4000
    assert "was not suppressed." in web.text("/admin/notifications")
