"""A notification's whole path, read from the database: the outbox event it came from, its
creation, every try with its time, outcome and the server's answer, its lease or hold, and how
it ended (``ideaflow notifications trace ID``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from workflow.errors import NotFound
from workflow.models import DeliveryAttempt, Notification, OutboxMessage
from workflow.uow import UnitOfWork


@dataclass(frozen=True)
class Attempt:
    """One try at sending, as recorded when it ended."""

    number: int
    at: datetime
    outcome: str
    smtp_reply: str | None
    hold_until: datetime | None


@dataclass(frozen=True)
class Event:
    """The outbox event a notification was made from."""

    id: int
    event_type: str
    aggregate: str
    trigger: str | None
    created_at: datetime
    dispatched_at: datetime | None
    failures: int
    error: str | None


@dataclass(frozen=True)
class Trace:
    """Everything the database knows about one notification's way out."""

    id: int
    kind: str
    recipient: str
    message_id: str
    idea_id: int | None
    meeting_id: int | None
    created_at: datetime
    status: str
    tries: int
    lease_until: datetime | None
    sent_at: datetime | None
    last_error: str | None
    smtp_reply: str | None
    digest_id: int | None
    event: Event | None
    attempts: tuple[Attempt, ...]

    @property
    def unrecorded(self) -> tuple[int, ...]:
        """Tries that were counted but ended without an outcome (their worker stopped
        mid-send and the lease ran out)."""
        recorded = {attempt.number for attempt in self.attempts}
        return tuple(n for n in range(1, self.tries + 1) if n not in recorded)


def trace(uow: UnitOfWork, notification_id: int) -> Trace:
    """The path of notification ``notification_id``; NotFound when there is none."""
    row = uow.session.get(Notification, notification_id)
    if row is None:
        raise NotFound("No email has this id.")
    attempts = uow.session.scalars(
        select(DeliveryAttempt)
        .where(DeliveryAttempt.notification_id == notification_id)
        .order_by(DeliveryAttempt.number, DeliveryAttempt.id)
    )
    outbox = uow.session.get(OutboxMessage, row.outbox_id) if row.outbox_id else None
    recipient = f"{row.recipient_name} <{row.recipient_email}>" if row.recipient_name else (
        row.recipient_email
    )  # fmt: skip
    return Trace(
        id=row.id, kind=row.kind, recipient=recipient, message_id=row.message_id,
        idea_id=row.idea_id, meeting_id=row.meeting_id, created_at=row.created_at,
        status=row.status, tries=row.attempts, lease_until=row.lease_until, sent_at=row.sent_at,
        last_error=row.last_error, smtp_reply=row.smtp_reply, digest_id=row.digest_id,
        event=_event(outbox) if outbox else None,
        attempts=tuple(
            Attempt(a.number, a.at, a.outcome, a.smtp_reply, a.hold_until) for a in attempts
        ),
    )  # fmt: skip


def _event(outbox: OutboxMessage) -> Event:
    trigger = outbox.payload.get("trigger") if isinstance(outbox.payload, dict) else None
    return Event(
        id=outbox.id,
        event_type=outbox.event_type,
        aggregate=f"{outbox.aggregate_type} {outbox.aggregate_id}",
        trigger=str(trigger) if trigger else None,
        created_at=outbox.created_at,
        dispatched_at=outbox.dispatched_at,
        failures=outbox.attempts,
        error=outbox.error,
    )
