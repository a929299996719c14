"""A notification as an email: text and HTML parts, fixed Message-ID, one-click unsubscribe."""

from __future__ import annotations

from email import policy as email_policy
from email.header import Header
from email.headerregistry import BaseHeader, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.policy import Policy
from email.utils import format_datetime, formataddr
from typing import Protocol

from workflow.clock import utcnow


class _UnfoldedHeader(UnstructuredHeader, BaseHeader):
    """A header written on one line as it is. The default policy would turn a URL longer than a
    line into RFC 2047 encoded words, which mail clients do not read as List-Unsubscribe."""

    def fold(self, *, policy: Policy) -> str:
        """``Name: value`` unchanged (an ASCII URL, far below the 998-character limit)."""
        return f"{self.name}: {self}{policy.linesep}"


class _SpacedWordsHeader(UnstructuredHeader, BaseHeader):
    """A subject in encoded words that keep every space. The default folder (Python 3.11)
    ends one encoded word and starts the next at a space, and readers drop the space between
    two encoded words (RFC 2047, 6.2): "Opsamling på" arrived as "Opsamlingpå"."""

    def fold(self, *, policy: Policy) -> str:
        """ASCII as usual; anything else as UTF-8 encoded words with the spaces inside them."""
        value = str(self)
        if value.isascii():
            return super().fold(policy=policy)
        encoded = Header(value, "utf-8", header_name=self.name).encode(linesep=policy.linesep)
        return f"{self.name}: {encoded}{policy.linesep}"


_headers = HeaderRegistry()
_headers.map_to_type("list-unsubscribe", _UnfoldedHeader)
_headers.map_to_type("subject", _SpacedWordsHeader)
POLICY = email_policy.default.clone(header_factory=_headers)


class Sendable(Protocol):
    """What an email is made of: a notification row, or the part of it that delivery reads."""

    @property
    def recipient_email(self) -> str: ...
    @property
    def recipient_name(self) -> str | None: ...
    @property
    def subject(self) -> str: ...
    @property
    def message_id(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def body_text(self) -> str: ...
    @property
    def body_html(self) -> str: ...


def build_message(
    notification: Sendable,
    *,
    sender: str,
    reply_to: str | None = None,
    unsubscribe_url: str | None = None,
) -> EmailMessage:
    """The email for ``notification``; stakeholder mail carries RFC 8058 one-click headers."""
    message = EmailMessage(policy=POLICY)
    message["From"] = sender
    message["To"] = formataddr((notification.recipient_name or "", notification.recipient_email))
    message["Subject"] = notification.subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = notification.message_id
    message["Auto-Submitted"] = "auto-generated"
    if reply_to:
        message["Reply-To"] = reply_to
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(notification.body_text)
    message.add_alternative(notification.body_html, subtype="html")
    # After the content: setting it clears the Content-* headers set before.
    message["Content-Language"] = notification.language
    return message
