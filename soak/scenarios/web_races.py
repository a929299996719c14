"""Clients racing over HTTP: ``concurrency`` (50 at one idea) and ``merge_race`` (A into B
while B into A), through ``ideaflow serve`` on PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from typing import Any

import httpx
from sqlalchemy import select

from soak.harness import ASSESS, Context, api_token, installation, manager, serve
from soak.report import Outcome
from tests.worker.stack import Stack
from workflow.models import HistoryEntry, Idea
from workflow.states import ReplayMismatch, replay

PARK: dict[str, Any] = {"trigger": "park", "reason": "Vent", "data": {"revisit_on": "2099-01-01"}}
REJECT: dict[str, Any] = {"trigger": "reject", "reason": "Afvist"}
ASSESS_MOVE: dict[str, Any] = {"trigger": "assess", "data": ASSESS}


def move(client: int, round_no: int) -> dict[str, Any]:
    """Client ``client``'s move on a proposed idea (version 1); no two can both win.

    Rounds cycle through: everyone assesses with ``expected_version``; everyone rejects without
    it (the state decides); assess, reject and park mixed, with the version; reject and park
    mixed, without it (neither fires from the other's state).
    """
    kind = round_no % 4
    if kind == 0:
        return {**ASSESS_MOVE, "expected_version": 1}
    if kind == 1:
        return dict(REJECT)
    if kind == 2:
        return {**[ASSESS_MOVE, REJECT, PARK][client % 3], "expected_version": 1}
    return dict([REJECT, PARK][client % 2])


@contextmanager
def api_clients(stack: Stack, token: str, count: int) -> Iterator[list[httpx.Client]]:
    """``count`` HTTP clients with the bearer token, closed at the end."""
    headers = {"Authorization": f"Bearer {token}"}
    with ExitStack() as stack_of_clients:
        yield [
            stack_of_clients.enter_context(
                httpx.Client(base_url=f"{stack.server_url}/api/v1", headers=headers, timeout=120)
            )
            for _ in range(count)
        ]


def replays_to_state(stack: Stack, idea_id: int) -> bool:
    """True when the idea's state is what replaying its history gives."""
    with stack.uow() as uow:
        state = uow.session.scalar(select(Idea.state).where(Idea.id == idea_id))
        steps = uow.session.execute(
            select(HistoryEntry.trigger, HistoryEntry.from_state, HistoryEntry.to_state)
            .where(HistoryEntry.idea_id == idea_id)
            .order_by(HistoryEntry.id)
        ).all()
    try:
        return state is not None and replay(steps).value == state
    except ReplayMismatch:
        return False


def concurrency(ctx: Context, outcome: Outcome) -> None:
    """50 clients released together at one idea, round after round: one wins, the rest 409."""
    clients, rounds = ctx.sizes.clients, ctx.sizes.concurrency_rounds
    with ctx.services.database() as url, installation(ctx, url) as stack:
        boss = manager(stack)
        token = api_token(stack, boss.email)
        serve(stack, workers=2, threads=max(clients // 2, 4))
        statuses: Counter[int] = Counter()
        bad_rounds = mismatches = transport_errors = 0
        started = time.monotonic()
        with api_clients(stack, token, clients) as api, ThreadPoolExecutor(clients) as pool:
            for round_no in range(rounds):
                idea_id = api[0].post("/ideas", json={"title": f"Runde {round_no}"}).json()["id"]
                barrier = threading.Barrier(clients)

                def race(i: int, idea_id: int = idea_id, barrier: threading.Barrier = barrier,
                         round_no: int = round_no) -> int:  # fmt: skip
                    body = move(i, round_no)
                    barrier.wait()
                    try:
                        return api[i].post(f"/ideas/{idea_id}/transitions", json=body).status_code
                    except httpx.TransportError:
                        return 0

                results = Counter(pool.map(race, range(clients)))
                statuses.update(results)
                transport_errors += results[0]
                if results[200] != 1 or results[409] != clients - 1:
                    bad_rounds += 1
                    ctx.say(f"round {round_no}: {dict(results)}")
                if not replays_to_state(stack, idea_id):
                    mismatches += 1
                if round_no % 20 == 19:
                    ctx.say(f"{round_no + 1} rounds")
        seconds = time.monotonic() - started
        server_errors = sum(n for status, n in statuses.items() if status >= 500)
        outcome.figures.update(
            clients=clients, rounds=rounds, requests=sum(statuses.values()),
            successes=statuses[200], conflicts_409=statuses[409], server_errors_5xx=server_errors,
            other_statuses={s: n for s, n in statuses.items() if s not in (200, 409)},
            transport_errors=transport_errors, rounds_not_exactly_one_winner=bad_rounds,
            state_not_replay_of_history=mismatches, race_seconds=round(seconds, 1),
            tracebacks_in_server_log=stack.log("serve").count("Traceback"),
        )  # fmt: skip
    outcome.check(bad_rounds == 0, "every round: exactly one 200, the rest 409")
    outcome.check(server_errors == 0 and transport_errors == 0, "no 5xx, no dropped connection")
    outcome.check(mismatches == 0, "every idea's state == replay(history)")


def merge_race(ctx: Context, outcome: Outcome) -> None:
    """A merged into B while B is merged into A, both released together: never both merged."""
    rounds = ctx.sizes.merge_rounds
    with ctx.services.database() as url, installation(ctx, url) as stack:
        boss = manager(stack)
        token = api_token(stack, boss.email)
        serve(stack, workers=2, threads=4)
        outcomes: Counter[str] = Counter()
        losers: Counter[int] = Counter()
        with api_clients(stack, token, 2) as api, ThreadPoolExecutor(2) as pool:
            for round_no in range(rounds):
                pair = [api[0].post("/ideas", json={"title": f"Par {round_no} {side}"}).json()["id"]
                        for side in "AB"]  # fmt: skip
                barrier = threading.Barrier(2)

                def merge(i: int, pair: list[int] = pair, barrier: threading.Barrier = barrier
                          ) -> int:  # fmt: skip
                    body = {"trigger": "merge", "data": {"into": pair[1 - i]}}
                    barrier.wait()
                    try:
                        return api[i].post(f"/ideas/{pair[i]}/transitions", json=body).status_code
                    except httpx.TransportError:
                        return 0

                answers = list(pool.map(merge, range(2)))
                merged = merged_count(stack, pair)
                outcomes[["neither", "one", "both"][merged]] += 1
                losers.update(status for status in answers if status != 200)
                if merged != 1:
                    ctx.say(f"round {round_no}: {answers}, {merged} merged")
                outcomes["server_errors_5xx"] += sum(1 for s in answers if s >= 500 or s == 0)
        outcome.figures.update(
            rounds=rounds, rounds_one_merged=outcomes["one"], rounds_both_merged=outcomes["both"],
            rounds_neither_merged=outcomes["neither"], loser_statuses=dict(losers),
            server_errors_5xx=outcomes["server_errors_5xx"],
            tracebacks_in_server_log=stack.log("serve").count("Traceback"),
        )  # fmt: skip
    outcome.check(outcomes["both"] == 0, "no round with both ideas merged (into each other)")
    outcome.check(outcomes["neither"] == 0, "every round merged one of the two")
    outcome.check(outcomes["server_errors_5xx"] == 0, "no 5xx, no dropped connection")
    outcome.check(
        set(losers) <= {409}, "the losing merge answers 409 (its target is merged, or moved on)"
    )


def merged_count(stack: Stack, pair: list[int]) -> int:
    """How many of the two ideas ended up merged."""
    with stack.uow() as uow:
        states = uow.session.scalars(select(Idea.state).where(Idea.id.in_(pair))).all()
    return sum(1 for state in states if state == "merged")
