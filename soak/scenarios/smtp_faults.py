"""``smtp_faults``: the SMTP server answers 421/451 to some messages and 550 to others."""

from __future__ import annotations

import random
import time
from collections import defaultdict
from typing import Any

from sqlalchemy import select

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
    wait_ready,
)
from soak.report import Outcome
from soak.sink import running_sink
from tests.worker.stack import Stack
from workflow.models import Contact, Notification, Suppression

TEMPORARY_SHARE, PERMANENT_SHARE = 0.10, 0.02
TEMPORARY = ("421 4.7.0 Try again later, closing connection", "451 4.3.0 Mail system busy")
PERMANENT = "550 5.1.1 No such user"


class Faults:
    """Which addresses are refused, how, and how many times."""

    def __init__(self, addresses: list[str], rng: random.Random) -> None:
        chosen = rng.sample(addresses, round(len(addresses) * (TEMPORARY_SHARE + PERMANENT_SHARE)))
        cut = round(len(addresses) * PERMANENT_SHARE)
        self.permanent = set(chosen[:cut])
        # Each temporarily refused address is refused once or twice, then accepted.
        self.temporary = {address: rng.choice((1, 2)) for address in chosen[cut:]}
        self.reply = {address: rng.choice(TEMPORARY) for address in self.temporary}

    def __call__(self, address: str, offered_before: int) -> str | None:
        """The sink's policy: the refusal for this offer, or None to accept."""
        if address in self.permanent:
            return PERMANENT
        if offered_before < self.temporary.get(address, 0):
            return self.reply[address]
        return None


def smtp_faults(ctx: Context, outcome: Outcome) -> None:
    """4xx is delivered after backoff, 550 recorded once, suppressed and never retried, and
    nobody else notices."""
    total = ctx.sizes.smtp_notifications
    rng = random.Random(20_240_603)
    with (
        ctx.services.database() as url,
        running_sink() as sink,
        installation(ctx, url, smtp_url=sink.url) as stack,
    ):
        start_worker(stack, "worker", concurrency=2)
        stack.start_beat()
        wait_ready(stack, "worker")
        boss = manager(stack)
        ideas = seed(stack, boss, total)
        faults = Faults(addresses(stack), rng)
        sink.policy = faults
        started = time.monotonic()
        for idea_id in ideas:
            fire(stack, boss, idea_id, "assess", data=ASSESS)
        settle(stack, total, ctx.sizes.settle_seconds, "the first round")
        first_round = time.monotonic() - started
        for idea_id in ideas:  # the second email to every address: 550s are held back
            fire(stack, boss, idea_id, "reject", reason="Ingen midler")
        settle(stack, 2 * total, ctx.sizes.settle_seconds, "the second round")
        expected = 2 * (total - len(faults.permanent))
        outcome.figures.update(mail_figures(stack, sink, expected))
        outcome.figures.update(judge(stack, sink.offered, faults))
        outcome.figures.update(
            first_round_seconds=round(first_round, 1),
            retry_first_seconds=float(stack.env.get("IDEAFLOW_RETRY_FIRST_SECONDS", 30)),
        )
    figures = outcome.figures
    outcome.check(figures["lost"] == 0 and figures["duplicates"] == 0, "no email lost or doubled")
    outcome.check(
        figures["temporary_delivered_after_backoff"] == figures["temporary_addresses"],
        "every 4xx delivered after backoff, on the try after its refusals",
    )
    outcome.check(
        figures["permanent_recorded_once"] == figures["permanent_addresses"],
        "every 550: failed after one try, address suppressed, never offered again",
    )
    outcome.check(figures["collateral"] == 0, "other recipients unaffected (sent once, one try)")


def addresses(stack: Stack) -> list[str]:
    """Every follower's address."""
    with stack.uow() as uow:
        return sorted(e for e in uow.session.scalars(select(Contact.email)) if e is not None)


def judge(stack: Stack, offered: Any, faults: Faults) -> dict[str, int]:
    """Each address's two notifications and what the server was offered, by kind of fault."""
    with stack.uow() as uow:
        rows = uow.session.execute(
            select(Notification.recipient_email, Notification.status, Notification.attempts,
                   Notification.last_error).order_by(Notification.id)
        ).all()  # fmt: skip
        suppressed = set(uow.session.scalars(select(Suppression.email)))
    by_address: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        by_address[row.recipient_email].append(row)
    temporary_ok = permanent_ok = collateral = 0
    for address, (first, second) in by_address.items():
        if address in faults.permanent:
            permanent_ok += (
                (first.status, first.attempts, second.status) == ("failed", 1, "suppressed")
                and (first.last_error or "").startswith("550")
                and address in suppressed
                and offered[address] == 1
            )
        elif address in faults.temporary:
            refusals = faults.temporary[address]
            temporary_ok += (first.status, first.attempts, second.status) == (
                "sent",
                refusals + 1,
                "sent",
            ) and offered[address] == refusals + 2
        else:
            collateral += not (
                (first.status, first.attempts, second.status, second.attempts)
                == ("sent", 1, "sent", 1)
                and offered[address] == 2
            )
    return {
        "addresses": len(by_address),
        "temporary_addresses": len(faults.temporary),
        "temporary_refusals": sum(faults.temporary.values()),
        "temporary_delivered_after_backoff": temporary_ok,
        "permanent_addresses": len(faults.permanent),
        "permanent_recorded_once": permanent_ok,
        "permanent_offered_again": sum(1 for a in faults.permanent if offered[a] > 1),
        "collateral": collateral,
    }
