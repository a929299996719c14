"""Notifications: every email ideaflow sends, from creation to delivery, and what limits them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workflow.clock import utcnow
from workflow.models.base import Base, JsonDocument, UTCDateTime, sql_in

NOTIFICATION_STATUSES = ("pending", "sent", "failed", "suppressed", "waiting_digest", "digested")
MAILING_LISTS = ("idea_updates", "meeting_reports")


class Notification(Base):
    """One email to one recipient. Its Message-ID is fixed at creation, so a retry re-sends the
    same message; ``dedupe_key`` makes creating it twice impossible."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_in(NOTIFICATION_STATUSES)})", name="status"),
        Index("ix_notifications_status_created", "status", "created_at"),
        Index("ix_notifications_contact_status", "contact_id", "status"),
        # The log's order, newest first, with and without its kind filter (migration 0013).
        Index("ix_notifications_created", "created_at", "id"),
        Index("ix_notifications_kind_created", "kind", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    dedupe_key: Mapped[str] = mapped_column(String(250), unique=True)
    recipient_email: Mapped[str] = mapped_column(String(320))
    recipient_name: Mapped[str | None] = mapped_column(String(200))
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    idea_id: Mapped[int | None] = mapped_column(
        ForeignKey("ideas.id", ondelete="SET NULL"), index=True
    )
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    digest_id: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="SET NULL")
    )
    list_name: Mapped[str | None] = mapped_column(String(40))  # set for stakeholder mail
    language: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(250), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # While a worker sends the message no other worker may; a crashed worker's lease runs out.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    smtp_reply: Mapped[str | None] = mapped_column(Text)  # the server's last answer, code and text
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Unsubscription(Base):
    """A contact who asked not to receive one list of mail any more."""

    __tablename__ = "unsubscriptions"
    __table_args__ = (CheckConstraint(f"list_name IN ({sql_in(MAILING_LISTS)})", name="list"),)

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    list_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IdeaStop(Base):
    """A contact who asked for no more emails about one idea (the others still come)."""

    __tablename__ = "idea_stops"

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Suppression(Base):
    """An address the mail server refused for good (5xx): nothing goes there until an admin
    clears it."""

    __tablename__ = "suppressions"

    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Reminder(Base):
    """A reminder sent to an owner for one occasion (one row per occasion and reminder number)."""

    __tablename__ = "reminders"
    __table_args__ = (Index("uq_reminders_occasion", "idea_id", "occasion", "number", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    occasion: Mapped[str] = mapped_column(String(100))
    number: Mapped[int] = mapped_column(Integer)  # 1, 2 ...; escalation is number 0
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="SET NULL")
    )
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FollowupSchedule(Base):
    """The reminder rules the ideas' stored moments (``ideas.next_check_at``) were worked out
    with: a sweep with other rules marks every open idea again first. One row."""

    __tablename__ = "followup_schedule"

    id: Mapped[int] = mapped_column(primary_key=True)
    rules: Mapped[str] = mapped_column(String(200))


DELIVERY_OUTCOMES = ("sent", "held", "failed", "suppressed")


class DeliveryAttempt(Base):
    """One try at sending a notification: when, what came of it and what the server answered
    (``held``: a temporary refusal, tried again after ``hold_until``)."""

    __tablename__ = "delivery_attempts"
    __table_args__ = (CheckConstraint(f"outcome IN ({sql_in(DELIVERY_OUTCOMES)})", name="outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[str] = mapped_column(String(20))
    smtp_reply: Mapped[str | None] = mapped_column(Text)
    hold_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
