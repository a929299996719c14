"""Follow-up reports sent to a meeting's participants, with what each one said."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from workflow.clock import utcnow
from workflow.models.base import Base, JsonDocument, UTCDateTime


class SentReport(Base):
    """One report about a meeting's ideas: when it went out, to how many, and its content.

    ``due_on`` is the plan's date the sweep sent it for (the latest one, for a catch-up report
    that covers several), None for a report a manager sent by hand. The unique index lets only
    one of two sweeps running at once write the report for a date.
    """

    __tablename__ = "sent_reports"
    __table_args__ = (
        Index("uq_sent_reports_due", "meeting_id", "due_on", unique=True),
        Index("ix_sent_reports_meeting_sent", "meeting_id", "sent_at"),
        CheckConstraint("recipients >= 0", name="recipients"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    due_on: Mapped[date | None] = mapped_column(Date)
    covers: Mapped[list[str]] = mapped_column(JsonDocument, default=list)  # ISO due dates
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    snapshot: Mapped[dict[str, Any]] = mapped_column(
        JsonDocument
    )  # contracts.reports.MeetingReport
