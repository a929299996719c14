"""``fanout_fault``: one event's mail cannot be made until an administrator repairs the cause.

The fault is real and reaches the worker processes: the database refuses the event's
notifications (a trigger on ``notifications`` raising for that idea, as a broken recipient
lookup would), so the relay's fan-out fails for that event alone. Repairing drops the trigger and
makes the event due at once (``ideaflow outbox retry``, or the service it calls).
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select, text

from soak.harness import (
    ASSESS,
    Context,
    add_followers,
    fire,
    installation,
    mail_figures,
    manager,
    settle,
    start_worker,
    wait_ready,
)
from soak.report import Outcome
from soak.sink import CountingSink, running_sink
from tests.worker.stack import Stack, wait_until
from workflow.models import Notification, OutboxMessage
from workflow.services import outbox

BREAK = """
CREATE FUNCTION soak_refuse_recipients() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'recipient lookup failed for idea %', NEW.idea_id;
END $$;
CREATE TRIGGER soak_refuse_recipients BEFORE INSERT ON notifications
    FOR EACH ROW WHEN (NEW.idea_id = {idea_id}) EXECUTE FUNCTION soak_refuse_recipients();
"""
REPAIR = """
DROP TRIGGER soak_refuse_recipients ON notifications;
DROP FUNCTION soak_refuse_recipients();
"""


def fanout_fault(ctx: Context, outcome: Outcome) -> None:
    """One event fails to fan out and waits with its error; once repaired its mail goes out,
    and the other events never notice."""
    ideas_count, followers = ctx.sizes.fanout_ideas, ctx.sizes.fanout_followers
    failures = ctx.sizes.fanout_failures_before_repair
    with (
        ctx.services.database() as url,
        running_sink() as sink,
        installation(ctx, url, smtp_url=sink.url) as stack,
    ):
        start_worker(stack, "worker", concurrency=2)
        stack.start_beat()
        wait_ready(stack, "worker")
        boss = manager(stack)
        ideas = []
        for number in range(ideas_count):
            ideas.append(stack.idea(boss, f"Idé {number}"))
            add_followers(stack, ideas[-1], [f"f{number}-{n}@soak.test" for n in range(followers)])
        broken = ideas[len(ideas) // 2]
        run_sql(stack, BREAK.format(idea_id=int(broken)))
        for idea_id in ideas:
            fire(stack, boss, idea_id, "assess", data=ASSESS)
        healthy = (ideas_count - 1) * followers
        wait_until(lambda: sink.total() >= healthy, "the other events' mail", timeout=120)
        waited = f"{failures} failed fan-outs of the broken event"
        event = wait_until(lambda: failed_event(stack, broken, failures), waited, timeout=180)
        before = {
            "broken_event_attempts_before_repair": event.attempts,
            "broken_event_error": " ".join((event.error or "").split())[:160],
            "broken_event_dispatched_before_repair": event.dispatched_at is not None,
            "broken_notifications_before_repair": notifications_for(stack, broken),
            "broken_received_before_repair": received_for(sink, followers, ideas.index(broken)),
            "healthy_received_before_repair": sink.total(),
        }
        run_sql(stack, REPAIR)
        repaired = time.monotonic()
        retried_with = retry(stack)
        settle(stack, ideas_count * followers, ctx.sizes.settle_seconds)
        wait_until(lambda: sink.total() >= ideas_count * followers, "the repaired event's mail")
        outcome.figures.update(mail_figures(stack, sink, ideas_count * followers))
        outcome.figures.update(before)
        outcome.figures.update(
            events=ideas_count, recipients_per_event=followers, retried_with=retried_with,
            seconds_from_repair_to_delivered=round(time.monotonic() - repaired, 1),
        )  # fmt: skip
    figures = outcome.figures
    outcome.check(
        figures["broken_notifications_before_repair"] == 0
        and figures["broken_received_before_repair"] == 0
        and not figures["broken_event_dispatched_before_repair"]
        and "recipient lookup failed" in figures["broken_event_error"],
        "the broken event waited, undispatched, with its error and no mail",
    )
    outcome.check(figures["healthy_received_before_repair"] == healthy,
                  "the other events' mail went out meanwhile")  # fmt: skip
    outcome.check(figures["lost"] == 0 and figures["duplicates"] == 0,
                  "after the repair every email went out once: 0 lost")  # fmt: skip


def run_sql(stack: Stack, statements: str) -> None:
    """Run SQL on the installation's database in one transaction."""
    with stack.database.engine.begin() as connection:
        connection.execute(text(statements))


def failed_event(stack: Stack, idea_id: int, failures: int) -> Any:
    """The idea's transition event once it has failed ``failures`` times, else None."""
    with stack.uow() as uow:
        event = uow.session.scalars(
            select(OutboxMessage).where(OutboxMessage.event_type == "idea.transitioned",
                                        OutboxMessage.aggregate_id == idea_id)
        ).first()  # fmt: skip
        if event is None or event.attempts < failures:
            return None
        uow.session.expunge(event)
        return event


def notifications_for(stack: Stack, idea_id: int) -> int:
    """How many notifications the idea has."""
    with stack.uow() as uow:
        return len(uow.session.scalars(select(Notification.id).filter_by(idea_id=idea_id)).all())


def received_for(sink: CountingSink, followers: int, number: int) -> int:
    """Messages the server accepted for the followers of idea ``number``."""
    return sum(sink.to(f"f{number}-{n}@soak.test") for n in range(followers))


def retry(stack: Stack) -> str:
    """Make the failing events due now: ``ideaflow outbox retry`` where the command exists,
    else the service it calls. Returns which was used."""
    result = stack.cli("outbox", "retry", check=False)
    if result.returncode == 0:
        return "ideaflow outbox retry"
    if "No such command" not in result.stderr:
        raise AssertionError(f"ideaflow outbox retry: {result.stdout}{result.stderr}")
    with stack.uow() as uow:
        outbox.retry_now(uow, None)
    return "workflow.services.outbox.retry_now"
