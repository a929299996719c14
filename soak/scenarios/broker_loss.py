"""``broker_loss``: the Redis broker restarts empty (no persistence) while mail goes out."""

from __future__ import annotations

import random
import time

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
from soak.report import Outcome
from soak.scenarios.worker_kill import WORKERS
from soak.sink import running_sink
from tests.worker.redis_server import RedisServer as PrivateRedis
from tests.worker.stack import wait_until

DOWN_S = 1.0  # how long Redis stays away each time


def broker_loss(ctx: Context, outcome: Outcome) -> None:
    """Restart a private Redis without persistence a few times mid-delivery: nothing lost,
    nothing sent twice (the database, not the broker, knows what is due)."""
    total, restarts = ctx.sizes.broker_notifications, ctx.sizes.broker_restarts
    rng = random.Random(20_240_602)
    broker = PrivateRedis(ctx.folder)
    broker.start()
    try:
        with (
            ctx.services.database() as url,
            running_sink() as sink,
            installation(ctx, url, redis_url=broker.url, smtp_url=sink.url) as stack,
        ):
            for name in WORKERS:
                start_worker(stack, name)
            stack.start_beat()
            for name in WORKERS:
                wait_ready(stack, name)
            boss = manager(stack)
            ideas = seed(stack, boss, total)
            waves = [ideas[i :: restarts + 1] for i in range(restarts + 1)]
            started = time.monotonic()
            pending_at_restart = 0
            low, high = (0.1, 1.0) if ctx.sizes.quick else (0.5, 4.0)
            for number, wave in enumerate(waves):
                for idea_id in wave:  # while Redis is back: kicks and deliveries queued in it
                    fire(stack, boss, idea_id, "assess", data=ASSESS)
                if number == restarts:
                    break
                time.sleep(rng.uniform(low, high))
                pending_at_restart += undelivered(stack) > 0
                broker.stop()
                time.sleep(DOWN_S)
                broker.start()
                ctx.say(f"Redis restarted ({number + 1}): {statuses(stack)}")
            wait_until(lambda: sink.total() > 0, "the first email", timeout=120)
            settle(stack, total, ctx.sizes.settle_seconds)
            alive = [name for name in (*WORKERS, "beat") if stack.processes[name].poll() is None]
            outcome.figures.update(mail_figures(stack, sink, total))
            outcome.figures.update(
                redis_restarts=restarts, restarts_while_mail_pending=pending_at_restart,
                processes_alive_after=len(alive), processes=len(WORKERS) + 1,
                delivery_seconds=round(time.monotonic() - started, 1),
            )  # fmt: skip
    finally:
        broker.stop()
    figures = outcome.figures
    outcome.check(figures["lost"] == 0, "no email lost")
    outcome.check(figures["duplicates"] == 0, "no email sent twice")
    outcome.check(figures["statuses"] == {"sent": total}, f"all {total} notifications sent")
    outcome.check(figures["processes_alive_after"] == figures["processes"],
                  "workers and beat rode out every restart")  # fmt: skip
