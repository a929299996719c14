"""The repository of meetings."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflow.models import (
    Meeting,
)


class MeetingRepository:
    """Meetings, found by id or by the hash of their minutes."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, meeting: Meeting) -> None:
        """Stage a new meeting."""
        self.session.add(meeting)

    def get(self, meeting_id: int) -> Meeting | None:
        """The meeting with this id, or None."""
        return self.session.get(Meeting, meeting_id)

    def by_content_hash(self, content_hash: str) -> Meeting | None:
        """The meeting imported from minutes with this content hash, or None."""
        query = select(Meeting).where(Meeting.content_hash == content_hash)
        return self.session.scalars(query).first()

    def count(self) -> int:
        """How many meetings there are."""
        return self.session.scalar(select(func.count(Meeting.id))) or 0
