"""The .eml files written without SMTP (``instance/outbox/``): list, read and remove them.

File names come from ``FileTransport`` (``<yyyymmddHHMMSS>-<id>.eml``), so sorting them by name
sorts them by date. Only plain names of that shape are ever opened: nothing outside the folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

from workflow.paging import Page

OUTBOX_FOLDER = "outbox"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,120}\.eml$")
MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class OutboxFile:
    """One written message, as the list shows it."""

    name: str
    subject: str
    to: str
    sent: datetime | None


@dataclass(frozen=True)
class StoredMail:
    """One written message with its headers and both parts."""

    name: str
    headers: list[tuple[str, str]]
    subject: str
    to: str
    sent: datetime | None
    text: str | None
    html: str | None


def outbox_folder(instance_path: Path) -> Path:
    """Where messages are written when no SMTP server is configured."""
    return instance_path / OUTBOX_FOLDER


def _names(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(
        (entry.name for entry in folder.iterdir() if NAME.match(entry.name) and _plain(entry)),
        reverse=True,
    )


def _plain(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def list_files(folder: Path, page: int = 1, per_page: int = 50) -> Page[OutboxFile]:
    """A page of the written messages, newest first (only that page's files are read)."""
    names = _names(folder)
    page = max(page, 1)
    chosen = names[(page - 1) * per_page : page * per_page]
    files = []
    for name in chosen:
        message = _parse(folder / name, headers_only=True)
        if message is not None:
            files.append(OutboxFile(name, *_summary(message)))
    return Page(files, len(names), page, per_page)


def read_file(folder: Path, name: str) -> StoredMail | None:
    """One written message; None when the name is not one of the folder's messages."""
    if not NAME.match(name) or not _plain(folder / name):
        return None
    message = _parse(folder / name, headers_only=False)
    if message is None:
        return None
    subject, to, sent = _summary(message)
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    return StoredMail(
        name=name,
        headers=[(key, str(value)) for key, value in message.items()],
        subject=subject,
        to=to,
        sent=sent,
        text=_content(text),
        html=_content(html),
    )


def remove_messages_to(folder: Path, email: str) -> int:
    """Delete every written message addressed to ``email`` (erasing a contact); how many."""
    wanted = email.strip().lower()
    removed = 0
    for name in _names(folder):
        message = _parse(folder / name, headers_only=True)
        if message is None:
            continue
        recipients = getaddresses([str(value) for value in message.get_all("To", [])])
        if any(address.lower() == wanted for _, address in recipients):
            (folder / name).unlink(missing_ok=True)
            removed += 1
    return removed


def _parse(path: Path, *, headers_only: bool) -> EmailMessage | None:
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        with path.open("rb") as handle:
            parsed = BytesParser(policy=policy.default).parse(handle, headersonly=headers_only)
    except OSError:
        return None
    return parsed if isinstance(parsed, EmailMessage) else None


def _summary(message: EmailMessage) -> tuple[str, str, datetime | None]:
    try:
        sent = parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
    except (TypeError, ValueError):
        sent = None
    if sent is not None and sent.tzinfo is None:
        sent = None
    return str(message["Subject"] or ""), str(message["To"] or ""), sent


def _content(part: object) -> str | None:
    if not isinstance(part, EmailMessage):
        return None
    try:
        content = part.get_content()
    except (LookupError, ValueError):
        return None
    return content if isinstance(content, str) else None
