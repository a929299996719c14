"""Delivering one notification: at most one worker at a time, at most 5 tries, 5xx suppresses.

A worker first takes a short lease on the notification (compare-and-set), so two copies of the
same task never send twice at once; a worker that dies mid-send leaves the lease to run out and
the notification pending, and the relay's sweep sends it again with the same Message-ID.

On PostgreSQL this bookkeeping (lease, outcome) commits without waiting for the disk flush
(``synchronous_commit = off`` for these transactions only): a database crash can forget its last
fraction of a second, which at worst sends a message again with the same Message-ID, the
at-least-once delivery the design allows anyway. The notifications themselves, written with the
change that caused them, are committed durably as always.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select, text, update

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
    notification = uow.session.get(Notification, notification_id)
    if notification is None:
        uow.rollback()
        return "missing"
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        status = notification.status if notification.status != "pending" else "busy"
        uow.rollback()
        return status
    if _held_back(uow, notification):
        return _finish(uow, notification, "suppressed", "unsubscribed or suppressed address")
    _commit_quickly(uow)  # the lease is ours before anything leaves
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
    """Stakeholder mail to someone who unsubscribed or was erased; any mail to a suppressed
    address (one query: it runs for every email)."""
    suppressed = exists().where(Suppression.email == notification.recipient_email)
    if not notification.contact_id:
        return bool(uow.session.scalar(select(suppressed)))
    erased = exists().where(Contact.id == notification.contact_id, Contact.erased_at.is_not(None))
    unsubscribed = exists().where(
        Unsubscription.contact_id == notification.contact_id,
        Unsubscription.list_name == notification.list_name,
    )
    return bool(uow.session.scalar(select(or_(suppressed, erased, unsubscribed))))


def _suppress_address(uow: UnitOfWork, email: str, reason: str, now: datetime) -> None:
    if uow.session.get(Suppression, email) is None:
        uow.session.add(Suppression(email=email, reason=reason[:2000], at=now))


def _finish(uow: UnitOfWork, notification: Notification, status: str, error: str | None) -> str:
    notification.status = status
    notification.last_error = error[:2000] if error else None
    notification.lease_until = None
    _commit_quickly(uow)
    return status


def _commit_quickly(uow: UnitOfWork) -> None:
    """Commit without waiting for the disk flush on PostgreSQL (see the module docstring)."""
    if uow.session.get_bind().dialect.name == "postgresql":
        uow.session.execute(text("SET LOCAL synchronous_commit = off"))
    uow.commit()
