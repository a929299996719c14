"""A real SMTP server for tests (aiosmtpd), keeping every message it accepts.

``refuse`` lists the replies for the next messages ("451 ..." or "550 ..."); once it is empty,
messages are accepted with 250.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class MailSink:
    """What an SMTP server received, and what it should answer next."""

    host: str = "127.0.0.1"
    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)
    refuse: list[str] = field(default_factory=list)
    peers: list[tuple[str, int]] = field(default_factory=list)  # a connection's, per message
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        """The IDEAFLOW_SMTP_URL of this server."""
        return f"smtp://{self.host}:{self.port}"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        """aiosmtpd's hook: accept (keeping the message) or answer as ``refuse`` says."""
        with self.lock:
            self.peers.append(tuple(session.peer))
            if self.refuse:
                return self.refuse.pop(0)
            parsed = message_from_bytes(envelope.content, policy=policy.default)
            self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        """The messages received for ``address``."""
        with self.lock:
            return [m for m in self.messages if address in str(m["To"])]

    def reminders_to(self, address: str) -> list[EmailMessage]:
        """The messages for ``address`` but the notice that they now own an idea."""
        return [m for m in self.to(address) if "ejer nu idéen" not in str(m["Subject"])]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_sink(port: int | None = None) -> Iterator[MailSink]:
    """Run an SMTP server on ``port`` (a free one by default) until the block ends."""
    sink = MailSink(port=port or free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
