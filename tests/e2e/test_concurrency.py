"""Clients racing at one idea through the real server: exactly one wins, the rest get 409."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.e2e.conftest import Deployment

pytestmark = pytest.mark.e2e

CLIENTS = 20
ROUNDS = {"sqlite": 10, "postgres": 50}
ASSESS = {"impact": 3, "feasibility": 3, "cost": 3, "summary": "Samtidig vurdering"}


def attempt(i: int, round_no: int) -> dict[str, object]:
    """Client ``i``'s move on a proposed idea (version 1); no two of a round's moves can both win.

    Even rounds: assess, reject and park, all carrying ``expected_version`` (the API's check).
    Odd rounds: reject and park without it, so the row's compare-and-set alone decides; these two
    exclude each other (neither fires from the other's state). Without a version, assess would not
    conflict: a reject after it applies to the assessed idea, legitimately.
    """
    if round_no % 2:
        return [
            {"trigger": "reject", "reason": f"Klient {i} afviser"},
            {"trigger": "park", "reason": "Vent", "data": {"revisit_on": "2099-01-01"}},
        ][i % 2]
    return [
        {"trigger": "assess", "data": ASSESS, "expected_version": 1},
        {"trigger": "reject", "reason": f"Klient {i} afviser", "expected_version": 1},
        {
            "trigger": "park",
            "reason": "Vent",
            "data": {"revisit_on": "2099-01-01"},
            "expected_version": 1,
        },
    ][i % 3]


def test_exactly_one_of_twenty_simultaneous_triggers_wins(
    deployment: Deployment, request: pytest.FixtureRequest
) -> None:
    backend = request.node.callspec.params["deployment"]
    rounds = ROUNDS[backend]
    deployment.add_users(("mette@randers.dk", "manager"))
    token = deployment.tokens("mette@randers.dk")["mette@randers.dk"]
    deployment.serve(workers=2, threads=CLIENTS // 2)
    headers = {"Authorization": f"Bearer {token}"}
    clients = [
        httpx.Client(base_url=deployment.base_url, headers=headers, timeout=60)
        for _ in range(CLIENTS)
    ]
    statuses: Counter[int] = Counter()
    try:
        with ThreadPoolExecutor(CLIENTS) as pool:
            for round_no in range(rounds):
                idea = clients[0].post("/api/v1/ideas", json={"title": f"Runde {round_no}"}).json()
                start = threading.Barrier(CLIENTS)

                def race(
                    i: int,
                    idea_id: int = idea["id"],
                    barrier: threading.Barrier = start,
                    round_no: int = round_no,
                ) -> int:
                    body = attempt(i, round_no)
                    barrier.wait()
                    return (
                        clients[i]
                        .post(f"/api/v1/ideas/{idea_id}/transitions", json=body)
                        .status_code
                    )

                results = list(pool.map(race, range(CLIENTS)))
                assert results.count(200) == 1, (round_no, Counter(results))
                assert results.count(409) == CLIENTS - 1, (round_no, Counter(results))
                statuses.update(results)
                history = clients[0].get(f"/api/v1/ideas/{idea['id']}/history").json()["items"]
                assert len(history) == 1
                final = clients[0].get(f"/api/v1/ideas/{idea['id']}").json()
                assert (final["state"], final["version"]) == (history[0]["to_state"], 2)
    finally:
        for client in clients:
            client.close()
    assert statuses == {200: rounds, 409: rounds * (CLIENTS - 1)}
    assert "Traceback" not in deployment.log()
