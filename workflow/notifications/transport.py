"""Handing a message to the mail system: an SMTP server, or .eml files when none is configured.

SMTP replies decide what happens next: 4xx (and a lost connection) is temporary, so the message
is tried again later; 5xx is permanent, so the address is not tried again.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from email.message import Message
from functools import cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

logger = logging.getLogger(__name__)
SMTP_TIMEOUT_S = 30


class TemporaryFailure(Exception):
    """The message could not be handed over now; try again later."""


class PermanentFailure(Exception):
    """The server refused the message for good (5xx); do not try this address again."""


# Hands a message over and returns what the other side answered (e.g. "250 2.0.0 Ok: queued").
Send = Callable[[Message], str | None]


class Transport(Protocol):
    """Something that hands messages over."""

    def send(self, message: Message) -> str | None:
        """Hand ``message`` over and return the answer, or raise TemporaryFailure /
        PermanentFailure."""

    def session(self) -> AbstractContextManager[Send]:
        """A ``send`` for several messages in a row (over one connection where there is one)."""


class SmtpTransport:
    """SMTP with a timeout and a verifying TLS context (``smtps://`` or ``?starttls=1``)."""

    def __init__(self, url: str, timeout: float = SMTP_TIMEOUT_S) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError("IDEAFLOW_SMTP_URL must start with smtp:// or smtps://")
        self.implicit_tls = parts.scheme == "smtps"
        self.starttls = parse_qs(parts.query).get("starttls", ["0"])[0] in ("1", "true", "yes")
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.timeout = timeout
        self.tls = ssl.create_default_context()

    def send(self, message: Message) -> str | None:
        """Send over one short connection; the server's answer to the message."""
        with self.session() as send:
            return send(message)

    @contextmanager
    def session(self) -> Iterator[Send]:
        """Send messages over one connection: opened for the first, opened again after a
        failure, closed at the end."""
        client: _Client | None = None

        def drop() -> None:
            """Close without a word to the server: it failed mid-conversation."""
            nonlocal client
            if client is not None:
                client.close()
            client = None

        def send(message: Message) -> str | None:
            nonlocal client
            reused = client is not None
            try:
                client = client or self._open()
                client.send_message(message)
                return client.last_reply
            except smtplib.SMTPServerDisconnected as error:
                drop()
                if not reused:  # a fresh connection that drops is the server's trouble
                    raise TemporaryFailure(f"{type(error).__name__}: {error}") from error
                # the server closed an idle connection: once more on a new one
                return send(message)
            except smtplib.SMTPRecipientsRefused as error:
                code, reply = next(iter(error.recipients.values()))
                raise _failure(code, reply) from error
            except smtplib.SMTPResponseException as error:
                raise _failure(error.smtp_code, error.smtp_error) from error
            except (TimeoutError, smtplib.SMTPException, OSError) as error:
                drop()
                raise TemporaryFailure(f"{type(error).__name__}: {error}") from error

        try:
            yield send
        finally:
            if client is not None:
                try:
                    client.quit()
                except (smtplib.SMTPException, OSError):
                    client.close()

    def _open(self) -> _Client:
        client = self._connect()
        try:
            if self.starttls:
                client.starttls(context=self.tls)
            if self.username:
                client.login(self.username, self.password or "")
        except BaseException:
            client.close()
            raise
        return client

    def _connect(self) -> _Client:
        name = _local_hostname()
        if self.implicit_tls:
            return _ClientTls(self.host, self.port, name, timeout=self.timeout, context=self.tls)
        return _Client(self.host, self.port, name, timeout=self.timeout)


@cache
def _local_hostname() -> str:
    """The name this host gives in EHLO, looked up once per process (smtplib looks it up for
    every connection, and a lookup can take longer than sending a message)."""
    return socket.getfqdn()


class _Client(smtplib.SMTP):
    """smtplib's client, keeping the server's answer to the last message it took."""

    last_reply: str | None = None

    def data(self, msg: Any) -> tuple[int, bytes]:
        """Send the message data as smtplib does, and keep the answer (smtplib drops it)."""
        code, reply = super().data(msg)
        self.last_reply = _answer(code, reply)
        return code, reply


class _ClientTls(_Client, smtplib.SMTP_SSL):
    """:class:`_Client` over implicit TLS."""


def _answer(code: int, reply: bytes | str) -> str:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {text}".strip()


def _failure(code: int, reply: bytes | str) -> Exception:
    answer = _answer(code, reply)
    return PermanentFailure(answer) if 500 <= code < 600 else TemporaryFailure(answer)


class FileTransport:
    """Writes each message as an .eml file (the default without SMTP: development and demos)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: Message) -> str | None:
        """Write ``message`` to ``<folder>/<date>-<message id>.eml`` and name the file; a folder
        that cannot be written (full, read-only, not a folder) is a temporary failure, tried
        again later."""
        stamp = message["Date"] or ""
        name = "".join(ch for ch in str(message["Message-ID"]) if ch.isalnum())[:40]
        path = self.folder / f"{_sortable(stamp)}-{name}.eml"
        partial = path.with_suffix(".part")  # renamed once complete: no half-written .eml
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(bytes(message))
            partial.replace(path)
        except OSError as error:
            with suppress(OSError):
                partial.unlink(missing_ok=True)
            raise TemporaryFailure(f"{type(error).__name__}: {error}") from error
        logger.info("wrote %s", path)
        return f"written to {path.name}"

    @contextmanager
    def session(self) -> Iterator[Send]:
        """Files need no connection: ``send`` itself."""
        yield self.send


def _sortable(rfc_date: str) -> str:
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(rfc_date).strftime("%Y%m%d%H%M%S")
    except (TypeError, ValueError):
        return "00000000000000"


def transport_for(smtp_url: str | None, outbox_folder: Path) -> Transport:
    """SMTP when IDEAFLOW_SMTP_URL is set, else .eml files in ``outbox_folder``."""
    return SmtpTransport(smtp_url) if smtp_url else FileTransport(outbox_folder)
