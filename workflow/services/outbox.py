"""Mail that could not be made or sent: outbox events retried with backoff, the admins' alert,
and retrying by hand (failing events, and failed emails after an outage).

An event whose fan-out fails (a template that does not render, a recipient lookup that breaks)
is never marked dispatched: it keeps its error, counts the attempt and waits with backoff
(30 s doubling, at most an hour) before the relay tries it again. After ``ALERT_AFTER`` failed
attempts the active admins get one email about it. Admins see the failing events on the
notification page and retry them at once there or with ``ideaflow outbox retry``.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from workflow.clock import utcnow
from workflow.errors import Forbidden, NotFound
from workflow.models import Notification, OutboxMessage, User
from workflow.notifications.compose import render
from workflow.notifications.links import Links
from workflow.permissions import Actor, Role
from workflow.uow import UnitOfWork

logger = logging.getLogger(__name__)
ALERT_AFTER = 3
FIRST_WAIT_S = 30.0
LONGEST_WAIT = timedelta(hours=1)
ERROR_MAX = 2000


@dataclass(frozen=True)
class FailingEvent:
    """An outbox event that is waiting to be tried again after a failure."""

    id: int
    event_type: str
    aggregate_type: str
    aggregate_id: int
    attempts: int
    error: str | None
    created_at: datetime
    failed_at: datetime | None
    next_attempt_at: datetime | None
    alerted: bool


def retry_wait(attempts: int, jitter: float) -> timedelta:
    """How long an event waits after its ``attempts``-th failure (jitter in [0, 1))."""
    seconds = FIRST_WAIT_S * 2 ** min(max(attempts - 1, 0), 16) * (1 + 0.2 * jitter)
    return min(timedelta(seconds=seconds), LONGEST_WAIT)


def record_failure(
    uow: UnitOfWork, message: OutboxMessage, error: BaseException, links: Links, now: datetime
) -> list[int]:
    """Leave ``message`` pending with its error and next try; alert the admins once it has
    failed ``ALERT_AFTER`` times. Returns the ids of alert notifications to send."""
    message.dispatched_at = None
    message.attempts = (message.attempts or 0) + 1
    message.error = f"{type(error).__name__}: {error}"[:ERROR_MAX]
    message.failed_at = now
    jitter = random.random()  # noqa: S311 (spreads retries, guards nothing)
    message.next_attempt_at = now + retry_wait(message.attempts, jitter)
    logger.warning(
        "outbox %s waits for try %s at %s: %s",
        message.id,
        message.attempts + 1,
        message.next_attempt_at.isoformat(timespec="seconds"),
        message.error,
        extra={"event": "outbox.held", "outbox_id": message.id, "attempt": message.attempts,
               "hold_until": message.next_attempt_at.isoformat(timespec="seconds")},
    )  # fmt: skip
    if message.attempts < ALERT_AFTER or message.alerted_at is not None:
        return []
    try:
        with uow.session.begin_nested():
            alerts = _alert_admins(uow, message, links, now)
    except Exception:  # the event stays pending and visible; the alert is a courtesy
        logger.exception("admins could not be alerted about outbox %s", message.id)
        return []
    message.alerted_at = now
    return alerts


def _alert_admins(
    uow: UnitOfWork, message: OutboxMessage, links: Links, now: datetime
) -> list[int]:
    from workflow.services.notifications import add_notification

    admins = uow.session.scalars(
        select(User).where(User.role == Role.ADMIN, User.active.is_(True)).order_by(User.id)
    ).all()
    created: list[int] = []
    for admin in admins:
        rendered = render(
            "outbox_alert",
            admin.language or "da",
            recipient_name=admin.name,
            event={"id": message.id, "type": message.event_type, "attempts": message.attempts,
                   "error": message.error or ""},
            links={"notifications_url": links.notifications_url()},
        )  # fmt: skip
        notification = add_notification(
            uow, links, rendered, kind="outbox_alert",
            dedupe_key=f"outbox_alert:{message.id}:{admin.id}", user=admin,
            payload={"outbox_id": message.id, "event_type": message.event_type}, now=now,
        )  # fmt: skip
        if notification is not None:
            created.append(notification.id)
    return created


def failing_events(uow: UnitOfWork, actor: Actor | None, limit: int = 100) -> list[FailingEvent]:
    """Events waiting after a failure, oldest first (managers and admins; ``actor`` None is
    the command line)."""
    if actor is not None and not actor.manages:
        raise Forbidden("Only managers and administrators see the outbox.")
    rows = uow.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.dispatched_at.is_(None), OutboxMessage.attempts > 0)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    return [
        FailingEvent(
            id=row.id,
            event_type=row.event_type,
            aggregate_type=row.aggregate_type,
            aggregate_id=row.aggregate_id,
            attempts=row.attempts,
            error=row.error,
            created_at=row.created_at,
            failed_at=row.failed_at,
            next_attempt_at=row.next_attempt_at,
            alerted=row.alerted_at is not None,
        )
        for row in rows
    ]


def retry_now(
    uow: UnitOfWork, actor: Actor | None, outbox_id: int | None = None, now: datetime | None = None
) -> int:
    """Make failing events due at once (one, or all of them); admins only (``actor`` None is
    the command line). Returns how many were made due."""
    if actor is not None and actor.role != Role.ADMIN:
        raise Forbidden("Only administrators retry outbox events.")
    now = now or utcnow()
    statement = update(OutboxMessage).where(
        OutboxMessage.dispatched_at.is_(None), OutboxMessage.attempts > 0
    )
    if outbox_id is not None:
        statement = statement.where(OutboxMessage.id == outbox_id)
    result = uow.session.execute(
        statement.values(next_attempt_at=now).execution_options(synchronize_session=False)
    )
    uow.commit()
    changed = int(result.rowcount)  # type: ignore[attr-defined]
    if outbox_id is not None and changed == 0:
        raise NotFound("No failing outbox event has this id.")
    return changed


def resend_failed(
    uow: UnitOfWork, actor: Actor | None, notification_id: int | None = None
) -> list[int]:
    """Make failed emails pending again with a fresh count of tries (one, or all of them):
    after an outage outlasted their retries. Admins only (``actor`` None is the command line).
    Addresses the server refused for good stay held back when sending. Returns their ids."""
    if actor is not None and actor.role != Role.ADMIN:
        raise Forbidden("Only administrators send failed emails again.")
    query = select(Notification.id).where(Notification.status == "failed")
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    ids = list(uow.session.scalars(query.order_by(Notification.id)))
    if notification_id is not None and not ids:
        raise NotFound("No failed email has this id.")
    if ids:
        uow.session.execute(
            update(Notification)
            .where(Notification.id.in_(ids), Notification.status == "failed")
            .values(status="pending", attempts=0, lease_until=None)
            .execution_options(synchronize_session=False)
        )
    uow.commit()
    return ids
