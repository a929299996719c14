"""The requests the schema and the server once disagreed about, each answered as the generated
document says: what it allows is accepted (or refused by a documented data rule), what it
forbids is refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from tests.api.conftest import Api
from web.api.openapi import openapi_spec
from workflow.permissions import Actor


def schema_allows(name: str, body: Any) -> bool:
    """True when component ``name`` of the generated document allows ``body``."""
    spec = openapi_spec()
    root = {"$ref": f"#/components/schemas/{name}", "components": spec["components"]}
    validator = Draft202012Validator(root, format_checker=FormatChecker())
    return validator.is_valid(body)


def new_idea(api: Api, actor: Actor) -> dict[str, Any]:
    response = api.post("/ideas", actor, json={"title": "Frivillige i idrætshallen"})
    assert response.status_code == 201
    return response.get_json()  # type: ignore[no-any-return]


def test_a_whole_number_written_as_a_float_is_a_score(
    api: Api, make_user: Callable[..., Actor]
) -> None:
    owner = make_user("owner")
    idea = new_idea(api, owner)
    body = {
        "trigger": "assess",
        "data": {"impact": 4, "feasibility": 1.0, "cost": 2, "summary": "Godt"},
    }
    assert schema_allows("Transition", body)
    response = api.post(f"/ideas/{idea['id']}/transitions", owner, json=body)
    assert response.status_code == 200, response.get_json()
    history = api.get(f"/ideas/{idea['id']}/history", owner).get_json()["items"]
    assert history[-1]["data"]["feasibility"] == 1


def test_an_empty_state_filter_is_refused_as_the_document_says(
    api: Api, make_user: Callable[..., Actor]
) -> None:
    owner = make_user("owner")
    parameters = openapi_spec()["paths"]["/ideas"]["get"]["parameters"]
    state = next(p for p in parameters if p["name"] == "state")
    assert "" not in state["schema"]["enum"]
    response = api.get("/ideas?state=", owner)
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"state"}


def test_reject_with_empty_data_is_allowed_by_both(
    api: Api, make_user: Callable[..., Actor]
) -> None:
    owner = make_user("owner")
    idea = new_idea(api, owner)
    body = {"trigger": "reject", "reason": "Dubletter", "data": {}}
    assert schema_allows("Transition", body)
    assert not schema_allows("Transition", {**body, "data": {"extra": 1}})
    response = api.post(f"/ideas/{idea['id']}/transitions", owner, json=body)
    assert response.status_code == 200 and response.get_json()["state"] == "rejected"


def test_an_owner_who_is_no_user_is_a_documented_data_rule(
    api: Api, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    body = {"title": "Lektiecafé", "owner": "nobody@randers.dk"}
    assert schema_allows("NewIdea", body)
    response = api.post("/ideas", manager, json=body)
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"owner"}
    description = openapi_spec()["paths"]["/ideas"]["post"]["responses"]["422"]["description"]
    assert "`owner` is not an active owner or manager" in description
