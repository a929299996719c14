"""``worker_kill``: two workers delivering thousands of emails are SIGKILLed again and again."""

from __future__ import annotations

import os
import random
import signal
import time
from contextlib import suppress

from sqlalchemy import func, select

from soak.harness import (
    ASSESS,
    Context,
    fire,
    installation,
    mail_figures,
    manager,
    seed,
    settle,
    start_worker,
    statuses,
    undelivered,
    wait_ready,
)
from soak.procnet import connection_ports
from soak.report import Outcome
from soak.sink import CountingSink, running_sink
from tests.worker.stack import Stack, wait_until
from workflow.models import Notification

WORKERS = ("worker-a", "worker-b")

Kill = tuple[float, str, set[int]]  # when, whom, the ports of its connections to the sink


def worker_kill(ctx: Context, outcome: Outcome) -> None:
    """Kill workers with SIGKILL at random moments: nothing lost, repeats only at a kill."""
    total, kills = ctx.sizes.kill_notifications, ctx.sizes.kills
    rng = random.Random(20_240_601)
    with (
        ctx.services.database() as url,
        running_sink() as sink,
        installation(ctx, url, smtp_url=sink.url) as stack,
    ):
        for name in WORKERS:
            start_worker(stack, name)
        stack.start_beat()
        for name in WORKERS:
            wait_ready(stack, name)
        boss = manager(stack)
        ideas = seed(stack, boss, total)
        started = time.monotonic()
        for idea_id in ideas:
            fire(stack, boss, idea_id, "assess", data=ASSESS)
        wait_until(lambda: sink.total() > 0, "the first email", timeout=120)
        ctx.say(f"first email after {time.monotonic() - started:.1f} s; killing")
        kill_times, pending_at_kill, last_starts = kill_repeatedly(
            ctx, stack, sink, rng, kills, total
        )
        for name, start in last_starts.items():
            wait_ready(stack, name, start)
        ctx.say(f"kills done after {time.monotonic() - started:.1f} s: {statuses(stack)}")
        settle(stack, total, ctx.sizes.settle_seconds)
        outcome.figures.update(mail_figures(stack, sink, total))
        repeated = sink.repeated()
        # A repeat is expected only when a worker died between the server's 250 and recording
        # "sent": its first copy came over a connection of a worker killed after it arrived.
        in_window = sum(
            1
            for message_id, times in repeated.items()
            if any(at >= times[0] and sink.first_port(message_id) in ports
                   for at, _, ports in kill_times)
        )  # fmt: skip
        outcome.figures.update(
            workers=len(WORKERS), kills=len(kill_times), kills_while_mail_pending=pending_at_kill,
            duplicates_in_kill_window=in_window,
            duplicates_outside_kill_window=len(repeated) - in_window,
            two_notifications_for_one_event=double_notifications(stack),
            max_attempts=max_attempts(stack), delivery_seconds=round(time.monotonic() - started, 1),
        )  # fmt: skip
    figures = outcome.figures
    outcome.check(figures["lost"] == 0, "no email lost")
    outcome.check(figures["statuses"] == {"sent": total}, f"all {total} notifications sent")
    window = "repeats only for a message whose first copy was in flight in a worker then killed"
    outcome.check(figures["duplicates_outside_kill_window"] == 0, window)
    outcome.check(
        figures["two_notifications_for_one_event"] == 0 and figures["unknown_message_ids"] == 0,
        "a repeat carries the same Message-ID (one notification per recipient and event)",
    )


def kill_repeatedly(
    ctx: Context, stack: Stack, sink: CountingSink, rng: random.Random, kills: int, total: int
) -> tuple[list[Kill], int, dict[str, int]]:
    """SIGKILL a random worker (its whole process group) ``kills`` times at random moments,
    starting it again at once; returns (when, whom) per kill, how many found mail pending, and
    where in each killed worker's log its last start begins."""
    kill_times: list[Kill] = []
    last_starts: dict[str, int] = {}
    pending_at_kill = 0
    low, high = (0.5, 2.5) if ctx.sizes.quick else (1.0, 5.0)
    for _ in range(kills):
        time.sleep(rng.uniform(low, high))
        victim = rng.choice(WORKERS)
        if undelivered(stack):
            pending_at_kill += 1
        group = stack.processes[victim].pid
        with suppress(ProcessLookupError):
            os.killpg(group, signal.SIGSTOP)  # frozen: no connection opens while we look
        ports = connection_ports(group, sink.port)
        stack.kill(victim)
        kill_times.append((time.monotonic(), victim, ports))
        last_starts[victim] = start_worker(stack, victim)
    ctx.say(f"{kills} kills, {pending_at_kill} while mail was pending")
    return kill_times, pending_at_kill, last_starts


def double_notifications(stack: Stack) -> int:
    """Recipients with more than one notification for one event (must be none)."""
    with stack.uow() as uow:
        doubles = (
            select(Notification.outbox_id, Notification.recipient_email)
            .group_by(Notification.outbox_id, Notification.recipient_email)
            .having(func.count() > 1)
            .subquery()
        )
        return int(uow.session.scalar(select(func.count()).select_from(doubles)) or 0)


def max_attempts(stack: Stack) -> int:
    """The most tries any notification took."""
    with stack.uow() as uow:
        return int(uow.session.scalar(select(func.max(Notification.attempts))) or 0)
