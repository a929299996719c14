"""``disk_full_outbox``: without SMTP mail is written to ``instance/outbox/``; the folder
becomes unwritable (a file takes its place, as when a disk is unmounted: we run as root, so
permissions would not stop a write), then writable again."""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from soak.harness import (
    ASSESS,
    Context,
    fire,
    installation,
    manager,
    seed,
    settle,
    start_worker,
    statuses,
    wait_ready,
)
from soak.report import Outcome
from tests.worker.stack import Stack, wait_until
from workflow.models import Notification

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]+>)", re.MULTILINE | re.IGNORECASE)
WROTE = re.compile(r"\] wrote (\S+\.eml)")


def disk_full_outbox(ctx: Context, outcome: Outcome) -> None:
    """Mail that cannot be written stays pending with its error and is written once the
    folder is back; nothing lost, nothing written twice."""
    total = ctx.sizes.disk_notifications
    with ctx.services.database() as url, installation(ctx, url, smtp_url="") as stack:
        folder = stack.settings().instance_path / "outbox"
        start_worker(stack, "worker", concurrency=2)
        stack.start_beat()
        wait_ready(stack, "worker")
        boss = manager(stack)
        ideas = seed(stack, boss, total)
        first, second = ideas[: len(ideas) // 2], ideas[len(ideas) // 2 :]
        for idea_id in first:
            fire(stack, boss, idea_id, "assess", data=ASSESS)
        before = len(first) * -(-total // len(ideas))
        wait_until(lambda: statuses(stack).get("sent", 0) >= before, "the first half written")

        aside = folder.with_name("outbox.unmounted")
        folder.rename(aside)
        folder.write_text("the outbox disk is not mounted\n")
        outage = time.monotonic()
        for idea_id in second:
            fire(stack, boss, idea_id, "assess", data=ASSESS)
        attempts = ctx.sizes.disk_attempts_during_outage
        waiting = wait_until(lambda: stuck(stack, total - before, attempts),
                             f"the second half tried {attempts} times", timeout=300)  # fmt: skip
        assert waiting is not None
        folder.unlink()
        aside.rename(folder)
        repaired = time.monotonic()
        settle(stack, total, ctx.sizes.settle_seconds)
        outcome.figures.update(files(stack, folder))
        outcome.figures.update(
            expected=total, written_before_outage=before, statuses=statuses(stack),
            pending_with_error_during_outage=waiting[0], error_during_outage=waiting[1],
            outage_seconds=round(repaired - outage, 1),
            seconds_from_repair_to_written=round(time.monotonic() - repaired, 1),
        )  # fmt: skip
    figures = outcome.figures
    outcome.check(figures["pending_with_error_during_outage"] == total - before,
                  "during the outage: pending, the error on every notification")  # fmt: skip
    outcome.check(figures["statuses"] == {"sent": total} and figures["lost"] == 0,
                  "after it: every email written (0 lost)")  # fmt: skip
    outcome.check(figures["written_twice"] == 0 and figures["unknown_files"] == 0,
                  "no email written twice, no stray or half-written file")  # fmt: skip


def stuck(stack: Stack, count: int, attempts: int) -> tuple[int, str] | None:
    """(how many, an error) once ``count`` pending notifications show their error after at
    least ``attempts`` tries, else None."""
    with stack.uow() as uow:
        rows = uow.session.execute(
            select(Notification.last_error).where(Notification.status == "pending",
                                                  Notification.attempts >= attempts,
                                                  Notification.last_error.is_not(None))
        ).all()  # fmt: skip
    if len(rows) < count:
        return None
    return len(rows), " ".join(rows[0].last_error.split())[:160]


def files(stack: Stack, folder: Path) -> dict[str, int]:
    """The .eml files against the notifications, and how often the worker wrote each."""
    with stack.uow() as uow:
        ids = set(uow.session.scalars(select(Notification.message_id)))
    found: Counter[str] = Counter()
    for path in folder.glob("*.eml"):
        match = MESSAGE_ID.search(path.read_bytes().split(b"\n\n", 1)[0])
        found[match.group(1).decode() if match else ""] += 1
    writes = Counter(WROTE.findall(stack.log("worker")))
    return {
        "files": sum(found.values()),
        "lost": len(ids - set(found)),
        "unknown_files": len(set(found) - ids) + sum(1 for _ in folder.glob("*.part")),
        "written_twice": sum(1 for count in writes.values() if count > 1),
    }
