"""Meetings, the minutes they were imported from, their themes and participants."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.clock import utcnow
from workflow.models.base import Base, JsonDocument, UTCDateTime
from workflow.models.people import Contact

# Follow-up reports to the participants: this many months after the meeting, unless changed.
DEFAULT_REPORT_MONTHS = (1, 3, 6)


class Meeting(Base):
    """A stakeholder meeting whose minutes ideas come from."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    held_on: Mapped[date | None] = mapped_column(Date)
    location: Mapped[str | None] = mapped_column(String(300))
    host: Mapped[str | None] = mapped_column(String(300))
    recorder: Mapped[str | None] = mapped_column(String(300))
    content_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Text of the minutes the importer could not place, for a person to read.
    unrecognised: Mapped[list[str] | None] = mapped_column(JsonDocument)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The follow-up report plan: months after ``held_on``, ascending; [] means no reports.
    report_months: Mapped[list[int]] = mapped_column(
        JsonDocument,
        default=lambda: list(DEFAULT_REPORT_MONTHS),
        server_default=text("'[1, 3, 6]'"),
    )

    document: Mapped[MeetingDocument | None] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", lazy="raise"
    )
    theme_links: Mapped[list[MeetingTheme]] = relationship(
        cascade="all, delete-orphan", order_by="MeetingTheme.position"
    )
    participant_links: Mapped[list[MeetingParticipant]] = relationship(
        cascade="all, delete-orphan", order_by="MeetingParticipant.position"
    )


class MeetingDocument(Base):
    """The minutes file a meeting was imported from, kept as it was uploaded."""

    __tablename__ = "meeting_documents"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="document")


class MeetingParticipant(Base):
    """A contact who took part in a meeting, in the order the minutes list them."""

    __tablename__ = "meeting_participants"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    # The opt-in to hear about the meeting's ideas: where it came from, when, and on which legal
    # basis ("public_task" or "consent"; None: recorded before the basis was kept).
    consent_source: Mapped[str | None] = mapped_column(String(200))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    legal_basis: Mapped[str | None] = mapped_column(String(20))

    contact: Mapped[Contact] = relationship(lazy="joined")


class Theme(Base):
    """A challenge a meeting named, or a tag; unique by ``key``, its case-folded name."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    key: Mapped[str] = mapped_column(String(500), unique=True)


class MeetingTheme(Base):
    """A theme a meeting named, in the order the minutes list them."""

    __tablename__ = "meeting_themes"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(
        ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer)

    theme: Mapped[Theme] = relationship(lazy="joined")


class PendingImport(Base):
    """Uploaded minutes waiting for the uploader to confirm the preview."""

    __tablename__ = "pending_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # "reading" until the document is parsed (text recognition runs in the worker), then
    # "ready" with ``parsed`` kept for the preview, or "failed" with ``error``.
    status: Mapped[str] = mapped_column(String(20), default="ready", server_default="ready")
    progress_done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    progress_total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    parsed: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
