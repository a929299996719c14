"""What the notification pipeline costs against sending the same mail by hand.

Seeds one idea with 5,000 stakeholders (400 in a quick run) who want mail at once, fires
``assess`` and relays the outbox: 5,000 pending notifications, exactly as production makes them.
Then, interleaved over several rounds (3; 2 in a quick run), the same messages reach a local
aiosmtpd server (in a process of its own, counting what it accepts) two ways:

(a) pipeline: the 5,000 notifications queued as production queues them (delivery tasks of
    ``tasks.batches.BATCH_SIZE`` each) through Redis (a private redis-server on a free port) to
    ``ideaflow worker --concurrency 2`` (two worker processes); each notification is leased,
    sent and its outcome recorded in PostgreSQL on its own, over one SMTP connection per task;
(b) raw: a plain ``smtplib`` loop in one process sending the same, already built messages over
    one connection kept open for all 5,000 (the fastest plain loop: the pipeline opens one
    connection per batch). A loop opening a connection per message is timed too and reported
    beside it.

For the record it also times one process calling ``delivery.deliver_many`` batch after batch (no
Celery, no Redis), which shows how the pipeline's cost divides between the delivery service and
the task machinery.

Throughput is messages accepted by the server per second, from the first task queued (or the
first message sent) to the 5,000th message accepted. The gate is ``median(a) / median(b) >=
0.7``, a ratio taken within one run, recorded as ``notify_vs_raw_smtp`` in
``bench/results.json``. PostgreSQL comes from ``IDEAFLOW_BENCH_DATABASE_URL`` (or
``IDEAFLOW_TEST_DATABASE_URL``; a throw-away database is created and dropped); without either,
the bench says so and stops.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import smtplib
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from multiprocessing.connection import Connection
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import delete, insert, select, update

from bench import results
from bench.databases import fresh_database
from tasks.batches import delivery_batches
from tasks.celery_app import create_celery
from tasks.delivery import enqueue_deliveries
from workflow.db import Database
from workflow.models import Contact, DeliveryAttempt, IdeaFollower, Notification
from workflow.notifications.links import Links
from workflow.notifications.messages import build_message
from workflow.notifications.transport import SmtpTransport
from workflow.services import delivery, ideas, notifications, transitions, users
from workflow.settings import Settings

MESSAGES, ROUNDS = results.sized(5_000, 400), results.sized(3, 2)
LIMIT, CONCURRENCY = 0.7, 2
IDEAFLOW = shutil.which("ideaflow", path=str(Path(sys.executable).parent)) or "ideaflow"
SENDER, BASE_URL, SECRET = "ideaflow <ideer@randers.test>", "https://ideer.randers.test", "bench"
MESSAGE_ID = re.compile(rb"^Message-ID: (<[^>]+>)", re.MULTILINE | re.IGNORECASE)
ASSESS = {"impact": 4, "feasibility": 3, "cost": 2, "summary": "Bred opbakning i borgerpanelet"}


def _sink_main(port: int, control: Connection, accepted: Synchronized[int]) -> None:
    """The SMTP server's process: accept everything, count it, remember the Message-IDs."""
    from aiosmtpd.controller import Controller

    seen: list[bytes] = []

    class Counting:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            found = MESSAGE_ID.search(envelope.content)
            seen.append(found.group(1) if found else b"")
            with accepted.get_lock():
                accepted.value += 1
            return "250 Message accepted"

    controller = Controller(Counting(), hostname="127.0.0.1", port=port)
    controller.start()
    control.send("ready")
    while (command := control.recv()) != "stop":
        if command == "take":  # hand over and forget what was accepted since the last take
            control.send([m.decode() for m in seen])
            seen.clear()
            with accepted.get_lock():
                accepted.value = 0
    controller.stop()


class Sink:
    """The counting SMTP server in its own process (so it never competes with a sender's GIL)."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.port = free_port()
        self.accepted: Synchronized[int] = context.Value("q", 0)
        self.control, child_end = context.Pipe()
        self.process = context.Process(
            target=_sink_main, args=(self.port, child_end, self.accepted), daemon=True
        )
        self.process.start()
        assert self.control.recv() == "ready"

    def wait_for(self, count: int, timeout: float = 600) -> float:
        """Block until ``count`` messages were accepted; return the time then."""
        deadline = time.monotonic() + timeout
        while self.accepted.value < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {self.accepted.value} of {count} messages arrived")
            time.sleep(0.002)
        return time.perf_counter()

    def take(self) -> list[str]:
        """The Message-IDs accepted since the last take (and reset the count)."""
        self.control.send("take")
        ids: list[str] = self.control.recv()
        return ids

    def stop(self) -> None:
        self.control.send("stop")
        self.process.join(10)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def private_redis(folder: Path) -> Iterator[str]:
    """A redis-server of our own on a free port (nothing else's queues are touched)."""
    if shutil.which("redis-server") is None:
        raise SystemExit("notify_vs_raw_smtp: redis-server is not installed")
    port = free_port()
    options = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    server = subprocess.Popen(  # noqa: S603
        ["redis-server", *options, "--dir", str(folder)],  # noqa: S607
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield url
    finally:
        client.close()
        server.terminate()
        server.wait(10)


def seed(database: Database, links: Links, messages: int = MESSAGES) -> list[int]:
    """One idea, ``messages`` immediate followers, one transition relayed: the notification
    ids."""
    with database.unit_of_work() as uow:
        users.create_user(
            uow, email="mette@randers.dk", name="Mette Holm", role="manager", password=None
        )
        manager = users.find_actor(uow, "mette@randers.dk")
        idea_id = ideas.create_idea(uow, manager, {"title": "Natbus fra Langå"}).id
    contacts = [
        {"id": n, "name": f"Borger {n}", "email": f"borger{n}@langaa.dk", "delivery": "immediate"}
        for n in range(1, messages + 1)
    ]
    followers = [
        {"idea_id": idea_id, "contact_id": n, "source": "bench"} for n in range(1, messages + 1)
    ]
    with database.session_factory.begin() as session:
        session.execute(insert(Contact), contacts)
        session.execute(insert(IdeaFollower), followers)
    with database.unit_of_work() as uow:
        transitions.fire_trigger(uow, manager, idea_id, "assess", data=ASSESS)
    with database.unit_of_work() as uow:
        ready = notifications.relay_outbox(uow, links)
    assert len(ready) == messages, len(ready)
    return ready


def built_messages(database: Database, links: Links) -> list[Message]:
    """The emails the workers send, built up front for the raw loop."""
    with database.unit_of_work() as uow:
        rows = uow.session.scalars(select(Notification).order_by(Notification.id)).all()
        return [
            build_message(
                n,
                sender=SENDER,
                unsubscribe_url=links.unsubscribe_url(n.contact_id or 0, n.list_name or ""),
            )
            for n in rows
        ]


def reset(database: Database) -> None:
    """Every notification pending and untried again, for the next pipeline round."""
    with database.session_factory.begin() as session:
        untried = {"status": "pending", "attempts": 0, "sent_at": None, "lease_until": None}
        session.execute(update(Notification).values(**untried, last_error=None, smtp_reply=None))
        session.execute(delete(DeliveryAttempt))


def time_pipeline(database: Database, sink: Sink, settings: Settings, ids: list[int]) -> float:
    """Seconds from queueing the first task to the last message accepted."""
    reset(database)
    app = create_celery(settings, set_as_current=False)
    with app.producer_or_acquire():
        started = time.perf_counter()
        enqueue_deliveries(app, ids)
        finished = sink.wait_for(MESSAGES)
    for _ in range(100):  # the last workers record "sent" just after the server's answer
        with database.unit_of_work() as uow:
            outcome = set(uow.session.execute(select(Notification.status, Notification.attempts)))
        if outcome == {("sent", 1)}:
            return finished - started
        time.sleep(0.1)
    raise AssertionError(f"after the pipeline: {outcome}")


def time_deliver_loop(database: Database, sink: Sink, links: Links, ids: list[int]) -> float:
    """Seconds for one process sending the batches with ``delivery.deliver_many`` (no Celery):
    splits the pipeline's cost between the delivery service and the task machinery."""
    reset(database)
    transport = SmtpTransport(f"smtp://127.0.0.1:{sink.port}")
    sending = delivery.Sending(links, SENDER)
    started = time.perf_counter()
    for batch in delivery_batches(ids):
        with database.unit_of_work() as uow:
            delivery.deliver_many(uow, batch, transport, sending)
    return sink.wait_for(MESSAGES) - started


def time_raw(sink: Sink, messages: list[Message], *, reuse: bool) -> float:
    """Seconds for a plain smtplib loop to hand over every message."""
    started = time.perf_counter()
    if reuse:
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=30) as client:
            for message in messages:
                client.send_message(message)
    else:
        for message in messages:
            with smtplib.SMTP("127.0.0.1", sink.port, timeout=30) as client:
                client.send_message(message)
    return sink.wait_for(MESSAGES) - started


@dataclass
class WorkerRun:
    """A running ``ideaflow worker`` with its database, settings and SMTP sink."""

    database: Database
    settings: Settings
    sink: Sink
    worker: subprocess.Popen[bytes]


@contextmanager
def running_worker() -> Iterator[WorkerRun]:
    """A fresh PostgreSQL database, a private Redis and the sink, with ``ideaflow worker``
    (``CONCURRENCY`` processes) on them, ready; everything stopped and dropped afterwards."""
    with (
        tempfile.TemporaryDirectory(prefix="ideaflow-bench-") as folder,
        fresh_database("postgresql") as (_, database_url),
        private_redis(Path(folder)) as redis_url,
    ):
        sink = Sink()
        env = worker_environment(folder, database_url, redis_url, sink.port)
        settings = Settings.from_env(env)
        database = Database(settings.database_url)
        log_path = Path(folder) / "worker.log"
        log = log_path.open("wb")
        worker = subprocess.Popen(  # noqa: S603
            [IDEAFLOW, "worker", "--concurrency", str(CONCURRENCY), "--loglevel", "INFO"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_ready(log_path, worker)
            yield WorkerRun(database, settings, sink, worker)
        finally:
            worker.terminate()
            worker.wait(60)
            log.close()
            sink.stop()
            database.dispose()


def main() -> int:
    with running_worker() as run:
        database, settings, sink = run.database, run.settings, run.sink
        links = Links(BASE_URL, SECRET)
        ids = seed(database, links)
        messages = built_messages(database, links)
        expected = sorted(str(m["Message-ID"]) for m in messages)
        runs: dict[str, Callable[[], float]] = {
            "raw": lambda: time_raw(sink, messages, reuse=True),
            "pipeline": lambda: time_pipeline(database, sink, settings, ids),
            "raw_connection_each": lambda: time_raw(sink, messages, reuse=False),
            "deliver_loop": lambda: time_deliver_loop(database, sink, links, ids),
        }
        timings: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(ROUNDS):
            for name, timed in runs.items():
                timings[name].append(timed())
                assert sorted(sink.take()) == expected, f"{name}: not the same messages"
    throughput = {name: MESSAGES / statistics.median(seconds) for name, seconds in timings.items()}
    ratio = throughput["pipeline"] / throughput["raw"]
    for name, per_second in throughput.items():
        rounds = ", ".join(f"{s:.2f}" for s in timings[name])
        print(f"{name:>19}: {per_second:7.0f} messages/s  (rounds: {rounds} s)")
    each = throughput["pipeline"] / throughput["raw_connection_each"]
    print(f"against a loop opening a connection per message: {each:.2f}")
    detail = {"messages": MESSAGES, "worker_processes": CONCURRENCY, "rounds": ROUNDS,
              "per_second": {name: round(value, 1) for name, value in throughput.items()},
              "seconds": timings, "ratio_to_connection_each": round(each, 3)}  # fmt: skip
    passed = results.record(
        "notify_vs_raw_smtp",
        ratio,
        LIMIT,
        baseline="a plain smtplib loop over one kept-open connection, same messages, same run",
        detail=detail,
    )
    return 0 if passed else 1


def worker_environment(folder: str, database_url: str, redis_url: str, port: int) -> dict[str, str]:
    """The environment of ``ideaflow worker`` for the bench: its database, Redis and sink."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IDEAFLOW_")}
    env.update(
        IDEAFLOW_ENV="production",
        IDEAFLOW_DATABASE_URL=database_url,
        IDEAFLOW_REDIS_URL=redis_url,
        IDEAFLOW_SMTP_URL=f"smtp://127.0.0.1:{port}",
        IDEAFLOW_SECRET_KEY=SECRET,
        IDEAFLOW_BASE_URL=BASE_URL,
        IDEAFLOW_MAIL_FROM=SENDER,
        IDEAFLOW_INSTANCE_PATH=f"{folder}/instance",
    )
    return env


def wait_until_ready(log: Path, worker: subprocess.Popen[bytes]) -> None:
    """Wait for the worker's ``ready.`` line."""
    deadline = time.monotonic() + 60
    while b" ready." not in log.read_bytes():
        if worker.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the worker did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)


if __name__ == "__main__":
    sys.exit(main())
