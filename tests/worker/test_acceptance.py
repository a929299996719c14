"""The whole story from outside, once with the embedded default and once with Redis + workers:
a follower hears of the assessment exactly once, ``followups run --now`` reminds the owner once,
and a one-click unsubscribe stops the mail."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.worker.stack import ASSESS, BASE_URL, Stack, wait_until
from tests.worker.stalling_sink import StallingSink
from workflow import migrate
from workflow.clock import local_today
from workflow.services import users

pytestmark = pytest.mark.e2e
SWEEP_DONE = re.compile(r"Task ideaflow\.sweep\[[^]]+\] succeeded")


@pytest.fixture(params=["embedded", "redis"])
def running(request: pytest.FixtureRequest, tmp_path: Path, sink: StallingSink) -> Iterator[Stack]:
    """``ideaflow serve`` alone on SQLite, or serve + worker + beat on PostgreSQL and Redis."""
    if request.param == "embedded":
        database_url = f"sqlite:///{tmp_path / 'instance' / 'ideaflow.db'}"
        stack = Stack(folder=tmp_path, database_url=database_url, redis_url=None,
                      smtp_url=sink.url)  # fmt: skip
        migrate.upgrade(stack.settings().database_url)
    else:
        postgres_url = request.getfixturevalue("postgres_url")
        redis_url = request.getfixturevalue("redis_url")
        stack = Stack(folder=tmp_path, database_url=postgres_url, redis_url=redis_url,
                      smtp_url=sink.url)  # fmt: skip
    try:
        yield stack
    finally:
        stack.stop_all()


def worker_log(stack: Stack) -> str:
    """Where the worker's task lines go: its own log, or the server's in the embedded mode."""
    return stack.log("worker" if "worker" in stack.processes else "serve")


def let_sweeps_pass(stack: Stack, count: int = 3) -> None:
    """Wait for ``count`` more finished sweeps (each would send whatever is still due)."""
    target = len(SWEEP_DONE.findall(worker_log(stack))) + count
    wait_until(lambda: len(SWEEP_DONE.findall(worker_log(stack))) >= target, "more sweeps")


def test_follow_assess_remind_and_unsubscribe_from_outside(
    running: Stack, sink: StallingSink
) -> None:
    stack = running
    if stack.redis_url:
        stack.start_worker()
        stack.start_beat()
    stack.serve()
    manager = stack.user("manager", "mette@randers.dk", "Mette Holm")
    owner = stack.user("owner", "ole@randers.dk", "Ole Berg")
    with stack.uow() as uow:
        token = users.issue_token(uow, manager.email, "acceptance").secret
    api = httpx.Client(
        base_url=f"{stack.server_url}/api/v1",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    with api:
        created = api.post("/ideas", json={"title": "Natbus fra Langå", "owner": owner.email})
        assert created.status_code == 201, created.text
        idea_id = created.json()["id"]
        for email in ("anne@langaa.dk", "bo@langaa.dk"):
            followed = api.post(
                f"/ideas/{idea_id}/followers", json={"email": email, "delivery": "immediate"}
            )
            assert followed.status_code in (200, 201), followed.text
        fired = api.post(
            f"/ideas/{idea_id}/transitions",
            json={"trigger": "assess", "expected_version": 1, "data": ASSESS},
        )
        assert fired.status_code == 200, fired.text

        # Exactly one email each, with the one-click unsubscribe headers.
        wait_until(lambda: sink.to("anne@langaa.dk") and sink.to("bo@langaa.dk"), "the emails")
        let_sweeps_pass(stack)
        (assessed,) = sink.to("anne@langaa.dk")
        assert len(sink.to("bo@langaa.dk")) == 1
        assert assessed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe_url = str(assessed["List-Unsubscribe"]).strip("<>")
        assert unsubscribe_url.startswith(f"{BASE_URL}/unsubscribe/")

        # A follow-up date ahead; the sweep run as if it were past reminds the owner once.
        follow_up = local_today() + timedelta(days=3)
        stack.set_follow_up(idea_id, follow_up)
        ahead = (follow_up + timedelta(days=1)).isoformat()
        first = stack.cli("followups", "run", "--now", ahead)
        assert "Queued reminder 1" in first.stdout and "ole@randers.dk" in first.stdout
        (reminder,) = wait_until(lambda: sink.reminders_to("ole@randers.dk"), "the reminder")
        assert "Natbus fra Langå" in str(reminder["Subject"])
        second = stack.cli("followups", "run", "--now", ahead)
        assert "Queued reminder" not in second.stdout, second.stdout
        let_sweeps_pass(stack)
        assert len(sink.reminders_to("ole@randers.dk")) == 1
        (notice,) = [
            m for m in sink.to("ole@randers.dk") if m not in sink.reminders_to("ole@randers.dk")
        ]
        assert str(notice["Subject"]) == "Du ejer nu idéen “Natbus fra Langå”"  # told once

        # One-click unsubscribe, exactly as a mail provider sends it: no cookie, no CSRF token.
        path = urlsplit(unsubscribe_url).path
        unsubscribed = httpx.post(
            f"{stack.server_url}{path}",
            content="List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            timeout=10,
        )
        assert unsubscribed.status_code == 200, unsubscribed.text
        version = api.get(f"/ideas/{idea_id}").json()["version"]
        rejected = api.post(
            f"/ideas/{idea_id}/transitions",
            json={"trigger": "reject", "expected_version": version, "reason": "Ingen midler"},
        )
        assert rejected.status_code == 200, rejected.text
    wait_until(lambda: len(sink.to("bo@langaa.dk")) == 2, "the next email to the other follower")
    let_sweeps_pass(stack)
    assert len(sink.to("anne@langaa.dk")) == 1
