"""The embedded broker: kombu's filesystem transport with every file written whole.

kombu's own transport creates a message file and then writes into it, so a worker polling the
folder in between takes an empty file and its consumer stops on a JSON error; its exchange table
has the same gap between creating the file and filling it. Here each file is written under a
hidden name in its folder and renamed into place, so a reader sees all of it or none of it.

Why not kombu's SQLAlchemy transport (``sqla+sqlite:///instance/broker.sqlite``), which needs
none of these overrides: it was tried. It delivered 240 messages of 400 KB written by four
processes at once, whole, and ``ideaflow serve`` alone passed tests/worker/test_embedded.py on
it. It was kept out for two reasons. Its models use ``lazy="noload"``, which SQLAlchemy 2.1
deprecates: the warning is raised from ``configure_mappers()``, which configures every mapper
in the process, so under the test suite's warnings-as-errors the first kick left all mappers,
ideaflow's too, unable to initialise, and the SQLAlchemy release that removes ``noload`` would
break the embedded mode outright. And it never deletes a message it handed out (it marks it
invisible), so the file would grow by every task ever sent unless the sweep pruned kombu's
table. Revisit when kombu's models drop ``noload``. Until then these overrides (``_put``,
``_queue_bind``, ``_delete``) are pinned by tests/worker/test_file_broker.py.
"""

from __future__ import annotations

import fcntl
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from time import monotonic
from typing import Any

from kombu.transport import filesystem
from kombu.utils.json import dumps

TABLES_LOCK = ".tables.lock"
Table = list[Any]  # of kombu's exchange_queue_t rows


def write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that no reader ever sees part of it."""
    # A leading dot keeps the file out of the queues: their names end in ".<queue>.msg".
    hidden = path.with_name(f".{uuid.uuid4().hex}.partial")
    try:
        hidden.write_bytes(data)
        os.replace(hidden, path)
    finally:
        hidden.unlink(missing_ok=True)


@contextmanager
def _tables_locked(folder: Path) -> Iterator[None]:
    """Hold the lock that serialises read-modify-write of the exchange tables."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / TABLES_LOCK, "a+b") as lock_file:
        fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)


class Channel(filesystem.Channel):
    """A filesystem channel whose messages and exchange tables appear whole."""

    # kombu's own channel classes disagree on this signature; this is the filesystem one's.
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        write_whole(Path(self.data_folder_out) / name, dumps(payload).encode())

    def _queue_bind(self, exchange: str, routing_key: str, pattern: str, queue: str) -> None:
        entry = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        self._change_table(exchange, lambda table: table if entry in table else [entry, *table])

    def _delete(
        self, queue: str, exchange: str, routing_key: str, pattern: str, *args: Any, **kwargs: Any
    ) -> None:
        # kombu's virtual channel forgets the queue; the table on disk is updated here.
        super(filesystem.Channel, self)._delete(queue, exchange, routing_key, pattern, *args)
        entry = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        self._change_table(exchange, lambda table: [row for row in table if row != entry])

    def _change_table(self, exchange: str, change: Callable[[Table], Table]) -> None:
        file = self._exchange_file(exchange)
        with _tables_locked(self.control_folder):
            table = self.get_table(exchange)
            changed = change(table)
            if changed != table or not file.exists():
                write_whole(file, dumps(changed).encode())


class Transport(filesystem.Transport):
    """kombu's filesystem transport with :class:`Channel`."""

    Channel = Channel
