"""Delivering notifications: at most one worker at a time, at most 5 tries, 5xx suppresses.

A worker first takes a short lease on each notification (compare-and-set), so two copies of the
same task never send twice at once; a worker that dies mid-send leaves the lease to run out and
the notification pending, and the relay's sweep sends it again with the same Message-ID. A batch
takes its leases in one statement and commit, sends over one connection, and records the
outcomes it has (each only after the server's answer) in one commit at its end, or sooner when
it runs long (``delivery_outcomes``); one that runs long hands its unsent rest back before their
leases could run out. Each commit waits for the disk, so an outcome recorded is an outcome kept;
a crash repeats only the messages sent since the batch's last write, with their Message-IDs.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select, text, update

from workflow import tuning
from workflow.clock import utcnow
from workflow.models import Contact, Notification, Suppression, Unsubscription
from workflow.notifications.links import Links
from workflow.notifications.messages import build_message
from workflow.notifications.transport import PermanentFailure, Send, TemporaryFailure, Transport
from workflow.services.delivery_outcomes import Outcomes
from workflow.uow import UnitOfWork

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
# The lease and the first retry's wait come from ``tuning`` (IDEAFLOW_LEASE_SECONDS and
# IDEAFLOW_RETRY_FIRST_SECONDS, which tests and the quick soak shorten).
BATCH_SHARE = 1 / 3  # a batch starts no message later than this share of the lease
UNSENT = "unsent"  # a batch's outcome for a notification it handed back without trying


class RetryLater(Exception):
    """The server answered "not now" (4xx, or no answer): try again at ``retry_at``."""

    def __init__(self, attempts: int, reason: str, retry_at: datetime) -> None:
        super().__init__(reason)
        self.attempts = attempts
        self.retry_at = retry_at


@dataclass(frozen=True)
class Sending:
    """Who sends, and the links the messages carry."""

    links: Links
    sender: str
    reply_to: str | None = None


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
    taken = _take_leases(uow, [notification_id], now)
    if not taken:
        return _statuses(uow, [notification_id])[notification_id]
    uow.commit()  # the lease is ours before anything leaves
    outcomes = Outcomes(uow)
    try:
        return _send(outcomes, taken[0], transport.send, Sending(links, sender, reply_to), now)
    finally:
        outcomes.flush()


def deliver_many(
    uow: UnitOfWork, notification_ids: Iterable[int], transport: Transport, sending: Sending
) -> dict[int, str | RetryLater]:
    """Send several notifications over one connection, recording their outcomes together: each
    one's status, ``UNSENT`` for those handed back when the batch ran long, or the RetryLater."""
    ids = list(dict.fromkeys(notification_ids))
    now = utcnow()
    taken = _take_leases(uow, ids, now)
    outcomes: dict[int, str | RetryLater] = {}
    if len(taken) < len(ids):
        leased = {outgoing.id for outgoing in taken}
        outcomes.update(_statuses(uow, [i for i in ids if i not in leased]))
    uow.commit()
    deadline = time.monotonic() + tuning.current().lease_seconds * BATCH_SHARE
    tried = Outcomes(uow)
    with transport.session() as send:
        try:
            for position, outgoing in enumerate(taken):
                if time.monotonic() > deadline:
                    tried.flush()
                    rest = [later.id for later in taken[position:]]
                    _hand_back(uow, rest, now + tuning.current().lease)
                    outcomes.update(dict.fromkeys(rest, UNSENT))
                    break
                try:  # timed from now: the batch may have been sending for a while
                    outcomes[outgoing.id] = _send(tried, outgoing, send, sending, utcnow())
                except RetryLater as later:
                    outcomes[outgoing.id] = later
                if tried.due():
                    tried.flush()
        finally:  # what was sent is recorded even when something unexpected stops the batch
            tried.flush()
    return outcomes


def backoff_seconds(attempts: int, jitter: float) -> float:
    """Seconds to wait before try ``attempts + 1``: 30 s (``retry_first_seconds``) doubling, plus up
    to 20 % jitter."""
    base = tuning.current().retry_first_seconds * float(2 ** max(attempts - 1, 0))
    return base * (1 + 0.2 * jitter)


@dataclass(frozen=True)
class _Outgoing:
    """What sending needs of a notification row (read in the statement that takes the lease)."""

    id: int
    recipient_email: str
    recipient_name: str | None
    contact_id: int | None
    list_name: str | None
    language: str
    subject: str
    body_text: str
    body_html: str
    message_id: str
    attempts: int
    outbox_id: int | None
    held_back: bool


def _held_back(uow: UnitOfWork, notification_ids: list[int]) -> set[int]:
    """Of these, stakeholder mail to someone who unsubscribed or was erased, and any mail to a
    suppressed address (one query for a whole batch)."""
    held_back = or_(
        exists().where(Suppression.email == Notification.recipient_email),
        exists().where(Contact.id == Notification.contact_id, Contact.erased_at.is_not(None)),
        exists().where(
            Unsubscription.contact_id == Notification.contact_id,
            Unsubscription.list_name == Notification.list_name,
        ),
    )
    query = select(Notification.id).where(Notification.id.in_(notification_ids), held_back)
    return set(uow.session.scalars(query))


def _take_leases(uow: UnitOfWork, notification_ids: list[int], now: datetime) -> list[_Outgoing]:
    """Lease the pending notifications nobody else holds and count the try (compare-and-set);
    the rows as they are then, in the order asked for."""
    columns = [getattr(Notification, field.name) for field in fields(_Outgoing)[:-1]]
    if uow.session.get_bind().dialect.name == "postgresql":
        # The lease need not wait for the disk: the durable commit of the outcomes that follows
        # writes it too, and a crash before that loses those outcomes anyway (the lease only
        # keeps a second sender off meanwhile). One wait for the disk per batch, not two.
        uow.session.execute(_LEASE_WITHOUT_FLUSH)
    statement = (
        update(Notification)
        .where(
            Notification.id.in_(notification_ids),
            Notification.status == "pending",
            or_(Notification.lease_until.is_(None), Notification.lease_until < now),
        )
        .values(lease_until=now + tuning.current().lease, attempts=Notification.attempts + 1)
        .returning(*columns)
        .execution_options(synchronize_session=False)
    )
    rows = {row.id: row for row in uow.session.execute(statement)}
    if not rows:
        return []
    held_back = _held_back(uow, list(rows))
    return [
        _Outgoing(**rows[i]._mapping, held_back=i in held_back)
        for i in notification_ids
        if i in rows
    ]


_LEASE_WITHOUT_FLUSH = text("SET LOCAL synchronous_commit TO OFF")


def _statuses(uow: UnitOfWork, notification_ids: list[int]) -> dict[int, str]:
    """The status of notifications that could not be leased: "busy" when another holds one."""
    query = select(Notification.id, Notification.status).where(
        Notification.id.in_(notification_ids)
    )
    found: dict[int, str] = {row.id: row.status for row in uow.session.execute(query)}
    statuses = {i: found.get(i, "missing") for i in notification_ids}
    return {i: "busy" if status == "pending" else status for i, status in statuses.items()}


def _send(tried: Outcomes, outgoing: _Outgoing, send: Send, sending: Sending, now: datetime) -> str:
    """Send a leased notification unless it is held back, and keep the outcome for ``tried``'s
    next write (raises RetryLater as deliver does)."""
    if outgoing.held_back:
        return tried.add(outgoing, "suppressed", "unsubscribed or suppressed address")
    unsubscribe_url = (
        sending.links.unsubscribe_url(outgoing.contact_id, outgoing.list_name)
        if outgoing.contact_id and outgoing.list_name
        else None
    )
    message = build_message(
        outgoing,
        sender=sending.sender,
        reply_to=sending.reply_to,
        unsubscribe_url=unsubscribe_url,
    )
    try:
        reply = send(message)
    except PermanentFailure as error:
        _suppress_address(tried.uow, outgoing.recipient_email, str(error), now)
        return tried.add(outgoing, "failed", str(error))
    except TemporaryFailure as error:
        if outgoing.attempts >= MAX_ATTEMPTS:
            return tried.add(outgoing, "failed", str(error))
        jitter = random.random()  # noqa: S311 (spreads retries, guards nothing)
        retry_at = now + timedelta(seconds=backoff_seconds(outgoing.attempts, jitter))
        # Held until then, so neither the sweep nor a copy of the task tries it early.
        tried.add(outgoing, "pending", str(error), hold_until=retry_at)
        raise RetryLater(outgoing.attempts, str(error), retry_at) from error
    return tried.add(outgoing, "sent", None, reply=reply, sent_at=utcnow())


def _hand_back(uow: UnitOfWork, notification_ids: list[int], lease_until: datetime) -> None:
    """Give up leases not yet used, and the tries they counted (unless another took them)."""
    uow.session.execute(
        update(Notification)
        .where(Notification.id.in_(notification_ids), Notification.lease_until == lease_until)
        .values(lease_until=None, attempts=Notification.attempts - 1)
        .execution_options(synchronize_session=False)
    )
    uow.commit()


def _suppress_address(uow: UnitOfWork, email: str, reason: str, now: datetime) -> None:
    if uow.session.get(Suppression, email) is None:
        uow.session.add(Suppression(email=email, reason=reason[:2000], at=now))
