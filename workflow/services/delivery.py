"""Delivering one notification: at most one worker at a time, at most 5 tries, 5xx suppresses.

A worker first takes a short lease on the notification (compare-and-set), so two copies of the
same task never send twice at once; a worker that dies mid-send leaves the lease to run out and
the notification pending, and the relay's sweep sends it again with the same Message-ID.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select, update

from workflow.clock import utcnow
from workflow.models import Contact, Notification, Suppression, Unsubscription
from workflow.notifications.links import Links
from workflow.notifications.messages import build_message
from workflow.notifications.transport import PermanentFailure, TemporaryFailure, Transport
from workflow.uow import UnitOfWork

MAX_ATTEMPTS = 5
LEASE = timedelta(seconds=90)  # longer than an SMTP exchange with its timeout


class RetryLater(Exception):
    """The server answered "not now" (4xx, or no answer): try again after a pause."""

    def __init__(self, attempts: int, reason: str) -> None:
        super().__init__(reason)
        self.attempts = attempts


def deliver(
    uow: UnitOfWork,
    notification_id: int,
    transport: Transport,
    *,
    links: Links,
    sender: str,
    reply_to: str | None = None,
    now: datetime | None = None,
) -> str:
    """Send a pending notification; return its status afterwards ("busy" when leased by another).

    Raises RetryLater after a temporary failure while tries remain.
    """
    now = now or utcnow()
    taken = uow.session.execute(
        update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.status == "pending",
            or_(Notification.lease_until.is_(None), Notification.lease_until < now),
        )
        .values(lease_until=now + LEASE, attempts=Notification.attempts + 1)
    )
    uow.commit()
    notification = uow.session.get(Notification, notification_id)
    if notification is None:
        return "missing"
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return notification.status if notification.status != "pending" else "busy"
    if _held_back(uow, notification):
        return _finish(uow, notification, "suppressed", "unsubscribed or suppressed address")
    unsubscribe_url = (
        links.unsubscribe_url(notification.contact_id, notification.list_name)
        if notification.contact_id and notification.list_name
        else None
    )
    message = build_message(
        notification, sender=sender, reply_to=reply_to, unsubscribe_url=unsubscribe_url
    )
    try:
        transport.send(message)
    except PermanentFailure as error:
        _suppress_address(uow, notification.recipient_email, str(error), now)
        return _finish(uow, notification, "failed", str(error))
    except TemporaryFailure as error:
        if notification.attempts >= MAX_ATTEMPTS:
            return _finish(uow, notification, "failed", str(error))
        _finish(uow, notification, "pending", str(error))
        raise RetryLater(notification.attempts, str(error)) from error
    notification.sent_at = utcnow()
    return _finish(uow, notification, "sent", None)


def backoff_seconds(attempts: int, jitter: float) -> float:
    """Seconds to wait before try ``attempts + 1``: 30 s doubling, plus up to 20 % jitter."""
    base = 30.0 * float(2 ** max(attempts - 1, 0))
    return base * (1 + 0.2 * jitter)


def _held_back(uow: UnitOfWork, notification: Notification) -> bool:
    """Stakeholder mail to someone who unsubscribed, and any mail to a suppressed address."""
    if notification.contact_id and notification.list_name:
        unsubscribed = uow.session.scalar(
            select(
                exists().where(
                    Unsubscription.contact_id == notification.contact_id,
                    Unsubscription.list_name == notification.list_name,
                )
            )
        )
        if unsubscribed:
            return True
    suppressed = uow.session.get(Suppression, notification.recipient_email)
    erased = uow.session.scalar(
        select(
            exists().where(Contact.id == notification.contact_id, Contact.erased_at.is_not(None))
        )
    )
    return suppressed is not None or bool(erased)


def _suppress_address(uow: UnitOfWork, email: str, reason: str, now: datetime) -> None:
    if uow.session.get(Suppression, email) is None:
        uow.session.add(Suppression(email=email, reason=reason[:2000], at=now))


def _finish(uow: UnitOfWork, notification: Notification, status: str, error: str | None) -> str:
    notification.status = status
    notification.last_error = error[:2000] if error else None
    notification.lease_until = None
    uow.commit()
    return status
