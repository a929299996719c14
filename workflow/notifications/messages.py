"""A notification as an email: text and HTML parts, fixed Message-ID, one-click unsubscribe."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from workflow.clock import utcnow
from workflow.models import Notification


def build_message(
    notification: Notification,
    *,
    sender: str,
    reply_to: str | None = None,
    unsubscribe_url: str | None = None,
) -> EmailMessage:
    """The email for ``notification``; stakeholder mail carries RFC 8058 one-click headers."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr((notification.recipient_name or "", notification.recipient_email))
    message["Subject"] = notification.subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = notification.message_id
    message["Content-Language"] = notification.language
    message["Auto-Submitted"] = "auto-generated"
    if reply_to:
        message["Reply-To"] = reply_to
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(notification.body_text)
    message.add_alternative(notification.body_html, subtype="html")
    return message
