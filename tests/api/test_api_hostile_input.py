"""Malformed and hostile input the testers sent the API: each answered 500 once; now a
documented 4xx with a JSON error body (the ``Api`` client checks both against the document)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.api.conftest import Api
from workflow.permissions import Actor
from workflow.services import ideas
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
MakeUser = Callable[..., Actor]
JSON = "application/json"


@pytest.fixture
def manager(make_user: MakeUser) -> Actor:
    return make_user("manager")


@pytest.fixture
def idea_id(uow: UowFactory, manager: Actor) -> int:
    with uow() as unit:
        return ideas.create_idea(unit, manager, {"title": "Natbus fra Langå"}).id


def bodies_for(idea_id: int) -> list[tuple[str, str]]:
    """Every operation that reads a JSON body."""
    return [
        ("POST", "/ideas"),
        ("PATCH", f"/ideas/{idea_id}"),
        ("POST", f"/ideas/{idea_id}/transitions"),
        ("POST", f"/ideas/{idea_id}/followers"),
        ("POST", "/meetings/1/participants"),
    ]


@pytest.mark.parametrize("depth", [21, 500, 1000, 100_000])
@pytest.mark.parametrize("shape", ["list", "object", "in a field"])
def test_deeply_nested_json_is_refused(
    api: Api, manager: Actor, idea_id: int, depth: int, shape: str
) -> None:
    if shape == "list":
        body = "[" * depth + "]" * depth
    elif shape == "object":
        body = '{"a":' * depth + "1" + "}" * depth
    else:
        body = '{"title": ' + "[" * depth + "]" * depth + "}"
    for method, path in bodies_for(idea_id):
        response = api.call(method, path, manager, data=body, content_type=JSON)
        assert response.status_code == 400, (method, path)
        assert "nested too deeply" in response.get_json()["error"]["message"]


def test_json_nested_as_deep_as_allowed_is_read(api: Api, manager: Actor) -> None:
    themes = '{"themes": ' + "[" * 19 + "]" * 19 + ', "title": "Natbus"}'
    response = api.post("/ideas", manager, data=themes, content_type=JSON)
    assert response.status_code == 422  # read, and refused for what it says
    assert response.get_json()["error"]["fields"] == {"themes": "Must be a list of texts."}


@pytest.mark.parametrize(
    "body",
    [
        '{"title": "\\ud800"}',
        '{"title": "a\\udfffb"}',
        '{"title": "ok", "themes": ["\\udc00"]}',
        '{"\\ud800": 1}',
        '{"title": "\\udbff\\u0041"}',
    ],
)
def test_lone_surrogates_are_refused(api: Api, manager: Actor, idea_id: int, body: str) -> None:
    for method, path in bodies_for(idea_id):
        response = api.call(method, path, manager, data=body, content_type=JSON)
        assert response.status_code == 422, (method, path)
        assert "unpaired surrogate" in response.get_json()["error"]["fields"]["body"]


def test_a_surrogate_pair_is_one_character(api: Api, manager: Actor) -> None:
    response = api.post("/ideas", manager, data='{"title": "\\ud83d\\ude00"}', content_type=JSON)
    assert response.status_code == 201
    assert response.get_json()["title"] == "\U0001f600"


@pytest.mark.parametrize(
    "body",
    ['{"title": NaN}', '{"title": Infinity}', '{"title": -Infinity}', "\xff\xfe{", "1" * 5000],
)
def test_what_is_not_json_is_a_400(api: Api, manager: Actor, body: str) -> None:
    response = api.post("/ideas", manager, data=body.encode("latin-1"), content_type=JSON)
    assert response.status_code == 400
    assert response.get_json()["error"]["message"].startswith("The body is not valid JSON")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/ideas/1/followers/99999999999999999999"),
        ("DELETE", "/ideas/99999999999999999999/followers/1"),
        ("DELETE", "/ideas/1/followers/2147483648"),
        ("GET", "/ideas/2147483648"),
        ("GET", "/ideas/0"),
        ("GET", "/ideas/99999999999999999999/history"),
        ("PATCH", "/ideas/99999999999999999999"),
        ("POST", "/ideas/99999999999999999999/transitions"),
        ("POST", "/ideas/99999999999999999999/followers"),
        ("GET", "/meetings/99999999999999999999"),
        ("GET", "/meetings/99999999999999999999/report"),
        ("GET", "/meetings/99999999999999999999/document"),
        ("POST", "/meetings/99999999999999999999/participants"),
    ],
)
def test_ids_beyond_what_the_database_holds_are_not_found(
    api: Api, manager: Actor, idea_id: int, method: str, path: str
) -> None:
    response = api.call(method, path, manager, json={})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/ideas?state=", "state"),
        ("/ideas?state=%00", "state"),
        ("/ideas?page=%C2%B2", "page"),
        ("/ideas?per_page=1_0", "per_page"),
        ("/ideas?page=" + "9" * 5000, "page"),
        ("/notifications?status=", "status"),
        ("/notifications?idea=", "idea"),
        ("/notifications?idea=%D9%A3", "idea"),
        ("/meetings?page=%C2%B2", "page"),
    ],
)
def test_query_values_the_document_forbids_are_refused(
    api: Api, manager: Actor, path: str, field: str
) -> None:
    response = api.get(path, manager)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_nul_in_an_uploaded_file_name_is_refused(api: Api, manager: Actor) -> None:
    import io

    upload = (io.BytesIO(b"- En ide\n"), "referat\x00.txt")
    response = api.post("/imports", manager, data={"file": upload})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"file": "Must not contain NUL characters."}


def test_multipart_parts_without_a_name(api: Api, manager: Actor) -> None:
    # A backslash before the closing quote escapes it: Werkzeug reads the part's name as None.
    body = (
        b'--b\r\nContent-Disposition: form-data; name="a\\"\r\n\r\n1\r\n'
        b'--b\r\nContent-Disposition: form-data; name=""; filename=""\r\n\r\nx\r\n--b--\r\n'
    )
    multipart = "multipart/form-data; boundary=b"
    response = api.post("/imports", manager, data=body, content_type=multipart)
    assert response.status_code == 422
    assert "file" in response.get_json()["error"]["fields"]


def test_a_viewer_is_refused_before_the_upload_is_looked_at(api: Api, make_user: MakeUser) -> None:
    response = api.post("/imports", make_user("viewer"), data={})
    assert response.status_code == 403
