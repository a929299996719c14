"""The test SMTP server, able to refuse mail per address and to stall in the middle of DATA.

A stalled message is kept apart (``unacknowledged``): the sender never got a reply for it, so it
has not been delivered, and the sender must send it again.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.mailsink import MailSink, free_port


@dataclass
class StallingSink(MailSink):
    """``refuse_for[address]`` lists replies for that address's next messages; ``stall_next``
    holds the next message without answering for ``stall_seconds``."""

    refuse_for: dict[str, list[str]] = field(default_factory=dict)
    stall_next: bool = False
    stall_seconds: float = 60.0
    stalled: threading.Event = field(default_factory=threading.Event)
    unacknowledged: list[EmailMessage] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)  # accepted messages as they came

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        """Refuse, stall or accept."""
        with self.lock:
            for address in envelope.rcpt_tos:
                if self.refuse_for.get(address):
                    return self.refuse_for[address].pop(0)
            stall, self.stall_next = self.stall_next, False
            if stall:
                parsed = message_from_bytes(envelope.content, policy=policy.default)
                self.unacknowledged.append(parsed)  # type: ignore[arg-type]
        if stall:
            self.stalled.set()
            await asyncio.sleep(self.stall_seconds)
            return "451 4.4.2 Timed out waiting for ourselves"
        reply = await super().handle_DATA(server, session, envelope)
        with self.lock:
            self.raw.append(envelope.content)
        return reply

    def message_ids(self, address: str | None = None) -> list[str]:
        """The Message-IDs of the messages accepted so far (for ``address``)."""
        with self.lock:
            return [
                str(m["Message-ID"])
                for m in self.messages
                if address is None or address in str(m["To"])
            ]

    def raw_headers(self, message_id: str) -> str:
        """The header block of an accepted message exactly as it came over the wire."""
        with self.lock:
            for content in self.raw:
                head = content.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
                if message_id.encode() in head:
                    return head.decode("ascii")
        raise AssertionError(f"no message {message_id}")


@contextmanager
def running_stalling_sink() -> Iterator[StallingSink]:
    """Run a StallingSink on a free port until the block ends."""
    sink = StallingSink(port=free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
