"""``db_restart``: a private PostgreSQL cluster is stopped (fast, then immediate: a crash) and
started again under mixed load: HTTP reads and transitions, and the mail they cause."""

from __future__ import annotations

import time
from typing import Any

import httpx
from sqlalchemy import func, select

from soak.harness import (
    Context,
    add_followers,
    api_token,
    installation,
    mail_figures,
    manager,
    serve,
    settle,
    start_worker,
    wait_ready,
)
from soak.load import Load
from soak.private import PrivatePostgres
from soak.report import Outcome
from soak.sink import running_sink
from tests.worker.stack import Stack, wait_until
from workflow import migrate
from workflow.models import HistoryEntry, Idea, OutboxMessage
from workflow.states import ReplayMismatch, replay

PROCESSES = ("serve", "worker", "beat")


def db_restart(ctx: Context, outcome: Outcome) -> None:
    """Clients see 503 (never 500) while the database is away, everything recovers by itself,
    and no transition is half written."""
    sizes = ctx.sizes
    cluster = PrivatePostgres()
    try:
        cluster.start()
        url = cluster.create_database("ideaflow")
        migrate.upgrade(url)
        with running_sink() as sink, installation(ctx, url, smtp_url=sink.url) as stack:
            start_worker(stack, "worker", concurrency=2)
            stack.start_beat()
            serve(stack, workers=2, threads=4)
            wait_ready(stack, "worker")
            boss = manager(stack)
            ideas = []
            for number in range(sizes.db_ideas):
                ideas.append(stack.idea(boss, f"Idé {number}"))
                emails = [f"d{number}-{n}@soak.test" for n in range(sizes.db_followers)]
                add_followers(stack, ideas[-1], emails)
            load = Load(stack.server_url, api_token(stack, boss.email), ideas, sizes.db_clients)
            load.start()
            outages = []
            try:
                time.sleep(sizes.db_phase_seconds)
                for mode in ("fast", "immediate"):
                    outages.append(outage(ctx, stack, cluster, load, mode))
                    time.sleep(sizes.db_phase_seconds)
            finally:
                load.stop()
            alive = sum(1 for name in PROCESSES if stack.processes[name].poll() is None)
            transitions = consistency(stack, outcome)
            expected = transitions * sizes.db_followers
            settle(stack, expected, sizes.settle_seconds)
            outcome.figures.update(load.figures())
            # A transition committed just before the database went away answers 503: its
            # client cannot know it happened (a retry with its version then gets 409).
            outcome.figures["committed_but_answered_503"] = (
                transitions - outcome.figures["transitions_ok"]
            )
            outcome.figures.update(mail_figures(stack, sink, expected))
            outcome.figures.update(
                outages=outages, processes_alive_after=alive, processes=len(PROCESSES),
                tracebacks_in_server_log=stack.log("serve").count("Traceback"),
            )  # fmt: skip
    finally:
        cluster.destroy()
    figures = outcome.figures
    outcome.check(figures["unavailable_503"] > 0, "clients saw the outages (as 503)")
    outcome.check(figures["server_errors_500"] == 0 and figures["connection_failures"] == 0,
                  "never a 500 or a dropped connection")  # fmt: skip
    outcome.check(figures["503_without_retry_after"] == 0, "every 503 says Retry-After")
    outcome.check(
        all(o["writes_after_restart"] for o in figures["outages"])
        and figures["processes_alive_after"] == len(PROCESSES),
        "recovered by itself after each restart (no process restarted)",
    )
    outcome.check(figures["state_not_replay_of_history"] == 0
                  and figures["transitions_without_outbox_row"] == 0
                  and figures["version_not_history_plus_one"] == 0,
                  "no half-written transition")  # fmt: skip
    outcome.check(figures["lost"] == 0 and figures["unknown_message_ids"] == 0,
                  "every email delivered (repeats counted, same Message-ID)")  # fmt: skip


def outage(
    ctx: Context, stack: Stack, cluster: PrivatePostgres, load: Load, mode: str
) -> dict[str, Any]:
    """Stop the cluster (``mode``), keep it down, start it; how the system came back."""
    before = load.figures()["unavailable_503"]
    cluster.stop(mode)
    time.sleep(ctx.sizes.db_down_seconds)
    cluster.start()
    started = time.monotonic()
    wait_until(lambda: healthy(stack), "/healthz answering 200 again", timeout=120)
    healthy_after = time.monotonic() - started
    wrote = wait_until(lambda: load.last_write_at > started, "a transition succeeding again",
                       timeout=120)  # fmt: skip
    ctx.say(f"{mode} stop: healthy {healthy_after:.1f} s after the start")
    return {
        "mode": mode,
        "down_seconds": ctx.sizes.db_down_seconds,
        "unavailable_503": load.figures()["unavailable_503"] - before,
        "healthy_seconds_after_start": round(healthy_after, 1),
        "first_write_seconds_after_start": round(load.last_write_at - started, 1),
        "writes_after_restart": bool(wrote),
    }


def healthy(stack: Stack) -> bool:
    """True when /healthz answers 200."""
    try:
        return httpx.get(f"{stack.server_url}/healthz", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def consistency(stack: Stack, outcome: Outcome) -> int:
    """Check every idea against its history and every transition against its outbox row;
    returns how many transitions there are."""
    with stack.uow() as uow:
        ideas = uow.session.execute(select(Idea.id, Idea.state, Idea.version)).all()
        steps: dict[int, list[Any]] = {}
        for row in uow.session.execute(
            select(HistoryEntry.id, HistoryEntry.idea_id, HistoryEntry.trigger,
                   HistoryEntry.from_state, HistoryEntry.to_state).order_by(HistoryEntry.id)
        ):  # fmt: skip
            steps.setdefault(row.idea_id, []).append(row)
        events = uow.session.scalars(
            select(OutboxMessage.payload).where(OutboxMessage.event_type == "idea.transitioned")
        ).all()
        transitions = int(uow.session.scalar(select(func.count(HistoryEntry.id))) or 0)
    with_row = {event["history_id"] for event in events}
    mismatches = version_off = 0
    for idea in ideas:
        history = steps.get(idea.id, [])
        try:
            replayed = replay((h.trigger, h.from_state, h.to_state) for h in history).value
        except ReplayMismatch:
            replayed = None
        mismatches += replayed != idea.state
        version_off += idea.version != len(history) + 1
    outcome.figures.update(
        ideas=len(ideas), transitions=transitions,
        state_not_replay_of_history=mismatches, version_not_history_plus_one=version_off,
        transitions_without_outbox_row=sum(
            1 for rows in steps.values() for h in rows if h.id not in with_row
        ),
    )  # fmt: skip
    return transitions
