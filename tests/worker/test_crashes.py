"""Nothing is lost when a worker is killed mid-delivery or Redis restarts empty mid-run."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from tests.worker.redis_server import RedisServer
from tests.worker.stack import ASSESS, Stack, wait_until
from tests.worker.stalling_sink import StallingSink
from tests.worker.test_delivery import let_sweeps_pass
from workflow import tuning
from workflow.clock import utcnow
from workflow.models import Notification

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


def test_a_worker_killed_mid_delivery_loses_nothing_and_keeps_the_message_id(
    stack: Stack, sink: StallingSink
) -> None:
    stack.start_worker(concurrency=1)
    stack.start_beat()
    manager = stack.user("manager", "mette@randers.dk")
    idea_id = stack.idea(manager, "Natbus fra Langå")
    stack.follow(manager, idea_id, "anne@langaa.dk")
    sink.stall_next = True
    stack.assess(manager, idea_id)
    assert sink.stalled.wait(30), stack.log("worker")

    stack.kill("worker")  # SIGKILL to the worker and its pool, in the middle of DATA
    (stranded,) = stack.notifications()
    assert (stranded.status, stranded.attempts, stranded.sent_at) == ("pending", 1, None)
    assert stranded.lease_until is not None and stranded.lease_until > utcnow()
    assert sink.messages == [] and len(sink.unacknowledged) == 1

    # The dead worker's lease (90 s) and the sweep's grace period (2 min) must run out before
    # anyone sends again. Instead of waiting, age the row by as much as the clock would.
    with stack.uow() as uow:
        uow.session.execute(
            update(Notification).values(
                lease_until=utcnow() - timedelta(seconds=1),
                created_at=stranded.created_at - tuning.current().requeue_after * 2,
            )
        )
        uow.commit()
    stack.start_worker(concurrency=1)
    (message,) = wait_until(lambda: sink.to("anne@langaa.dk"), "the re-sent email")
    let_sweeps_pass(stack)
    (sent,) = stack.notifications()
    assert (sent.status, sent.attempts) == ("sent", 2)
    assert message["Message-ID"] == sink.unacknowledged[0]["Message-ID"] == sent.message_id
    assert len(sink.messages) == 1


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def test_redis_restarted_mid_run_loses_nothing(
    tmp_path: Path, postgres_url: str, own_redis: RedisServer, sink: StallingSink
) -> None:
    stack = Stack(folder=tmp_path, database_url=postgres_url, redis_url=own_redis.url,
                  smtp_url=sink.url)  # fmt: skip
    try:
        stack.start_worker()
        stack.start_beat()
        manager = stack.user("manager", "mette@randers.dk")
        ideas = {name: stack.idea(manager, f"Idé {name}") for name in "ABC"}
        for name, idea_id in ideas.items():
            stack.follow(manager, idea_id, f"{name.lower()}@langaa.dk")
        stack.assess(manager, ideas["A"])
        wait_until(lambda: sink.to("a@langaa.dk"), "the email before the restart")

        # Redis goes away: a change committed meanwhile (by the CLI) cannot kick the relay,
        # and the command does not fail for that.
        own_redis.stop()
        data = [f"--data={name}={value}" for name, value in ASSESS.items()]
        fired = stack.cli("ideas", "fire", str(ideas["B"]), "assess", "--as", manager.email, *data)
        assert "not kicked" in fired.stderr
        own_redis.start()  # empty: no queued message survived
        wait_until(lambda: sink.to("b@langaa.dk"), "the email committed while Redis was down")

        # Messages waiting in Redis when it restarts empty: the kick and the sweeps for C.
        assert stack.processes["worker"].poll() is None  # the worker rode out the restart
        stack.stop("worker")
        stack.assess(manager, ideas["C"])
        own_redis.stop()
        own_redis.start()
        stack.start_worker()
        wait_until(lambda: sink.to("c@langaa.dk"), "the email whose messages Redis lost")
        let_sweeps_pass(stack)
        assert sorted(str(m["To"]) for m in sink.messages) == [
            "A <a@langaa.dk>",
            "B <b@langaa.dk>",
            "C <c@langaa.dk>",
        ]
        rows = stack.notifications()
        assert {n.status for n in rows} == {"sent"}, describe(rows, stack)
    finally:
        stack.stop_all()


def describe(rows: list[Notification], stack: Stack) -> str:
    """The notifications and the worker's log, for a failure's message."""
    lines = [
        f"#{n.id} {n.recipient_email} {n.status} attempts={n.attempts} lease={n.lease_until} "
        f"created={n.created_at} error={n.last_error}"
        for n in rows
    ]
    return "\n".join([*lines, stack.log("worker")[-6000:]])


def test_a_worker_holding_unacknowledged_messages_rides_out_a_redis_restart(
    tmp_path: Path, postgres_url: str, own_redis: RedisServer, sink: StallingSink
) -> None:
    stack = Stack(folder=tmp_path, database_url=postgres_url, redis_url=own_redis.url,
                  smtp_url=sink.url)  # fmt: skip
    try:
        stack.start_worker(concurrency=1)
        stack.start_beat()
        manager = stack.user("manager", "mette@randers.dk")
        ideas = {name: stack.idea(manager, f"Idé {name}") for name in "AB"}
        for name, idea_id in ideas.items():
            stack.follow(manager, idea_id, f"{name.lower()}@langaa.dk")
        sink.stall_next, sink.stall_seconds = True, 3.0
        stack.assess(manager, ideas["A"])
        assert sink.stalled.wait(30), stack.log("worker")

        # The worker holds the delivery's message, unacknowledged, when Redis goes away.
        own_redis.stop()
        own_redis.start()
        worker = stack.processes["worker"]
        reconnected = lambda: stack.log("worker").count("Connected to redis") >= 2  # noqa: E731
        wait_until(lambda: reconnected() or worker.poll() is not None, "the worker reconnecting")
        assert stack.processes["worker"].poll() is None, stack.log("worker")
        stack.assess(manager, ideas["B"])
        wait_until(lambda: sink.to("b@langaa.dk"), "the next email, after the restart")
        assert "Unrecoverable error" not in stack.log("worker")
    finally:
        stack.stop_all()
