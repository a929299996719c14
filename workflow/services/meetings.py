"""Use cases on meetings: their minutes document (and, later, their reports)."""

from __future__ import annotations

from dataclasses import dataclass

from workflow.errors import NotFound
from workflow.gates import MAX_ID
from workflow.models import MeetingDocument
from workflow.permissions import Actor
from workflow.uow import UnitOfWork


@dataclass(frozen=True)
class StoredDocument:
    """A meeting's minutes file, exactly as it was imported."""

    filename: str
    media_type: str
    content: bytes


def meeting_document(uow: UnitOfWork, actor: Actor, meeting_id: int) -> StoredDocument:
    """The minutes a meeting was imported from; NotFound when there are none."""
    document = uow.session.get(MeetingDocument, meeting_id) if 1 <= meeting_id <= MAX_ID else None
    if document is None:
        raise NotFound(f"Meeting {meeting_id} has no stored minutes.")
    return StoredDocument(document.filename, document.media_type, document.content)
