"""Mail through real processes: ``ideaflow serve``, ``ideaflow worker`` and ``ideaflow beat`` on
PostgreSQL and Redis, to a real SMTP server. Nothing runs eagerly: every task crosses Redis."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import func, select

from tests.worker.stack import (
    ASSESS,
    BASE_URL,
    MAIL_FROM,
    REPLY_TO,
    SECRET_KEY,
    Stack,
    wait_until,
)
from tests.worker.stalling_sink import StallingSink
from workflow.errors import VersionConflict
from workflow.events import IdeaUpdated
from workflow.models import OutboxMessage, Suppression
from workflow.notifications.tokens import read_unsubscribe_token
from workflow.services import mail_trace, transitions, users

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]
SWEEP_DONE = re.compile(r"Task ideaflow\.sweep\[[^]]+\] succeeded")


def sweeps_done(stack: Stack) -> int:
    """How many sweeps the worker has finished."""
    return len(SWEEP_DONE.findall(stack.log("worker")))


def let_sweeps_pass(stack: Stack, count: int = 3) -> None:
    """Wait until the worker has run ``count`` more sweeps (each would re-send what is due)."""
    target = sweeps_done(stack) + count
    wait_until(lambda: sweeps_done(stack) >= target, f"{count} more sweeps")


def statuses(stack: Stack, email: str) -> list[str]:
    """The statuses of the notifications to ``email``, oldest first."""
    return [n.status for n in stack.notifications(recipient_email=email)]


def test_a_change_reaches_each_follower_exactly_once_with_the_right_headers(
    stack: Stack, sink: StallingSink
) -> None:
    stack.start_worker()
    stack.start_beat()
    stack.serve()
    manager = stack.user("manager", "mette@randers.dk", "Mette Holm")
    with stack.uow() as uow:
        token = users.issue_token(uow, manager.email, "test").secret
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"{stack.server_url}/api/v1", headers=headers, timeout=10) as api:
        created = api.post("/ideas", json={"title": "Natbus fra Langå"})
        assert created.status_code == 201, created.text
        idea_id = created.json()["id"]
        anne = stack.follow(manager, idea_id, "anne@langaa.dk")
        stack.follow(manager, idea_id, "bo@langaa.dk")
        stack.follow(manager, idea_id, "daglig@langaa.dk", delivery="daily")
        transition = {"trigger": "assess", "expected_version": 1, "data": ASSESS}
        fired = api.post(f"/ideas/{idea_id}/transitions", json=transition)
        assert fired.status_code == 200, fired.text

    wait_until(lambda: sink.to("anne@langaa.dk") and sink.to("bo@langaa.dk"), "both emails")
    let_sweeps_pass(stack)
    assert sorted(str(m["To"]) for m in sink.messages) == [
        "Anne <anne@langaa.dk>",
        "Bo <bo@langaa.dk>",
    ]
    (stored,) = stack.notifications(recipient_email="anne@langaa.dk")
    assert (stored.status, stored.attempts) == ("sent", 1)
    assert stack.notifications(recipient_email="daglig@langaa.dk")[0].status == "waiting_digest"
    (message,) = sink.to("anne@langaa.dk")
    assert message["Message-ID"] == stored.message_id
    assert message["From"] == MAIL_FROM and message["Reply-To"] == REPLY_TO
    assert "Natbus fra Langå" in message["Subject"]
    assert message.get_body(("plain",)) is not None and message.get_body(("html",)) is not None
    # What a mail client reads: the raw header lines, not a parser's reading of them.
    head = sink.raw_headers(stored.message_id)
    unsubscribe = re.search(r"^List-Unsubscribe: <([^>\r\n]+)>\r?$", head, re.MULTILINE)
    assert unsubscribe, head
    prefix = f"{BASE_URL}/unsubscribe/"
    assert unsubscribe.group(1).startswith(prefix)
    token = unsubscribe.group(1).removeprefix(prefix)
    assert read_unsubscribe_token(SECRET_KEY, token) == (anne, "idea_updates")
    assert re.search(r"^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$", head, re.M)


def test_a_rolled_back_change_sends_nothing(stack: Stack, sink: StallingSink) -> None:
    stack.start_worker()
    stack.start_beat()
    manager = stack.user("manager", "mette@randers.dk")
    idea_id = stack.idea(manager, "Natbus fra Langå")
    stack.follow(manager, idea_id, "anne@langaa.dk")
    with stack.uow() as uow:
        outbox_before = uow.session.scalar(select(func.count(OutboxMessage.id)))
        # A change and its event, flushed to the database and then rolled back.
        idea = uow.ideas.get(idea_id)
        assert idea is not None
        idea.title = "Aldrig gemt"
        uow.publish(IdeaUpdated(idea_id, changes={"title": idea.title}, actor_id=manager.id))
        uow.flush()
        uow.rollback()
    # A transition that loses a version race is rolled back by the service itself.
    with stack.uow() as uow, pytest.raises(VersionConflict):
        transitions.fire_trigger(uow, manager, idea_id, "assess", data=ASSESS, expected_version=7)
    let_sweeps_pass(stack)
    with stack.uow() as uow:
        assert uow.session.scalar(select(func.count(OutboxMessage.id))) == outbox_before
    assert sink.messages == [] and stack.notifications() == []
    stack.assess(manager, idea_id)  # the same pipeline delivers a committed change
    wait_until(lambda: sink.to("anne@langaa.dk"), "the committed change's email")
    let_sweeps_pass(stack)
    assert len(sink.messages) == 1


def test_a_temporary_refusal_is_retried_and_a_permanent_one_suppresses(
    stack: Stack, sink: StallingSink
) -> None:
    stack.start_worker()
    stack.start_beat()  # its sweep sends the held email once its hold has passed
    manager = stack.user("manager", "mette@randers.dk")
    idea_id = stack.idea(manager, "Natbus fra Langå")
    stack.follow(manager, idea_id, "anne@langaa.dk")
    stack.follow(manager, idea_id, "ukendt@langaa.dk")
    sink.refuse_for = {
        "anne@langaa.dk": ["451 4.3.0 Try again later"],
        "ukendt@langaa.dk": ["550 5.1.1 No such user"],
    }
    stack.assess(manager, idea_id)

    wait_until(lambda: statuses(stack, "ukendt@langaa.dk") == ["failed"], "the 5xx recorded")
    (refused,) = stack.notifications(recipient_email="ukendt@langaa.dk")
    assert (refused.attempts, refused.last_error) == (1, "550 5.1.1 No such user")
    with stack.uow() as uow:
        assert uow.session.get(Suppression, "ukendt@langaa.dk") is not None
    # The 4xx waits on its row for the backoff (30 s and up to 20 % jitter); the sweep sends it.
    (message,) = wait_until(lambda: sink.to("anne@langaa.dk"), "the retried email", timeout=90)
    wait_until(lambda: statuses(stack, "anne@langaa.dk") == ["sent"], "the retry recorded")
    (retried,) = stack.notifications(recipient_email="anne@langaa.dk")
    assert (retried.status, retried.attempts, retried.last_error) == ("sent", 2, None)
    assert message["Message-ID"] == retried.message_id
    worker_log = stack.log("worker")
    assert f"notification {retried.id} held for a retry (try 1)" in worker_log
    assert "sweep: queueing 1 notifications due again" in worker_log  # not a Celery countdown
    assert "countdown" not in worker_log and "Retry in" not in worker_log
    with stack.uow() as uow:
        path = mail_trace.trace(uow, retried.id)
    assert [(a.number, a.outcome) for a in path.attempts] == [(1, "held"), (2, "sent")]

    with stack.uow() as uow:
        transitions.fire_trigger(uow, manager, idea_id, "reject", reason="Ingen midler")
    wait_until(lambda: len(sink.to("anne@langaa.dk")) == 2, "the next email to Anne")
    wait_until(
        lambda: statuses(stack, "ukendt@langaa.dk") == ["failed", "suppressed"],
        "the next email to the suppressed address held back",
    )
    assert sink.to("ukendt@langaa.dk") == []
