"""The embedded broker never shows a worker a message or exchange table that is half written."""

from __future__ import annotations

import json
import multiprocessing
import threading
from pathlib import Path

from kombu import Connection

from tasks.celery_app import create_celery
from tasks.file_broker import Transport
from workflow.settings import Settings

WRITERS = 4
MESSAGES_PER_WRITER = 60
PAYLOAD = "x" * 400_000  # large enough that writing one takes a while


def _connection(folder: Path, transport: object) -> Connection:
    messages, control = folder / "messages", folder / "control"
    return Connection(
        "filesystem://",
        transport=transport,
        transport_options={
            "data_folder_in": str(messages),
            "data_folder_out": str(messages),
            "control_folder": str(control),
            "polling_interval": 0.01,
        },
    )


def _publish(folder: Path, transport: object, start: multiprocessing.synchronize.Event) -> None:
    start.wait()
    with _connection(folder, transport) as connection:
        queue = connection.SimpleQueue("ideaflow")  # declares and binds the queue: a table write
        for number in range(MESSAGES_PER_WRITER):
            queue.put({"n": number, "padding": PAYLOAD})


def _watch_files(folder: Path, stop: threading.Event, broken: list[str]) -> None:
    """Read every file the broker shows, as a polling worker would, and note the unreadable."""
    while not stop.is_set():
        for path in (*folder.glob("messages/*.msg"), *folder.glob("control/*.exchange")):
            try:
                json.loads(path.read_bytes())
            except FileNotFoundError:
                continue  # taken by the consumer meanwhile
            except ValueError:
                broken.append(path.name)


def exchange_and_consume(folder: Path, transport: object = Transport) -> tuple[int, list[str]]:
    """Publish from several processes at once while consuming; (received, broken files)."""
    for sub in ("messages", "control"):
        (folder / sub).mkdir(parents=True)
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    writers = [
        context.Process(target=_publish, args=(folder, transport, start)) for _ in range(WRITERS)
    ]
    for writer in writers:
        writer.start()
    stop, broken = threading.Event(), []
    watcher = threading.Thread(target=_watch_files, args=(folder, stop, broken))
    watcher.start()
    received = 0
    try:
        start.set()
        with _connection(folder, transport) as connection:
            queue = connection.SimpleQueue("ideaflow")
            while received < WRITERS * MESSAGES_PER_WRITER:
                message = queue.get(timeout=30)
                assert message.payload["padding"] == PAYLOAD
                message.ack()
                received += 1
    finally:
        stop.set()
        watcher.join()
        for writer in writers:
            writer.join(timeout=30)
    assert all(writer.exitcode == 0 for writer in writers)
    return received, broken


def test_messages_and_tables_written_by_several_processes_at_once_appear_whole(
    tmp_path: Path,
) -> None:
    received, broken = exchange_and_consume(tmp_path)

    assert received == WRITERS * MESSAGES_PER_WRITER
    assert broken == []
    leftovers = [path.name for path in tmp_path.rglob("*") if path.suffix == ".partial"]
    assert leftovers == []


def test_the_embedded_worker_uses_this_transport_and_redis_does_not(tmp_path: Path) -> None:
    environ = {"IDEAFLOW_ENV": "development", "IDEAFLOW_INSTANCE_PATH": str(tmp_path)}
    embedded = Settings.from_env(environ)
    with_redis = Settings.from_env({**environ, "IDEAFLOW_REDIS_URL": "redis://127.0.0.1:1/0"})

    with create_celery(embedded, set_as_current=False).connection_for_write() as connection:
        assert isinstance(connection.transport, Transport)
    with create_celery(with_redis, set_as_current=False).connection_for_write() as connection:
        assert connection.transport_cls == "redis"
