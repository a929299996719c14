"""The soak's SMTP server: counts every message by Message-ID and can refuse by a rule.

It keeps no parsed messages (10,000 of them would cost the harness more than the workers), only
when each Message-ID was accepted and what each address was answered.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller

from tests.mailsink import free_port

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]+>)", re.MULTILINE | re.IGNORECASE)
# (recipient, how many times this address was offered a message before) -> a refusal or None
Policy = Callable[[str, int], str | None]


@dataclass
class CountingSink:
    """What the server accepted (per Message-ID, with the time of each 250) and refused."""

    host: str = "127.0.0.1"
    port: int = 0
    policy: Policy | None = None
    accepted: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    ports: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # client's
    recipients: dict[str, str] = field(default_factory=dict)  # Message-ID -> address
    offered: Counter[str] = field(default_factory=Counter)  # address -> DATA commands
    refused: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        """The IDEAFLOW_SMTP_URL of this server."""
        return f"smtp://{self.host}:{self.port}"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        """Refuse as the policy says, else accept and count."""
        head = envelope.content.split(b"\r\n\r\n", 1)[0]
        found = MESSAGE_ID.search(head)
        message_id = found.group(1).decode() if found else ""
        address = str(envelope.rcpt_tos[0]).lower() if envelope.rcpt_tos else ""
        with self.lock:
            before = self.offered[address]
            self.offered[address] += 1
            reply = self.policy(address, before) if self.policy else None
            if reply is not None:
                self.refused[address].append(reply)
                return reply
            self.accepted[message_id].append(time.monotonic())
            self.ports[message_id].append(int(session.peer[1]))
            self.recipients[message_id] = address
        return "250 Message accepted"

    def total(self) -> int:
        """Messages accepted, counting repeats."""
        with self.lock:
            return sum(len(times) for times in self.accepted.values())

    def ids(self) -> set[str]:
        """The distinct Message-IDs accepted."""
        with self.lock:
            return set(self.accepted)

    def repeated(self) -> dict[str, list[float]]:
        """Message-IDs accepted more than once, with the times of each acceptance."""
        with self.lock:
            return {key: list(times) for key, times in self.accepted.items() if len(times) > 1}

    def first_port(self, message_id: str) -> int:
        """The client port the first accepted copy of ``message_id`` came from."""
        with self.lock:
            return self.ports[message_id][0]

    def to(self, address: str) -> int:
        """Messages accepted for ``address``."""
        with self.lock:
            return sum(len(self.accepted[m]) for m, a in self.recipients.items() if a == address)


@contextmanager
def running_sink(policy: Policy | None = None) -> Iterator[CountingSink]:
    """Run a CountingSink on a free port until the block ends."""
    sink = CountingSink(port=free_port(), policy=policy)
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
