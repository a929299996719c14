"""The engine's acceptance walk, driven from outside: CLI for set-up, HTTP against gunicorn."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.e2e.conftest import Deployment

pytestmark = pytest.mark.e2e

ASSESS = {"impact": 5, "feasibility": 4, "cost": 2, "summary": "Stærk opbakning på mødet"}
PILOT = {
    "starts_on": "2026-02-01",
    "ends_on": "2026-08-31",
    "success_criteria": "30 familier hjulpet",
    "budget_dkk": 180000,
    "site": "Langå",
}
SCALE = {
    "outcome": "success",
    "evaluation": "Alle mål nået",
    "scale_to": ["Assentoft", "Randers C"],
}


@pytest.mark.backends("postgres")
def test_an_idea_walks_from_proposed_to_scaled_with_every_rule_enforced(
    deployment: Deployment,
) -> None:
    people = {"ole@randers.dk": "owner", "pia@randers.dk": "owner", "vera@randers.dk": "viewer"}
    deployment.add_users(*people.items(), ("mette@randers.dk", "manager"))
    owner, other, viewer = deployment.tokens(*people).values()
    deployment.serve()

    def call(token: str, method: str, path: str, body: object = None) -> httpx.Response:
        return httpx.request(
            method,
            f"{deployment.base_url}/api/v1{path}",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )

    created = call(owner, "POST", "/ideas", {"title": "”Mens du venter” – hjælp familien"})
    assert created.status_code == 201
    idea = created.json()
    fire = f"/ideas/{idea['id']}/transitions"

    assert call(owner, "POST", fire, {"trigger": "scale", "data": SCALE}).status_code == 409
    missing = call(owner, "POST", fire, {"trigger": "assess", "data": {"impact": 5}})
    assert missing.status_code == 422 and "data.summary" in missing.json()["error"]["fields"]
    assert call(owner, "POST", fire, {"trigger": "reject"}).status_code == 422
    assert call(other, "POST", fire, {"trigger": "reject", "reason": "Nej"}).status_code == 403
    assert call(viewer, "POST", fire, {"trigger": "reject", "reason": "Nej"}).status_code == 403

    versions = []
    for trigger, data in (("assess", ASSESS), ("start_pilot", PILOT), ("scale", SCALE)):
        response = call(
            owner,
            "POST",
            fire,
            {"trigger": trigger, "data": data, "expected_version": len(versions) + 1},
        )
        assert response.status_code == 200, response.text
        versions.append(response.json()["version"])
        if trigger == "assess":
            stale = call(
                owner, "POST", fire, {"trigger": "reject", "reason": "x", "expected_version": 1}
            )
            assert stale.status_code == 409
            assert stale.json()["error"]["code"] == "version_conflict"
    assert versions == [2, 3, 4]

    history = call(viewer, "GET", f"/ideas/{idea['id']}/history").json()["items"]
    assert [(h["trigger"], h["from_state"], h["to_state"], h["actor"]) for h in history] == [
        ("assess", "proposed", "assessed", "ole@randers.dk"),
        ("start_pilot", "assessed", "piloted", "ole@randers.dk"),
        ("scale", "piloted", "scaled", "ole@randers.dk"),
    ]
    assert history[1]["data"] == {**PILOT, "owner": "ole@randers.dk"}

    listed = json.loads(deployment.cli("ideas", "list", "--json").stdout)
    assert [(i["id"], i["state"], i["version"]) for i in listed] == [(idea["id"], "scaled", 4)]
    shown = json.loads(deployment.cli("ideas", "show", str(idea["id"]), "--json").stdout)
    assert shown["title"] == "”Mens du venter” – hjælp familien"
    assert shown["evaluation"]["scale_to"] == ["Assentoft", "Randers C"]
    assert len(shown["history"]) == 3


@pytest.mark.backends("sqlite")
def test_the_cli_drives_an_idea_and_explains_refusals(deployment: Deployment) -> None:
    deployment.cli(
        "users",
        "create",
        "--email",
        "mette@randers.dk",
        "--name",
        "Mette",
        "--role",
        "manager",
        input_text="correct horse battery\ncorrect horse battery\n",
    )
    deployment.cli(
        "ideas", "create", "--as", "mette@randers.dk", "--title", "Daghøjskole som vikarbureau"
    )
    refused = deployment.cli(
        "ideas",
        "fire",
        "1",
        "assess",
        "--as",
        "mette@randers.dk",
        "--data",
        "impact=9",
        check=False,
    )
    assert refused.returncode != 0
    assert "data.impact" in refused.stderr and "Traceback" not in refused.stderr
    done = deployment.cli(
        "ideas",
        "fire",
        "1",
        "assess",
        "--as",
        "mette@randers.dk",
        "--data",
        "impact=3",
        "--data",
        "feasibility=4",
        "--data",
        "cost=2",
        "--data",
        "summary=Realistisk",
    )
    assert "assessed" in done.stdout
    wrong = deployment.cli("ideas", "fire", "1", "scale", "--as", "mette@randers.dk", check=False)
    assert wrong.returncode != 0 and "cannot be fired from state 'assessed'" in wrong.stderr
    state = json.loads(deployment.cli("ideas", "list", "--state", "assessed", "--json").stdout)
    assert [i["title"] for i in state] == ["Daghøjskole som vikarbureau"]


@pytest.mark.backends("sqlite")
def test_tokens_are_shown_once_and_can_be_revoked(deployment: Deployment) -> None:
    token = deployment.user_with_token("mette@randers.dk", "manager")
    deployment.serve(workers=1, threads=2)
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{deployment.base_url}/api/v1/ideas", headers=headers).status_code == 200
    listing = deployment.cli("tokens", "list", "--email", "mette@randers.dk").stdout
    assert token not in listing and token[:12] in listing
    deployment.cli("tokens", "revoke", "--token", token)
    assert httpx.get(f"{deployment.base_url}/api/v1/ideas", headers=headers).status_code == 401
    assert httpx.get(f"{deployment.base_url}/api/v1/openapi.json").status_code == 200


@pytest.mark.backends("sqlite")
def test_serve_refuses_an_unmigrated_database(deployment: Deployment) -> None:
    deployment.env["IDEAFLOW_DATABASE_URL"] = (
        f"sqlite:///{deployment.instance / 'never-migrated.db'}"
    )
    result = deployment.cli("serve", "--port", "1", check=False)
    assert result.returncode != 0
    assert "ideaflow db upgrade" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.backends("sqlite")
def test_production_refuses_to_start_without_a_secret_key(deployment: Deployment) -> None:
    del deployment.env["IDEAFLOW_SECRET_KEY"]
    result = deployment.cli("ideas", "list", check=False)
    assert result.returncode != 0
    assert "IDEAFLOW_SECRET_KEY" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.backends("sqlite")
def test_serve_says_how_to_create_the_first_user(deployment: Deployment) -> None:
    deployment.serve(workers=1, threads=2)
    assert "No users yet" in deployment.log()
    assert "ideaflow users create" in deployment.log()
