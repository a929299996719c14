"""What every scenario needs: an installation of real processes, seeding, and mail accounting.

An installation is ``tests.worker.stack.Stack`` (``ideaflow serve``/``worker``/``beat`` as
processes with their logs) with the run's delivery timings added to its environment.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, insert, select

from soak.config import Sizes
from soak.services import Services
from soak.sink import CountingSink
from tests.mailsink import free_port
from tests.worker.stack import IDEAFLOW, Stack, wait_until
from workflow.models import Contact, IdeaFollower, Notification, OutboxMessage
from workflow.permissions import Actor
from workflow.services import transitions, users

ASSESS = {"impact": 4, "feasibility": 3, "cost": 2, "summary": "Bred opbakning"}
IDEAS = 10  # mail in bulk comes from this many events (one per idea), each to its followers


@dataclass
class Context:
    """What a scenario runs with: sizes, services, a folder of its own, a way to say things."""

    sizes: Sizes
    services: Services
    redis_url: str  # the run's claimed Redis database
    folder: Path
    say: Callable[[str], None]


@contextmanager
def installation(
    ctx: Context, database_url: str, *, redis_url: str | None = None, smtp_url: str = ""
) -> Iterator[Stack]:
    """A Stack on ``database_url`` with the run's timings; every process stopped at the end."""
    stack = Stack(folder=ctx.folder, database_url=database_url,
                  redis_url=redis_url or ctx.redis_url, smtp_url=smtp_url)  # fmt: skip
    stack.env.update(ctx.sizes.timings)
    try:
        yield stack
    finally:
        stack.stop_all()


def serve(stack: Stack, workers: int = 2, threads: int = 4) -> None:
    """``ideaflow serve`` (gunicorn) with this many processes and threads; wait for /healthz."""
    port = free_port()
    stack.server_url = f"http://127.0.0.1:{port}"
    stack.start("serve", IDEAFLOW, "serve", "--port", str(port), "--workers", str(workers),
                "--threads", str(threads))  # fmt: skip

    def healthy() -> bool:
        assert stack.processes["serve"].poll() is None, stack.log("serve")
        try:
            return httpx.get(f"{stack.server_url}/healthz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    wait_until(healthy, "the server answering /healthz", timeout=60)


def start_worker(stack: Stack, name: str, concurrency: int = 1) -> int:
    """Start ``ideaflow worker`` as process ``name`` without waiting for it; returns where in
    its (appended) log this start begins, for ``wait_ready``."""
    start = len(stack.log(name))
    stack.start(name, IDEAFLOW, "worker", "--concurrency", str(concurrency), "-n", f"{name}@%h")
    return start


def wait_ready(stack: Stack, name: str, start: int = 0) -> None:
    """Wait until worker ``name``, started at log position ``start``, says it is ready."""
    wait_until(lambda: " ready." in stack.log(name)[start:], f"{name} ready", timeout=90)


def manager(stack: Stack, email: str = "mette@randers.dk") -> Actor:
    """A manager without a password (the soak signs in with API tokens)."""
    with stack.uow() as uow:
        users.create_user(uow, email=email, name="Mette Holm", role="manager", password=None)
        return users.find_actor(uow, email)


def api_token(stack: Stack, email: str) -> str:
    """A fresh API token for the user."""
    with stack.uow() as uow:
        return users.issue_token(uow, email, "soak").secret


def add_followers(stack: Stack, idea_id: int, emails: list[str]) -> None:
    """Let these addresses follow the idea, wanting mail at once (bulk insert)."""
    with stack.database.session_factory.begin() as session:
        rows = [{"name": e.split("@")[0], "email": e, "delivery": "immediate"} for e in emails]
        ids = session.scalars(insert(Contact).returning(Contact.id), rows).all()
        session.execute(
            insert(IdeaFollower),
            [{"idea_id": idea_id, "contact_id": i, "source": "soak"} for i in ids],
        )


def seed(stack: Stack, boss: Actor, total: int) -> list[int]:
    """``IDEAS`` ideas whose followers add up to ``total``; returns the idea ids."""
    per_idea = -(-total // IDEAS)
    ideas = []
    for number, start in enumerate(range(0, total, per_idea)):
        idea_id = stack.idea(boss, f"Idé {number}")
        count = min(per_idea, total - start)
        add_followers(stack, idea_id, [f"k{number}-{n}@soak.test" for n in range(count)])
        ideas.append(idea_id)
    return ideas


def fire(stack: Stack, actor: Actor, idea_id: int, trigger: str, **options: Any) -> None:
    """Fire a trigger through the service (its commit kicks the relay)."""
    with stack.uow() as uow:
        transitions.fire_trigger(uow, actor, idea_id, trigger, **options)


def statuses(stack: Stack) -> dict[str, int]:
    """How many notifications have each status."""
    with stack.uow() as uow:
        query = select(Notification.status, func.count()).group_by(Notification.status)
        return {row[0]: int(row[1]) for row in uow.session.execute(query)}


def undelivered(stack: Stack) -> int:
    """Mail still on its way: pending notifications and events not yet relayed."""
    with stack.uow() as uow:
        pending = uow.session.scalar(select(func.count()).where(Notification.status == "pending"))
        waiting = uow.session.scalar(
            select(func.count()).where(OutboxMessage.dispatched_at.is_(None),
                                       OutboxMessage.event_type == "idea.transitioned")
        )  # fmt: skip
    return int(pending or 0) + int(waiting or 0)


def settle(stack: Stack, expected: int, timeout: float, what: str = "mail") -> float:
    """Wait until ``expected`` notifications exist and none is pending; return the seconds."""
    started = time.monotonic()

    def settled() -> bool:
        now = statuses(stack)
        return sum(now.values()) >= expected and not now.get("pending")

    try:
        wait_until(settled, f"{what} settling", timeout=timeout)
    except AssertionError as error:
        raise AssertionError(f"{error}: {statuses(stack)} of {expected}") from None
    return time.monotonic() - started


def mail_figures(stack: Stack, sink: CountingSink, expected: int) -> dict[str, Any]:
    """Notifications against what the server accepted: lost, duplicates, strangers."""
    with stack.uow() as uow:
        rows = uow.session.execute(select(Notification.message_id, Notification.status)).all()
    ids = {row.message_id for row in rows}
    sent = {row.message_id for row in rows if row.status == "sent"}
    received = sink.ids()
    repeated = sink.repeated()
    return {
        "expected": expected,
        "notifications": len(rows),
        "statuses": dict(sorted(statuses(stack).items())),
        "received": len(received),
        "received_total": sink.total(),
        "lost": max(expected - len(received & ids), 0),
        "sent_but_not_received": len(sent - received),
        "received_but_not_sent": len(received - sent),
        "unknown_message_ids": len(received - ids),
        "duplicates": len(repeated),
        "duplicate_copies": sum(len(times) - 1 for times in repeated.values()),
    }
