"""The transactional outbox: domain events waiting to be delivered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workflow.clock import utcnow
from workflow.models.base import Base, JsonDocument, UTCDateTime


class OutboxMessage(Base):
    """A domain event waiting to be delivered; written in the transaction that caused it.

    ``dispatched_at`` is set only in the commit that created the event's notifications. An
    event whose notifications could not be made stays undispatched with its ``error``, counts
    its ``attempts`` and waits until ``next_attempt_at``; ``alerted_at`` records when the admins
    were told it keeps failing.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_waiting", "dispatched_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_type: Mapped[str] = mapped_column(String(60))
    aggregate_type: Mapped[str] = mapped_column(String(30))
    aggregate_id: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    error: Mapped[str | None] = mapped_column(Text)  # why it could not be turned into mail
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the last failure
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
