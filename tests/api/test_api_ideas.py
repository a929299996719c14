"""The JSON API contract, end to end through Flask, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from tests.api.conftest import Api
from workflow.clock import local_today
from workflow.permissions import Actor
from workflow.repositories import ideas as idea_repository

ASSESS = {"impact": 4, "feasibility": 3, "cost": 2, "summary": "Lovende"}
PILOT = {"starts_on": "2026-01-01", "ends_on": "2026-06-30", "success_criteria": "50 unge i job"}
SCALE = {"outcome": "partial", "evaluation": "Halvdelen nået", "scale_to": ["Langå"]}


def create(api: Api, actor: Actor, **fields: object) -> dict:  # type: ignore[type-arg]
    response = api.post("/ideas", actor, json={"title": "Sociale partnerskaber", **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def test_create_returns_201_with_location_and_the_idea(
    api: Api, make_user: Callable[..., Actor]
) -> None:
    owner = make_user("owner")
    response = api.post(
        "/ideas", owner, json={"title": "Mens du venter", "themes": ["Forældre", "Unge"]}
    )
    assert response.status_code == 201
    idea = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/ideas/{idea['id']}")
    assert idea["state"] == "proposed" and idea["version"] == 1
    assert idea["owner"] == owner.email and idea["meeting"] is None
    assert idea["themes"] == ["Forældre", "Unge"]
    assert idea["allowed_triggers"] == ["assess", "reject", "park", "merge"]
    assert api.get(f"/ideas/{idea['id']}", owner).get_json()["title"] == "Mens du venter"


def test_an_owner_drives_an_idea_to_scaled_and_history_is_exact(
    api: Api, make_user: Callable[..., Actor]
) -> None:
    owner = make_user("owner")
    idea = create(api, owner)
    path = f"/ideas/{idea['id']}/transitions"
    steps = [
        {"trigger": "assess", "data": ASSESS, "expected_version": 1},
        {"trigger": "start_pilot", "data": PILOT, "expected_version": 2},
        {"trigger": "scale", "data": SCALE, "expected_version": 3, "reason": "Evalueret"},
    ]
    for step in steps:
        response = api.post(path, owner, json=step)
        assert response.status_code == 200, response.get_json()
    final = response.get_json()
    assert (final["state"], final["version"]) == ("scaled", 4)
    assert final["evaluation"]["outcome"] == "partial"
    assert final["pilot_plan"]["owner"] == owner.email
    history = api.get(f"/ideas/{idea['id']}/history", owner).get_json()["items"]
    assert [(h["trigger"], h["from_state"], h["to_state"], h["actor"]) for h in history] == [
        ("assess", "proposed", "assessed", owner.email),
        ("start_pilot", "assessed", "piloted", owner.email),
        ("scale", "piloted", "scaled", owner.email),
    ]
    assert history[0]["data"] == ASSESS and history[0]["reason"] is None
    assert history[2]["reason"] == "Evalueret"
    assert history[0]["at"] <= history[1]["at"] <= history[2]["at"]


def test_errors_carry_the_right_status_and_code(api: Api, make_user: Callable[..., Actor]) -> None:
    owner, other, viewer, manager = (make_user(r) for r in ("owner", "owner", "viewer", "manager"))
    idea = create(api, owner)
    path = f"/ideas/{idea['id']}/transitions"

    wrong = api.post(path, owner, json={"trigger": "scale", "data": SCALE})
    assert wrong.status_code == 409
    assert wrong.get_json()["error"]["code"] == "invalid_transition"
    assert wrong.get_json()["error"]["allowed_triggers"] == ["assess", "reject", "park", "merge"]

    missing = api.post(path, owner, json={"trigger": "assess", "data": {"impact": 9}})
    assert missing.status_code == 422
    fields = missing.get_json()["error"]["fields"]
    assert set(fields) == {"data.impact", "data.feasibility", "data.cost", "data.summary"}

    no_reason = api.post(path, owner, json={"trigger": "reject"})
    assert no_reason.status_code == 422
    assert no_reason.get_json()["error"]["fields"] == {"reason": "This field is required."}

    assert api.post(path, other, json={"trigger": "reject", "reason": "x"}).status_code == 403
    assert api.post(path, viewer, json={"trigger": "reject", "reason": "x"}).status_code == 403
    assert (
        api.post("/ideas/999999/transitions", manager, json={"trigger": "reject"}).status_code
        == 404
    )

    assert api.post(path, owner, json={"trigger": "assess", "data": ASSESS}).status_code == 200
    stale = api.post(path, owner, json={"trigger": "reject", "reason": "x", "expected_version": 1})
    assert stale.status_code == 409
    assert stale.get_json()["error"] == {
        "code": "version_conflict",
        "message": "Someone else changed this idea; reload it and try again.",
        "current_version": 2,
    }
    assert api.post(path, owner, json={"trigger": "fly"}).status_code == 422
    assert api.post(path, owner, json={"trigger": "reject", "why": "x"}).status_code == 422


def test_bad_bodies_never_cause_a_500_or_html(api: Api, make_user: Callable[..., Actor]) -> None:
    manager = make_user("manager")
    idea = create(api, manager)
    path = f"/ideas/{idea['id']}/transitions"
    bodies: list[dict[str, object]] = [
        {"data": b"{not json", "content_type": "application/json"},
        {"data": b"", "content_type": "application/json"},
        {"json": []},
        {"json": "assess"},
        {"json": {"trigger": 5}},
        {"json": {"trigger": None}},
        {"json": {"trigger": "assess", "data": "impact=4"}},
        {"json": {"trigger": "assess", "data": {"impact": 10**30}}},
        {"json": {"trigger": "park", "reason": "x", "data": {"revisit_on": "9999-99-99"}}},
        {"json": {"trigger": "merge", "data": {"into": 10**30}}},
        {"json": {"trigger": "start_pilot", "data": {"budget_dkk": float("1e400")}}},
        {"json": {"trigger": "assess", "expected_version": "1"}},
        {"json": {"trigger": "reject", "reason": ["x"]}},
    ]
    for body in bodies:
        response = api.post(path, manager, **body)
        assert response.status_code in (400, 409, 415, 422), (body, response.status_code)
        assert response.is_json and "error" in response.get_json()
    for raw in ({"title": ["x"]}, {"title": "x", "themes": [1]}, {"title": "x", "owner": 5}):
        assert api.post("/ideas", manager, json=raw).status_code == 422
    assert (
        api.patch(f"/ideas/{idea['id']}", manager, json={"expected_version": "x"}).status_code
        == 422
    )


def test_authentication(api: Api, make_user: Callable[..., Actor], uow) -> None:  # type: ignore[no-untyped-def]
    from workflow.services import users

    owner = make_user("owner")
    unauthenticated = api.get("/ideas", None)
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["WWW-Authenticate"].startswith("Bearer")
    bad = api.client.get("/api/v1/ideas", headers={"Authorization": "Bearer ifl_nope"})
    assert bad.status_code == 401 and bad.is_json
    assert api.get("/ideas", owner).status_code == 200
    with uow() as unit:
        users.revoke_token(unit, secret=api.token(owner))
    assert api.get("/ideas", owner).status_code == 401
    api.tokens.clear()
    with uow() as unit:
        users.set_active(unit, owner.email, False)
    assert api.get("/ideas", owner).status_code == 401


def test_unknown_routes_and_methods_answer_json(api: Api, make_user: Callable[..., Actor]) -> None:
    manager = make_user("manager")
    headers = {"Authorization": f"Bearer {api.token(manager)}"}
    missing = api.client.get("/api/v1/nothing-here", headers=headers)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    wrong_method = api.client.delete("/api/v1/ideas", headers=headers)
    assert wrong_method.status_code == 405 and wrong_method.is_json
    assert api.get("/ideas/424242", manager).status_code == 404
    assert api.get(f"/ideas/{10**30}", manager).status_code == 404
    assert api.get(f"/ideas/{10**30}/history", manager).status_code == 404


def test_patch_changes_fields_and_only_managers_change_owners(
    api: Api, make_user: Callable[..., Actor]
) -> None:
    owner, other, manager = make_user("owner"), make_user("owner"), make_user("manager")
    idea = create(api, owner)
    path = f"/ideas/{idea['id']}"
    follow_up = (local_today() + timedelta(days=14)).isoformat()
    edited = api.patch(path, owner, json={"follow_up_on": follow_up, "expected_version": 1})
    assert edited.status_code == 200
    assert (edited.get_json()["follow_up_on"], edited.get_json()["version"]) == (follow_up, 2)
    assert api.patch(path, owner, json={"title": "x", "expected_version": 1}).status_code == 409
    assert api.patch(path, owner, json={"owner": other.email}).status_code == 403
    assert api.patch(path, other, json={"title": "Mit"}).status_code == 403
    moved = api.patch(path, manager, json={"owner": other.email})
    assert moved.get_json()["owner"] == other.email
    assert api.patch(path, manager, json={"owner": None}).get_json()["owner"] is None


def test_listing_and_pipeline(
    api: Api, make_user: Callable[..., Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    owner, manager = make_user("owner"), make_user("manager")
    first = create(api, owner, title="Øget samarbejde")
    create(api, manager, title="Kommunen ud i fællesskaberne")
    api.post(f"/ideas/{first['id']}/transitions", owner, json={"trigger": "assess", "data": ASSESS})

    listing = api.get("/ideas?per_page=1", owner).get_json()
    assert (listing["total"], listing["per_page"], len(listing["items"])) == (2, 1, 1)
    assert listing["total_is_lower_bound"] is False
    assert api.get("/ideas?state=assessed", owner).get_json()["total"] == 1
    assert api.get(f"/ideas?owner={owner.email}", owner).get_json()["total"] == 1
    assert api.get("/ideas?q=%C3%B8get", owner).get_json()["total"] == 1
    monkeypatch.setattr(idea_repository, "COUNTED_AT_MOST", 1)  # a search counts up to a limit
    searched = api.get("/ideas?q=e", owner).get_json()
    assert (searched["total"], searched["total_is_lower_bound"]) == (1, True)
    assert api.get("/ideas?per_page=101", owner).status_code == 422
    assert api.get("/ideas?state=nope", owner).status_code == 422

    states = api.get("/pipeline", manager).get_json()["states"]
    assert states["proposed"]["count"] == 1 and states["assessed"]["count"] == 1
    assert states["scaled"] == {"count": 0, "median_days": None}
    assert states["proposed"]["median_days"] is not None


def test_nul_characters_are_refused_everywhere(api: Api, make_user: Callable[..., Actor]) -> None:
    manager = make_user("manager")
    idea = create(api, manager)
    for path, body in [
        ("/ideas", {"title": "a\x00b"}),
        ("/ideas", {"title": "ok", "themes": ["x\x00"]}),
        (f"/ideas/{idea['id']}/transitions", {"trigger": "reject", "reason": "\x00"}),
        (f"/ideas/{idea['id']}/transitions", {"trigger": "merge", "data": {"in\x00to": 1}}),
    ]:
        response = api.post(path, manager, json=body)
        assert response.status_code == 422, (path, body)
    assert (
        api.patch(f"/ideas/{idea['id']}", manager, json={"owner": "m\x00@x.dk"}).status_code == 422
    )
    assert api.get("/ideas?q=a%00b", manager).status_code == 422
    assert api.get("/ideas?owner=%00", manager).status_code == 422


def test_only_managers_hand_an_idea_to_someone_else_when_a_pilot_starts(
    api: Api, make_user: Callable[..., Actor]
) -> None:
    owner, colleague, manager = make_user("owner"), make_user("owner"), make_user("manager")
    idea = create(api, owner)
    path = f"/ideas/{idea['id']}/transitions"
    assert api.post(path, owner, json={"trigger": "assess", "data": ASSESS}).status_code == 200
    handover = {"trigger": "start_pilot", "data": {**PILOT, "owner": colleague.email}}
    refused = api.post(path, owner, json=handover)
    assert refused.status_code == 403
    assert api.get(f"/ideas/{idea['id']}", owner).get_json()["state"] == "assessed"
    naming_self = {"trigger": "start_pilot", "data": {**PILOT, "owner": owner.email.upper()}}
    assert api.post(path, owner, json=naming_self).status_code == 200
    other = create(api, owner)
    other_path = f"/ideas/{other['id']}/transitions"
    api.post(other_path, manager, json={"trigger": "assess", "data": ASSESS})
    moved = api.post(other_path, manager, json=handover)
    assert moved.status_code == 200 and moved.get_json()["owner"] == colleague.email


def test_a_merge_into_a_merged_idea_is_409_naming_the_survivor(
    api: Api, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    first, second, third = (create(api, manager)["id"] for _ in range(3))
    merged = api.post(f"/ideas/{first}/transitions", manager,
                      json={"trigger": "merge", "data": {"into": second}})  # fmt: skip
    assert merged.status_code == 200
    response = api.post(f"/ideas/{third}/transitions", manager,
                        json={"trigger": "merge", "data": {"into": first}})  # fmt: skip
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "referenced_idea_merged"
    assert (error["field"], error["idea_id"], error["merged_into"]) == ("data.into", first, second)
